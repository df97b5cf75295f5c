"""Comparing two versions of a pact, clause by clause, with the changed words marked."""

import difflib
import re

from app.pacts.models import PactVersion


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Segments ("same"|"del"|"ins", text) marking the changed words (characters for Chinese)."""

    def tokens(s: str) -> list[str]:
        # Latin words stay whole; each CJK character is its own token.
        return re.findall(r"[A-Za-z0-9_]+|\s+|.", s, flags=re.S)

    a, b = tokens(old), tokens(new)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                out.append(("del", "".join(a[i1:i2])))
            if j2 > j1:
                out.append(("ins", "".join(b[j1:j2])))
    return out


def compare_versions(old: PactVersion, new: PactVersion) -> list[dict]:
    """Clause-by-clause comparison, matching clauses by lineage, in the new version's order."""
    old_by = {c.lineage: c for c in old.clauses}
    new_by = {c.lineage: c for c in new.clauses}
    rows: list[dict] = []
    for c in new.clauses:
        before = old_by.get(c.lineage)
        if before is None:
            rows.append({"kind": "added", "old": None, "new": c, "diff": [("ins", c.text)]})
        elif before.text != c.text:
            rows.append(
                {"kind": "changed", "old": before, "new": c, "diff": word_diff(before.text, c.text)}
            )
        else:
            rows.append(
                {
                    "kind": "same",
                    "old": before,
                    "new": c,
                    "diff": [("same", c.text)],
                    "moved": before.position != c.position,
                }
            )
    for c in old.clauses:
        if c.lineage not in new_by:
            rows.append({"kind": "removed", "old": c, "new": None, "diff": [("del", c.text)]})
    return rows
