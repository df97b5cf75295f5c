"""The statuses and stances of pacts, their labels and the pact lifecycle's allowed moves."""

import enum

from flask_babel import lazy_gettext as _l


class PactStatus(enum.StrEnum):
    DRAFTING = "drafting"
    CONSULTATION = "consultation"
    REVISION = "revision"
    RATIFICATION = "ratification"
    ADOPTED = "adopted"
    SUPERSEDED = "superseded"
    REPEALED = "repealed"

    @property
    def label(self):
        return PACT_STATUS_LABELS[self]

    @property
    def badge_kind(self) -> str:
        return {
            "drafting": "neutral",
            "consultation": "info",
            "revision": "warn",
            "ratification": "info",
            "adopted": "ok",
            "superseded": "neutral",
            "repealed": "danger",
        }[self.value]


PACT_STATUS_LABELS = {
    PactStatus.DRAFTING: _l("Drafting"),
    PactStatus.CONSULTATION: _l("In consultation"),
    PactStatus.REVISION: _l("In revision"),
    PactStatus.RATIFICATION: _l("In ratification"),
    PactStatus.ADOPTED: _l("Adopted"),
    PactStatus.SUPERSEDED: _l("Replaced by a newer pact"),
    PactStatus.REPEALED: _l("Repealed"),
}

#: The lifecycle: status -> the statuses it may move to. Revision may go back to consultation
#: for another round; a rejected ratification goes back to revision.
TRANSITIONS: dict[PactStatus, frozenset[PactStatus]] = {
    PactStatus.DRAFTING: frozenset({PactStatus.CONSULTATION}),
    PactStatus.CONSULTATION: frozenset({PactStatus.REVISION}),
    PactStatus.REVISION: frozenset({PactStatus.CONSULTATION, PactStatus.RATIFICATION}),
    PactStatus.RATIFICATION: frozenset({PactStatus.ADOPTED, PactStatus.REVISION}),
    PactStatus.ADOPTED: frozenset({PactStatus.SUPERSEDED, PactStatus.REPEALED}),
    PactStatus.SUPERSEDED: frozenset(),
    PactStatus.REPEALED: frozenset(),
}


class Stance(enum.StrEnum):
    SUPPORT = "support"
    OPPOSE = "oppose"
    SUGGEST = "suggest"

    @property
    def label(self):
        return STANCE_LABELS[self]


STANCE_LABELS = {
    Stance.SUPPORT: _l("Support"),
    Stance.OPPOSE: _l("Oppose"),
    Stance.SUGGEST: _l("Suggest a change"),
}


class AmendmentStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self):
        return AMENDMENT_STATUS_LABELS[self]

    @property
    def badge_kind(self) -> str:
        return {"open": "info", "accepted": "ok", "rejected": "danger", "withdrawn": "neutral"}[
            self.value
        ]


AMENDMENT_STATUS_LABELS = {
    AmendmentStatus.OPEN: _l("Awaiting an answer"),
    AmendmentStatus.ACCEPTED: _l("Accepted"),
    AmendmentStatus.REJECTED: _l("Rejected"),
    AmendmentStatus.WITHDRAWN: _l("Withdrawn"),
}
