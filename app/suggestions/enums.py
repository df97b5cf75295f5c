"""The suggestions domain's enumerations: statuses and their moves, sources, ratings, visit outcomes."""

import enum

from flask_babel import lazy_gettext as _l


class SuggestionStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    ANSWERED = "answered"
    REOPENED = "reopened"
    CLOSED = "closed"
    DECLINED = "declined"

    @property
    def label(self):
        return SUGGESTION_STATUS_LABELS[self]

    @property
    def badge(self) -> str:
        return {
            "submitted": "info",
            "accepted": "warn",
            "answered": "ok",
            "reopened": "warn",
            "closed": "neutral",
            "declined": "danger",
        }[self.value]


SUGGESTION_STATUS_LABELS = {
    SuggestionStatus.SUBMITTED: _l("Submitted"),
    SuggestionStatus.ACCEPTED: _l("Accepted, awaiting answer"),
    SuggestionStatus.ANSWERED: _l("Answered"),
    SuggestionStatus.REOPENED: _l("Reopened"),
    SuggestionStatus.CLOSED: _l("Closed"),
    SuggestionStatus.DECLINED: _l("Declined"),
}

#: Status → the statuses it may move to.
TRANSITIONS: dict[SuggestionStatus, frozenset[SuggestionStatus]] = {
    SuggestionStatus.SUBMITTED: frozenset({SuggestionStatus.ACCEPTED, SuggestionStatus.DECLINED}),
    SuggestionStatus.ACCEPTED: frozenset({SuggestionStatus.ANSWERED, SuggestionStatus.DECLINED}),
    SuggestionStatus.ANSWERED: frozenset({SuggestionStatus.CLOSED, SuggestionStatus.REOPENED}),
    SuggestionStatus.REOPENED: frozenset({SuggestionStatus.ANSWERED}),
    SuggestionStatus.CLOSED: frozenset(),
    SuggestionStatus.DECLINED: frozenset(),
}

#: Statuses in which the responsible body owes an answer.
AWAITING_ANSWER = (SuggestionStatus.ACCEPTED, SuggestionStatus.REOPENED)


class SuggestionSource(enum.StrEnum):
    ONLINE = "online"
    SESSION = "session"
    RECEPTION = "reception"
    MINUTES = "minutes"

    @property
    def label(self):
        return {
            "online": _l("Submitted online"),
            "session": _l("Recorded at a session"),
            "reception": _l("Recorded at a deputy reception"),
            "minutes": _l("Drawn from a session's minutes"),
        }[self.value]


class Rating(enum.StrEnum):
    SATISFIED = "satisfied"  # 满意
    FAIRLY_SATISFIED = "fairly_satisfied"  # 基本满意
    UNSATISFIED = "unsatisfied"  # 不满意

    @property
    def label(self):
        return {
            "satisfied": _l("Satisfied"),
            "fairly_satisfied": _l("Fairly satisfied"),
            "unsatisfied": _l("Unsatisfied"),
        }[self.value]

    @property
    def badge(self) -> str:
        return {"satisfied": "ok", "fairly_satisfied": "info", "unsatisfied": "danger"}[self.value]


class VisitOutcome(enum.StrEnum):
    """What a return visit (回访) by phone or in person found."""

    SATISFIED = "satisfied"
    UNSATISFIED = "unsatisfied"
    UNREACHABLE = "unreachable"

    @property
    def label(self):
        return {
            "satisfied": _l("Satisfied"),
            "unsatisfied": _l("Not satisfied"),
            "unreachable": _l("Could not be reached"),
        }[self.value]

    @property
    def badge(self) -> str:
        return {"satisfied": "ok", "unsatisfied": "danger", "unreachable": "neutral"}[self.value]
