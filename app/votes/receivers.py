"""How votes answer the projects domain's questions (connected in `init_app`)."""

from flask import url_for
from flask_babel import gettext as _

from app.projects.models import Project
from app.projects.signals import ProjectLink
from app.votes import queries


def project_held(project: Project) -> bool:
    """An open or uncertified vote shows the project to voters: its title and cost stay."""
    return queries.project_on_a_live_ballot(project.id)


def project_links(project: Project) -> list[ProjectLink]:
    """The votes the project was put to, for its page."""
    return [
        ProjectLink(
            text=v.title,
            link=url_for("votes.vote_page", vote_id=v.id),
            badge=str(v.status.label),
            heading=_("Votes"),
        )
        for v in queries.votes_of_project(project.id)
    ]
