"""The public board with per-body statistics, the guided submission form and the lookup."""

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from app.core import once
from app.core.errors import NotAllowed, on_refusal
from app.core.fragments import compact, remember_until
from app.extensions import db, limiter
from app.org.models import Building, Community
from app.suggestions import bp, permissions
from app.suggestions import operations as ops
from app.suggestions.forms import SuggestionForm
from app.suggestions.models import CATEGORY_GUIDE, Category, SuggestionStatus
from app.suggestions.queries import (
    board_query,
    bodies_serving,
    normalise_number,
    stats_by_body_until,
    suggestion_by_number,
    time_limits_of,
)


@bp.route("/community/<int:community_id>/suggestions")
def board(community_id: int):
    """The community's public suggestion board, filterable, with per-body statistics."""
    community = db.get_or_404(Community, community_id)
    status = request.args.get("status", "")
    status = status if status in {s.value for s in SuggestionStatus} else ""
    category = request.args.get("category", "")
    category = category if category in {c.value for c in Category} else ""
    body_id = request.args.get("body", type=int)
    overdue = request.args.get("overdue") == "1"
    filters = {
        "status": status,
        "category": category,
        "body": body_id or "",
        "overdue": "1" if overdue else "",
    }
    page_no = max(request.args.get("page", 1, type=int) or 1, 1)

    def render() -> tuple[str, datetime]:
        page = db.paginate(
            board_query(
                community.id, status=status, body_id=body_id, category=category, overdue=overdue
            ),
            page=page_no,
            per_page=25,
            error_out=False,
        )
        stats, stats_until = stats_by_body_until(community)
        html = render_template(
            "suggestions/_board_body.html",
            community=community,
            page=page,
            stats=stats,
            bodies=bodies_serving(community),
            statuses=list(SuggestionStatus),
            categories=list(Category),
            filters=filters,
            active_filters={k: v for k, v in filters.items() if v},
        )
        return compact(html), min([stats_until, *(s.age_ticks_at for s in page.items)])

    # The same for every reader: cached under the community's revision, which every write the
    # board shows replaces (hearings/freshness.py), until time alone changes it (a day count
    # ticks, a due date passes, a suggestion leaves the statistics' twelve months).
    body_html = remember_until(
        "board",
        (community.id, community.suggestions_rev, page_no, status, category, body_id or 0, overdue),
        render,
    )
    return render_template(
        "suggestions/board.html",
        community=community,
        body_html=Markup(body_html),  # noqa: S704 - our own rendered template
        can_submit=permissions.can_submit(current_user, community),
        is_secretary=permissions.can_triage(current_user, community),
    )


def _submission_key() -> str:
    return f"suggest:{current_user.get_id()}"


@bp.route("/community/<int:community_id>/suggestions/new", methods=["GET", "POST"])
@login_required
@limiter.limit("5 per minute;30 per day", key_func=_submission_key, methods=["POST"])
def new_suggestion(community_id: int):
    """A resident submits a suggestion; the guide says which body usually answers it and why."""
    community = db.get_or_404(Community, community_id)
    if not permissions.can_submit(current_user, community):
        raise NotAllowed()
    form = SuggestionForm(buildings=community.buildings)
    if request.method == "GET":
        household = current_user.household
        if household is not None and household.building.community_id == community.id:
            form.building.data = household.building_id
        chosen = request.args.get("category", "")
        if chosen in {c.value for c in Category}:
            form.category.data = chosen

    def render(status: int = 200):
        bodies = {b.kind: b for b in bodies_serving(community)}
        chosen = (
            Category(form.category.data)
            if form.category.data in {c.value for c in Category}
            else None
        )
        return render_template(
            "suggestions/suggestion_form.html",
            community=community,
            form=form,
            guide=CATEGORY_GUIDE,
            bodies=bodies,
            chosen=chosen,
            limits=time_limits_of(community.id),
        ), status

    if form.validate_on_submit():
        building = db.session.get(Building, form.building.data) if form.building.data else None
        if building is not None and building.community_id != community.id:
            form.building.errors.append(_("This building is in another community."))
        else:
            on_refusal(lambda: render()[0], form, "summary")

            def create() -> str:
                s = ops.submit_suggestion(
                    community_id=community.id,
                    category=Category(form.category.data),
                    summary=form.summary.data,
                    text=form.text.data or "",
                    building_id=building.id if building else None,
                    submitter=current_user,
                    actor=current_user,
                )
                return url_for("suggestions.suggestion", number=s.number)

            url = once.submit("suggestions.suggestion", current_user, form.once.data, create)
            number = url.rsplit("/", 1)[-1]  # a repeat answers with the first one's number
            flash(_("Thank you. Your tracking number is %(number)s.", number=number), "success")
            return redirect(url, 303)
    return render(400 if request.method == "POST" else 200)


@bp.route("/suggestions/lookup")
def lookup():
    """Look a suggestion up by its tracking number; anyone may, without an account."""
    raw = request.args.get("number", "")
    error = None
    if raw:
        number = normalise_number(raw)
        if number is None:
            error = _(
                "“%(number)s” is not a tracking number. It looks like S-2026-000123.",
                number=raw[:30],
            )
        else:
            s = suggestion_by_number(number)
            if s is not None:
                return redirect(url_for("suggestions.suggestion", number=s.number), 303)
            error = _("No suggestion has the number %(number)s.", number=number)
    status = 404 if error and normalise_number(raw) else (400 if error else 200)
    return render_template("suggestions/lookup.html", number=raw, error=error), status
