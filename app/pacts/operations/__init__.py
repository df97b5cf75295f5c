"""Every write in the pacts domain: verb_noun functions that check, change, audit and notify.

Each operation takes the acting user and checks the permission itself (permissions.py), so no
caller can skip it; status changes go through the models' transition methods. Operations
flush; the request lifecycle (or the CLI, or the demo loader) commits once. A refusal is a
`PactError` (a `DomainError`), rendered by the one handler in core/errors.py.
"""

from app.pacts.errors import PactConflict, PactError, PactInvalid, PactNotAllowed
from app.pacts.operations.amendments import (
    decide_amendment,
    endorse_amendment,
    propose_amendment,
    withdraw_amendment,
)
from app.pacts.operations.common import (
    REASON_MAX,
    TITLE_MAX,
    amendment_link,
    comment_link,
    follow_pact,
    pact_link,
    unfollow_pact,
)
from app.pacts.operations.discussion import (
    agree_comment,
    dismiss_reports,
    edit_comment,
    hide_comment,
    post_comment,
    report_comment,
    set_position,
    withdraw_comment,
)
from app.pacts.operations.drafting import (
    add_clause,
    create_pact,
    edit_clause,
    move_clause,
    remove_clause,
)
from app.pacts.operations.lifecycle import (
    begin_ratification,
    close_consultation,
    close_due_consultations,
    conclude_ratification,
    discard_draft,
    open_consultation,
    publish_version,
    repeal_pact,
    start_revision,
)
from app.pacts.operations.ratification import send_to_ratification

__all__ = [
    "REASON_MAX",
    "TITLE_MAX",
    "PactConflict",
    "PactError",
    "PactInvalid",
    "PactNotAllowed",
    "add_clause",
    "agree_comment",
    "amendment_link",
    "begin_ratification",
    "close_consultation",
    "close_due_consultations",
    "comment_link",
    "conclude_ratification",
    "create_pact",
    "decide_amendment",
    "discard_draft",
    "dismiss_reports",
    "edit_clause",
    "edit_comment",
    "endorse_amendment",
    "follow_pact",
    "hide_comment",
    "move_clause",
    "open_consultation",
    "pact_link",
    "post_comment",
    "propose_amendment",
    "publish_version",
    "remove_clause",
    "repeal_pact",
    "report_comment",
    "send_to_ratification",
    "set_position",
    "start_revision",
    "unfollow_pact",
    "withdraw_amendment",
    "withdraw_comment",
]
