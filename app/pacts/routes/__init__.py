"""Pact pages: thin views that load (404), check (403), call one operation, render or redirect.

Split by topic: `pages` (reading), `manage` (the secretary's drafting and lifecycle),
`comments` (positions, comments, moderation, following), `amendments`.
"""

import re

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


#: A clause's own leading number ("第三条", "第 12 条："), which its page's heading already shows.
_CLAUSE_LABEL = re.compile(r"^\s*第\s*[零〇一二两三四五六七八九十百千\d]+\s*条[\s：:、．.]*")


@bp.app_template_filter("clause_body")
def _clause_body(text: str | None) -> str:
    """The clause text without its leading "第N条", so a heading "第3条" is not doubled."""
    body = _CLAUSE_LABEL.sub("", text or "", count=1)
    return body if body.strip() else (text or "")
