"""The pact pages' cached parts, and the viewer's own bits added to them.

What every viewer sees alike (a clause list with its consensus, a page of threads with their
comments) is rendered once per change of the pact and kept under its `cache_rev`
(app/core/fragments.py, app/pacts/freshness.py). What differs between viewers is left in the
cached HTML as a slot, an HTML comment naming what the viewer's part needs:

- `<!--a:ID:AUTHOR:CLAUSE:EPOCH-->` a comment's actions (+1, edit, withdraw),
- `<!--b:ID:AUTHOR:CLAUSE:0-->` its boxes (reply, report, hide),
- `<!--mine:CLAUSE-->` the viewer's own position on a clause of the pact page,

and filled per request without rendering the rest again: nothing for an anonymous reader, one
render of all the viewer's slots (and one query for their +1s) for a resident.

Names are the one other thing that differs: a community's secretary sees full names, everyone
else the public masked ones, so threads are cached in those two variants.
"""

import hashlib
import re
from calendar import timegm
from datetime import UTC, datetime
from typing import NamedTuple

from flask import render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.accounts.models import Role
from app.accounts.permissions import roles_in
from app.core.fragments import fragment, fragment_with_csrf, page, remember
from app.core.i18n import large_text
from app.core.time import utcnow
from app.extensions import htmx
from app.pacts import permissions
from app.pacts import queries as q
from app.pacts.mine import Mine
from app.pacts.models import COMMENT_EDIT_WINDOW, Clause, Pact, PactVersion, Stance

SLOT = re.compile(r"<!--([ab]):(\d+):(\d+):(\d+):(\d+)-->")
MINE = re.compile(r"<!--mine:(\d+)-->")
#: Splits the one render of a viewer's slots back into one piece per slot.
SEPARATOR = "\x00slot\x00"


class Slot(NamedTuple):
    kind: str
    id: int
    author_id: int
    clause_id: int | None
    editable: bool


def epoch(value: datetime) -> int:
    """Seconds since 1970 of a naive UTC time (slots carry a comment's time as a number)."""
    return timegm(value.timetuple())


def _is_secretary(pact: Pact) -> bool:
    return bool(
        current_user.is_authenticated and Role.SECRETARY in roles_in(current_user, pact.community)
    )


def consensus(version: PactVersion, pact: Pact) -> dict:
    """The version's consensus figures, computed once per change of the pact."""
    return remember(
        "consensus",
        (version.id, pact.cache_rev),
        lambda: q.consensus_for_version(version, pact.community_id),
    )


def threads(
    pact: Pact, clause: Clause | None, page: int, ctx: dict, *, filled: bool = True
) -> Markup:
    """A page of threads as this viewer sees it: cached for all, the viewer's slots filled
    (`filled=False`: left in, for a page that is itself cached with its slots)."""
    variant = "full" if _is_secretary(pact) else "public"

    def render() -> str:
        t = q.thread_page(pact, clause, page, None)
        return render_template(
            "pacts/_threads.html",
            pact=pact,
            clause=clause,
            t=t,
            slots=True,
            # Whoever happens to render the copy for everyone, it shows everyone's public name
            # (an author would otherwise see, and cache, their own full name).
            public_names=variant == "public",
            secretary_ids=ctx["secretary_ids"],
        )

    html = fragment(
        "threads", (pact.id, clause.id if clause else 0, page, pact.cache_rev, variant), render
    )
    return fill_slots(html, pact, ctx) if filled else html


def fill_slots(html: str, pact: Pact, ctx: dict) -> Markup:
    """Put the viewer's own parts into the slots of cached thread HTML."""
    if not current_user.is_authenticated:
        # An anonymous reader may do nothing with a comment: every slot is empty.
        return Markup(SLOT.sub("", html))  # noqa: S704 - our own cached render
    matches = list(SLOT.finditer(html))
    if not matches:
        return Markup(html)  # noqa: S704 - our own cached render
    now = utcnow()
    can_edit_now = pact.consultation_is_open(now)
    me = current_user.id  # once: each look-up through the proxy costs more than the slot
    slots = []
    for m in matches:
        kind, cid, author, clause, when = m.groups()
        editable = (
            kind == "a"
            and can_edit_now
            and int(author) == me
            and now - datetime.fromtimestamp(int(when), UTC).replace(tzinfo=None)
            <= COMMENT_EDIT_WINDOW
        )
        slots.append(Slot(kind, int(cid), int(author), int(clause) or None, editable))
    agreed = ctx["mine"].load().agreed
    rendered = _render_slots(slots, agreed, pact, ctx)
    parts = iter(rendered)
    return Markup(SLOT.sub(lambda _m: next(parts), html))  # noqa: S704 - our own renders


#: Stands for a comment's id while a kind of slot is rendered once (no real id is this long).
PLACEHOLDER_ID = 987_654_321_987_654_321


def _render_slots(slots: list[Slot], agreed: set[int], pact: Pact, ctx: dict) -> list[str]:
    """Each slot's HTML. A slot's HTML depends on its comment only through the comment's id,
    whether the viewer wrote it, may still edit it or has agreed with it; so each kind that
    occurs is rendered once with a placeholder id (one render for all of them), and the id is
    put in afterwards. A page of a hundred comments costs a handful of macro calls, not 200."""

    me = current_user.id

    def kind_of(s: Slot) -> tuple:
        own = s.author_id == me
        if s.kind == "a":
            return ("a", own, s.editable, s.id in agreed)
        return ("b", own, False, False)

    kinds = sorted({kind_of(s) for s in slots})
    other = -1 if me != -1 else -2  # an author who is not the viewer
    samples = [
        Slot(kind, PLACEHOLDER_ID + i, me if own else other, None, editable)
        for i, (kind, own, editable, _agreed) in enumerate(kinds)
    ]
    # What the samples render to depends on nothing of the viewer but these flags (their own
    # CSRF token is put in afterwards), so each set of kinds is rendered once per pact and flags.
    flags = tuple(
        bool(ctx[k]) for k in ("can_take_part", "can_answer", "is_resident", "can_moderate")
    )
    rendered = str(
        fragment_with_csrf(
            "comment-slots",
            (
                pact.id,
                flags,
                ";".join(
                    ",".join(str(int(v)) if isinstance(v, bool) else v for v in k) for k in kinds
                ),
            ),
            lambda: render_template(
                "pacts/_comment_slots.html",
                slots=samples,
                separator=SEPARATOR,
                pact=pact,
                agreed={s.id for s, k in zip(samples, kinds, strict=True) if k[3]},
                **ctx,
            ),
        )
    ).split(SEPARATOR)
    by_kind = {
        kind: (html, str(sample.id))
        for kind, sample, html in zip(kinds, samples, rendered, strict=False)
    }
    out = []
    for s in slots:
        html, placeholder = by_kind[kind_of(s)]
        out.append(html.replace(placeholder, str(s.id)))
    return out


def clause_list(pact: Pact, version: PactVersion, mine: Mine, *, filled: bool = True) -> Markup:
    """The pact page's summary and clause list: cached for all, the viewer's positions added."""
    is_open = pact.consultation_is_open()

    def render() -> str:
        figures = consensus(version, pact) if version.is_published else {}
        clauses = version.clauses
        return render_template(
            "pacts/_clauses.html",
            pact=pact,
            version=version,
            consensus=figures,
            comment_counts=q.comment_counts(version),
            amendment_counts=q.amendment_counts(version),
            broad=[c for c in clauses if figures.get(c.id) and figures[c.id].is_broad],
            divided=[c for c in clauses if figures.get(c.id) and figures[c.id].is_divided],
        )

    html = fragment("clauses", (pact.id, version.id, pact.cache_rev, is_open), render)
    return fill_positions(html, pact, version, mine) if filled else html


def fill_positions(html: str, pact: Pact, version: PactVersion, mine: Mine) -> Markup:
    """The viewer's own position on each clause, where the cached clause list left a slot."""
    latest = pact.latest_version
    takes_part = (
        latest is not None
        and version.id == latest.id
        and permissions.can_take_part(current_user, pact)
    )
    if not current_user.is_authenticated or not takes_part:
        return Markup(MINE.sub("", html))  # noqa: S704 - our own cached render
    positions = mine.load().positions
    lines = _position_lines(pact.id)
    placeholder = str(PLACEHOLDER_ID)

    def own(m: re.Match) -> str:
        return lines[positions.get(int(m.group(1)))].replace(placeholder, m.group(1))

    return Markup(MINE.sub(own, html))  # noqa: S704 - escaped by Markup.format


def _position_lines(pact_id: int) -> dict[str | None, str]:
    """One line per stance (and one for none), with a placeholder for the clause's id: 60
    clauses then cost 60 string replacements, not 60 url_for and Markup.format calls. They
    depend on the language, the app's root path and the pact alone: made once per process."""
    key = (str(get_locale()), request.script_root, pact_id)
    lines = _LINES.get(key)
    if lines is not None:
        return lines
    now_text = {s.value: _("You chose: %(stance)s.", stance=str(s.label)) for s in Stance}
    href = url_for("pacts.clause", pact_id=pact_id, clause_id=PLACEHOLDER_ID) + "#position"
    line = Markup('<p class="small position-now">{} <a href="{}">{}</a></p>')
    lines = {k: str(line.format(v, href, _("Change"))) for k, v in now_text.items()}
    lines[None] = str(line.format(_("Not chosen yet."), href, _("Take a position")))
    if len(_LINES) >= 4096:  # bounded: a few languages times the pacts in consultation
        _LINES.clear()
    _LINES[key] = lines
    return lines


#: `_position_lines` by language, root path and pact.
_LINES: dict[tuple[str, str, int], dict[str | None, str]] = {}


#: The query arguments the pact and clause pages read; a page asked with any other is not cached
#: (so made-up arguments cannot fill the cache with copies of one page).
PAGE_ARGS = frozenset({"page", "version", "part"})


def _page_parts(pact: Pact) -> tuple:
    """What a stored whole page (a visitor's, a resident's) depends on besides its reader: the
    pact's revision, its community's name (renamed without a pact revision), the clock only
    through the consultation window (open or not, the days left), the text size, htmx and the
    query asked."""
    now = utcnow()
    clock = (
        pact.consultation_is_open(now),
        pact.days_remaining(now),
        bool(pact.consultation_opens_at and pact.consultation_opens_at > now),
    )
    return (
        pact.cache_rev,
        hashlib.sha256(pact.community.name.encode()).hexdigest()[:8],
        clock,
        large_text(),
        bool(htmx),
        request.query_string.decode("utf-8", "replace"),
    )


def shared_by_residents(pact: Pact, ctx: dict) -> bool:
    """Whether this signed-in reader's pact page can be one copy shared with every reader of the
    same standing: not the community's secretary (`can_manage`: their page lists their work and
    full names), not a superseded pact (its successor's title has a revision of its own), nor a
    request that asks with arguments the page does not read."""
    return (
        current_user.is_authenticated
        and pact.is_public
        and pact.superseded_by_id is None
        and not (ctx["can_manage"] or ctx["can_moderate"] or ctx["can_answer"])
        and PAGE_ARGS.issuperset(request.args.keys())
    )


def for_resident(
    pact: Pact,
    version: PactVersion | None,
    ctx: dict,
    render,
    clause: Clause | None = None,
    own: tuple = (),
) -> object:
    """The pact page of a signed-in reader who is not its secretary: one copy for every reader of
    the same standing (resident or not, taking part or not, following or not, their count of
    unread notifications), stored under the pact's revision with its slots left in; each reader's
    own parts (their positions, their actions on each comment, their CSRF token) are put into
    the slots per request. `render` renders the page with the slots left in; a clause page's
    copy is also one per `own` (the reader's position on it, their endorsements and amendments
    on the pact: most readers have none, so most share one copy)."""
    from app.core.notifications import unread_count_once

    standing = (
        bool(ctx["is_resident"]),
        bool(ctx["can_take_part"]),
        bool(ctx["following"]),
        unread_count_once(current_user),
    )
    parts = (
        pact.id,
        version.id if version is not None else 0,
        clause.id if clause is not None else 0,
        *_page_parts(pact),
        standing,
        own,
    )
    html = page("resident-page", parts, render)
    if not isinstance(html, str):
        return html
    if version is not None:
        html = fill_positions(html, pact, version, ctx["mine"])
    return fill_slots(html, pact, ctx)


def for_visitor(pact_id: int, clause_id: int | None, render) -> object:
    """The pact or clause page of an anonymous visitor: one copy for every visitor, stored whole
    under the pact's revision, with only the CSRF token filled per request (app/core/fragments.py).

    A visitor may read any public pact, so the copy depends on nothing about them but their
    language and text size, and on the clock only through the consultation window (open or not,
    the days left). The one statement of a hit reads the pact and its community: a pact that
    does not exist or is a draft, and a superseded pact (it names its successor, whose title
    has a revision of its own), are rendered as before, and so is every page of a signed-in user.
    A clause that is not the pact's is never stored: only a page that rendered is."""
    if current_user.is_authenticated or not PAGE_ARGS.issuperset(request.args.keys()):
        return render()
    pact = q.pact_with_community(pact_id)
    if pact is None or not pact.is_public or pact.superseded_by_id is not None:
        return render()
    return page("visitor-page", (pact.id, clause_id or 0, *_page_parts(pact)), render)
