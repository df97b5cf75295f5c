"""Pact pages: thin views that load (404), check (403), call one operation, render or redirect.

Split by topic: `pages` (reading), `manage` (the secretary's drafting and lifecycle),
`comments` (positions, comments, moderation, following), `amendments`.
"""

from markupsafe import Markup, escape

from app.core.time import utcnow
from app.pacts import bp
from app.pacts.routes import amendments, comments, manage, pages, ratification

__all__ = ["amendments", "comments", "manage", "pages", "ratification"]


@bp.context_processor
def _pact_template_globals():
    return {"now": utcnow()}


@bp.app_template_filter("pact_lines")
def _pact_lines(text: str | None) -> Markup:
    """Clause text with its line breaks kept: escaped, then joined with <br>."""
    return Markup("<br>\n").join(escape(line) for line in (text or "").split("\n"))
