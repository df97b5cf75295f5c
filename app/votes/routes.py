"""Vote pages (placeholder until the Votes issue lands)."""

from flask import render_template

from app.extensions import db
from app.org.models import Community
from app.votes import bp


@bp.route("/community/<int:community_id>")
def community_index(community_id: int):
    """The community's votes and projects."""
    community = db.get_or_404(Community, community_id)
    return render_template("votes/placeholder.html", community=community)
