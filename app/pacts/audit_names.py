"""The pact actions and objects as the audit log names them (core/audit_names.py)."""

from flask_babel import lazy_gettext as _l

from app.core.audit_names import AuditKind, ObjectNamer, link_to
from app.pacts.models import Amendment, Clause, Comment, Pact, PactVersion


def _clause_link(clause: Clause | None, pact_id: int) -> str:
    if clause is None:
        return link_to("pacts.show", pact_id=pact_id)
    return link_to("pacts.clause", pact_id=pact_id, clause_id=clause.id)


def audit_kind() -> AuditKind:
    """Pacts: drafting, consultation, discussion, amendments, adoption."""
    return AuditKind(
        "pacts",
        _l("Pacts"),
        ("pact.",),
        {
            "pact.create": _l("Created a pact"),
            "pact.clause_add": _l("Added a clause"),
            "pact.clause_edit": _l("Edited a clause"),
            "pact.clause_move": _l("Moved a clause"),
            "pact.clause_remove": _l("Removed a clause"),
            "pact.consultation_open": _l("Opened the consultation"),
            "pact.consultation_close": _l("Closed the consultation"),
            "pact.revision_start": _l("Started a revision"),
            "pact.draft_discard": _l("Discarded a draft"),
            "pact.version_publish": _l("Published a version"),
            "pact.ratification_begin": _l("Sent the pact to ratification"),
            "pact.ratification_reject": _l("Ratification rejected"),
            "pact.adopt": _l("Adopted the pact"),
            "pact.supersede": _l("The pact was superseded"),
            "pact.repeal": _l("Repealed the pact"),
            "pact.follow": _l("Followed a pact"),
            "pact.unfollow": _l("Stopped following a pact"),
            "pact.position": _l("Took a position on a clause"),
            "pact.comment": _l("Commented"),
            "pact.comment_edit": _l("Edited a comment"),
            "pact.comment_withdraw": _l("Withdrew a comment"),
            "pact.comment_agree": _l("Agreed with a comment"),
            "pact.comment_report": _l("Reported a comment"),
            "pact.comment_hide": _l("Hid a comment"),
            "pact.report_dismiss": _l("Dismissed a report"),
            "pact.amendment_propose": _l("Proposed an amendment"),
            "pact.amendment_endorse": _l("Endorsed an amendment"),
            "pact.amendment_withdraw": _l("Withdrew an amendment"),
            "pact.amendment_accept": _l("Accepted an amendment"),
            "pact.amendment_reject": _l("Rejected an amendment"),
        },
        {
            "pacts": ObjectNamer(
                Pact, _l("Pact"), lambda p: p.title, lambda p: link_to("pacts.show", pact_id=p.id)
            ),
            "pact_versions": ObjectNamer(
                PactVersion,
                _l("Pact version"),
                lambda v: str(_l("%(title)s, version %(n)d", title=v.pact.title, n=v.number)),
                lambda v: link_to("pacts.show", pact_id=v.pact_id, version=v.number),
            ),
            "clauses": ObjectNamer(
                Clause,
                _l("Clause"),
                lambda c: f"{c.version.pact.title} · {str(_l('Clause %(n)d', n=c.position))}",
                lambda c: _clause_link(c, c.version.pact_id),
            ),
            "pact_comments": ObjectNamer(
                Comment,
                _l("Comment"),
                lambda c: str(_l("A comment on %(title)s", title=c.pact.title)),
                lambda c: _clause_link(c.clause, c.pact_id) + f"#comment-{c.id}",
            ),
            "pact_amendments": ObjectNamer(
                Amendment,
                _l("Amendment"),
                lambda a: str(_l("An amendment to %(title)s", title=a.pact.title)),
                lambda a: _clause_link(a.clause, a.pact_id),
            ),
        },
    )
