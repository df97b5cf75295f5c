"""Pact pages (placeholder until the Pacts issue lands)."""

from flask import render_template

from app.extensions import db
from app.org.models import Community
from app.pacts import bp


@bp.route("/community/<int:community_id>")
def community_index(community_id: int):
    """The community's pacts."""
    community = db.get_or_404(Community, community_id)
    return render_template("pacts/placeholder.html", community=community)
