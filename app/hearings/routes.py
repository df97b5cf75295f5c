"""Hearing and suggestion pages (placeholder until the Hearings issue lands)."""

from flask import render_template

from app.extensions import db
from app.hearings import bp
from app.org.models import Community


@bp.route("/community/<int:community_id>")
def community_index(community_id: int):
    """The community's sessions."""
    community = db.get_or_404(Community, community_id)
    return render_template("hearings/placeholder.html", community=community)


@bp.route("/community/<int:community_id>/suggestions")
def board(community_id: int):
    """The community's public suggestion board."""
    community = db.get_or_404(Community, community_id)
    return render_template("hearings/placeholder.html", community=community)
