"""Writing a pact: creating it and editing the clauses of its unpublished draft."""

from flask_babel import lazy_gettext as _
from sqlalchemy import func, select

from app.core import audit
from app.extensions import db
from app.pacts.errors import PactConflict
from app.pacts.models import CLAUSE_MAX, Clause, Pact, PactVersion
from app.pacts.operations.common import (
    TITLE_MAX,
    add_follow,
    check_text,
    require_manage,
    require_own_clause,
)


def create_pact(
    community, title: str, clause_texts: list[str], summary: str = "", actor=None
) -> Pact:
    """Start a pact in drafting, with its first (unpublished) version holding `clause_texts`."""
    require_manage(community.id, actor)
    title = check_text(title, TITLE_MAX, _("The title"))
    texts = [t.strip() for t in clause_texts if t and t.strip()]
    for t in texts:
        check_text(t, CLAUSE_MAX, _("A clause"))
    pact = Pact(
        community_id=community.id,
        title=title,
        summary=(summary or "").strip(),
        created_by_id=actor.id,
    )
    db.session.add(pact)
    db.session.flush()
    version = PactVersion(pact_id=pact.id, number=1)
    db.session.add(version)
    db.session.flush()
    for i, text in enumerate(texts, start=1):
        db.session.add(Clause(version_id=version.id, position=i, lineage=i, text=text))
    db.session.flush()
    db.session.refresh(pact)
    audit.record(
        "pact.create", pact, community=community, detail=f"{len(texts)} clauses", actor=actor
    )
    add_follow(pact, actor)
    return pact


def _editable_version(pact: Pact) -> PactVersion:
    draft = pact.draft_version
    if draft is None or not pact.is_editable:
        raise PactConflict(_("Clauses can only be changed in a draft, before it is published."))
    return draft


def _draft_clause(pact: Pact, clause: Clause, actor) -> PactVersion:
    """The draft that holds `clause`, after checking the actor and that the clause is the draft's."""
    require_manage(pact, actor)
    version = _editable_version(pact)
    require_own_clause(pact, clause)
    if clause.version_id != version.id:
        raise PactConflict(
            _("Only the draft's clauses can be changed; published versions never change.")
        )
    return version


def _renumber(version: PactVersion) -> None:
    for i, clause in enumerate(sorted(version.clauses, key=lambda c: c.position), start=1):
        clause.position = i
    db.session.flush()
    # The relationship keeps its load order; reload it so it follows the new positions.
    db.session.expire(version, ["clauses"])


def _next_lineage(pact: Pact) -> int:
    current = db.session.scalar(
        select(func.max(Clause.lineage)).join(PactVersion).where(PactVersion.pact_id == pact.id)
    )
    return (current or 0) + 1


def add_clause(pact: Pact, text: str, after: int | None = None, actor=None) -> Clause:
    """Add a clause to the draft after position `after` (at the end by default)."""
    require_manage(pact, actor)
    version = _editable_version(pact)
    text = check_text(text, CLAUSE_MAX, _("A clause"))
    clauses = sorted(version.clauses, key=lambda c: c.position)
    if after is None or after >= len(clauses):
        after = len(clauses)
    # Positions above must shift; do it in two steps so no intermediate state clashes.
    for c in clauses:
        if c.position > after:
            c.position += 1
    clause = Clause(
        version_id=version.id, position=after + 1, lineage=_next_lineage(pact), text=text
    )
    db.session.add(clause)
    db.session.flush()
    db.session.refresh(version)
    _renumber(version)
    audit.record(
        "pact.clause_add",
        pact,
        community=pact.community_id,
        detail=f"clause {clause.position}",
        actor=actor,
    )
    return clause


def edit_clause(pact: Pact, clause: Clause, text: str, actor=None) -> Clause:
    """Change the text of one of the draft's clauses."""
    _draft_clause(pact, clause, actor)
    clause.text = check_text(text, CLAUSE_MAX, _("A clause"))
    db.session.flush()
    audit.record(
        "pact.clause_edit",
        pact,
        community=pact.community_id,
        detail=f"clause {clause.position}",
        actor=actor,
    )
    return clause


def move_clause(pact: Pact, clause: Clause, delta: int, actor=None) -> None:
    """Move a draft clause up (delta -1) or down (+1)."""
    version = _draft_clause(pact, clause, actor)
    clauses = sorted(version.clauses, key=lambda c: c.position)
    i = clauses.index(clause)
    j = i + (1 if delta > 0 else -1)
    if not 0 <= j < len(clauses):
        return
    clauses[i], clauses[j] = clauses[j], clauses[i]
    for n, c in enumerate(clauses, start=1):
        c.position = n
    db.session.flush()
    db.session.expire(version, ["clauses"])
    audit.record(
        "pact.clause_move",
        pact,
        community=pact.community_id,
        detail=f"clause {i + 1} -> {j + 1}",
        actor=actor,
    )


def remove_clause(pact: Pact, clause: Clause, actor=None) -> None:
    """Remove a clause from the draft; the others close up."""
    version = _draft_clause(pact, clause, actor)
    position = clause.position
    version.clauses.remove(clause)
    db.session.flush()
    _renumber(version)
    audit.record(
        "pact.clause_remove",
        pact,
        community=pact.community_id,
        detail=f"clause {position}",
        actor=actor,
    )
