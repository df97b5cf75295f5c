"""What the projects domain asks of, or tells, the domains above it (votes, suggestions).

Projects import no higher domain. A domain above connects its receivers in its `init_app`;
each signal's sender and what a receiver returns is written beside it.
"""

from dataclasses import dataclass

from blinker import Namespace

_signals = Namespace()

#: Sender: a Project. A receiver returns True when it holds the project fast (an open or
#: uncertified vote shows it to voters, so its title and cost may not change).
project_held = _signals.signal("project-held")

#: Sender: a Project. A receiver returns a list of `ProjectLink`s shown on the project's page
#: (for example the votes it was put to).
project_links = _signals.signal("project-links")

#: Sender: a Community. A receiver returns a list of `CandidateSource`s: things residents
#: proposed that a secretary may turn into a project (suggestions marked as candidates).
candidate_sources = _signals.signal("project-candidate-sources")

#: Sender: a Project, after its status changed; keyword `previous` (the old ProjectStatus).
project_advanced = _signals.signal("project-advanced")


@dataclass(frozen=True)
class ProjectLink:
    """A line on a project's page that another domain contributes."""

    text: str
    link: str
    badge: str = ""
    heading: str = ""


@dataclass(frozen=True)
class CandidateSource:
    """A proposal (a suggestion) that can become a project; `source_id` is its suggestion id."""

    source_id: int
    number: str
    title: str
    description: str = ""
    cost: int = 0


def answers(signal, sender) -> list:
    """Every receiver's answer to `signal` from `sender`, flattened when they return lists."""
    found: list = []
    for _receiver, value in signal.send(sender):
        if isinstance(value, list | tuple):
            found.extend(value)
        elif value is not None:
            found.append(value)
    return found
