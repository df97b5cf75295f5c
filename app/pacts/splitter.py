"""Split a pasted pact document into clauses at its numbering (pure functions, no database).

Recognised clause starts, at the beginning of a line:
- 第一条 / 第十二条 / 第3条 (Chinese legal style, "article N"),
- 一、 二、 十一、 (Chinese enumeration with the enumeration comma),
- 1. 2. 12. / 1、 / 1． / （1） / (1) (arabic numbers).
Chapter headings such as 第一章 are kept with the clause that follows them. When the text
mixes styles, the style that opens most lines wins as the splitting level and the other
numbers stay inside their clause (so 1. 2. items inside 第三条 stay in 第三条). Text with no
numbering is split at blank lines (paragraphs).
"""

import re

CN_DIGITS = "零〇一二两三四五六七八九十百千"

ARTICLE = re.compile(rf"^\s*第[{CN_DIGITS}\d]+条[\s：:、．.]*")
CHINESE_ENUM = re.compile(rf"^\s*[{CN_DIGITS}]+[、．.]\s*")
ARABIC = re.compile(r"^\s*(?:\d{1,3}[.．、)）](?!\d)|[（(]\d{1,3}[)）])\s*")
CHAPTER = re.compile(rf"^\s*第[{CN_DIGITS}\d]+[章节编]")

STYLES = (("article", ARTICLE), ("chinese", CHINESE_ENUM), ("arabic", ARABIC))


def _style_of(line: str) -> str | None:
    for name, pattern in STYLES:
        if pattern.match(line):
            return name
    return None


def detect_style(text: str) -> str | None:
    """The numbering style to split at: "article", "chinese", "arabic", or None.

    Of the styles that open at least two lines, the most formal wins (第一条 over 一、 over
    1.), because documents nest the less formal numbering inside the more formal one.
    """
    counts: dict[str, int] = {}
    for line in text.splitlines():
        style = _style_of(line)
        if style:
            counts[style] = counts.get(style, 0) + 1
    if not counts:
        return None
    for name, _pattern in STYLES:
        if counts.get(name, 0) >= 2:
            return name
    return next(name for name, _pattern in STYLES if name in counts)


def _clean(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def split_clauses(text: str) -> list[str]:
    """The clauses of `text`, in order, each with its own number kept at its start."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    if not text.strip():
        return []
    style = detect_style(text)
    if style is None:
        paragraphs = re.split(r"\n\s*\n", text)
        return [p for p in (_clean(par.splitlines()) for par in paragraphs) if p]
    pattern = dict(STYLES)[style]
    clauses: list[list[str]] = []
    preamble: list[str] = []
    pending_heading: list[str] = []
    for line in text.split("\n"):
        if pattern.match(line):
            clauses.append([*pending_heading, line.strip()])
            pending_heading = []
        elif CHAPTER.match(line) and not ARTICLE.match(line):
            pending_heading.append(line.strip())
        elif clauses:
            if pending_heading:
                pending_heading.append(line)
            else:
                clauses[-1].append(line)
        else:
            preamble.append(line)
    if pending_heading and clauses:
        clauses[-1].extend(pending_heading)
    result = [_clean(c) for c in clauses]
    intro = _clean(preamble)
    if intro:
        # A title or preamble before the first number becomes a clause of its own, so
        # nothing pasted is lost; the preview lets the secretary merge or remove it.
        result.insert(0, intro)
    return [c for c in result if c]


def merge(clauses: list[str], index: int) -> list[str]:
    """Merge clause `index` with the next one."""
    if not 0 <= index < len(clauses) - 1:
        return list(clauses)
    merged = clauses[index].rstrip() + "\n" + clauses[index + 1].lstrip()
    return [*clauses[:index], merged, *clauses[index + 2 :]]


def remove(clauses: list[str], index: int) -> list[str]:
    if not 0 <= index < len(clauses):
        return list(clauses)
    return [*clauses[:index], *clauses[index + 1 :]]


def insert_after(clauses: list[str], index: int, text: str = "") -> list[str]:
    index = max(-1, min(index, len(clauses) - 1))
    return [*clauses[: index + 1], text, *clauses[index + 1 :]]
