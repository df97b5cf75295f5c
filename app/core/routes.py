"""Shared pages: home, language and text size, notifications, audit log, privacy notice."""

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.accounts.operations import set_preferences
from app.accounts.permissions import require
from app.core import bp
from app.core.audit import AuditEntry
from app.core.home import sections_for
from app.core.i18n import LANG_COOKIE, TEXT_COOKIE
from app.core.notifications import Notification, mark_read
from app.core.web import safe_next
from app.extensions import db, htmx
from app.org.models import Community

ONE_YEAR = 365 * 24 * 3600


@bp.route("/")
def home():
    """Home page: what needs this user's attention, or an introduction for visitors."""
    from app.accounts.queries import home_context

    context = home_context(current_user) if current_user.is_authenticated else {}
    communities = db.session.scalars(select(Community).order_by(Community.name)).all()
    sections = sections_for(current_user) if current_user.is_authenticated else []
    return render_template("core/home.html", communities=communities, sections=sections, **context)


@bp.post("/language")
def set_language():
    """Switch the interface language; the choice sticks in a cookie and on the account."""
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        flash(_("That language is not available."), "error")
        return redirect(url_for("core.home"), 303)
    if current_user.is_authenticated:
        set_preferences(current_user, locale=lang)
        db.session.commit()
    response = make_response(
        redirect(safe_next(request.form.get("next"), url_for("core.home")), 303)
    )
    response.set_cookie(LANG_COOKIE, lang, max_age=ONE_YEAR, samesite="Lax", httponly=True)
    return response


@bp.post("/text-size")
def set_text_size():
    """Turn the large-text mode for elderly readers on or off; the choice sticks."""
    large = request.form.get("size") == "large"
    if current_user.is_authenticated:
        set_preferences(current_user, large_text=large)
        db.session.commit()
    response = make_response(
        redirect(safe_next(request.form.get("next"), url_for("core.home")), 303)
    )
    response.set_cookie(
        TEXT_COOKIE, "large" if large else "normal", max_age=ONE_YEAR, samesite="Lax", httponly=True
    )
    return response


@bp.route("/notifications")
@login_required
def notifications():
    """The current user's notifications, newest first."""
    page = db.paginate(
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        per_page=30,
    )
    return render_template("core/notifications.html", page=page)


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read_notification(notification_id: int):
    """Mark one notification as read and follow its link."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    mark_read(current_user, notification_id)
    db.session.commit()
    if htmx:
        return render_template("core/_notification.html", n=notification)
    return redirect(safe_next(notification.link, url_for("core.notifications")), 303)


@bp.post("/notifications/read-all")
@login_required
def read_all_notifications():
    """Mark every notification as read."""
    count = mark_read(current_user)
    db.session.commit()
    flash(_("%(num)d notifications marked as read.", num=count), "success")
    return redirect(url_for("core.notifications"), 303)


@bp.route("/communities/<int:community_id>/audit")
@login_required
def audit_log(community_id: int):
    """A community's audit log, for its secretary and for admins; filterable by action."""
    community = db.get_or_404(Community, community_id)
    require("audit.read", community)
    stmt = select(AuditEntry).where(AuditEntry.community_id == community.id)
    action = request.args.get("action", "").strip()
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action))
    page = db.paginate(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()), per_page=50)
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.community_id == community.id)
        .distinct()
        .order_by(AuditEntry.action)
    ).all()
    return render_template(
        "core/audit.html", community=community, page=page, action=action, actions=actions
    )


@bp.route("/audit")
@login_required
def audit_all():
    """Every audit entry, for admins."""
    from app.accounts.permissions import require_admin

    require_admin()
    stmt = select(AuditEntry)
    action = request.args.get("action", "").strip()
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action))
    page = db.paginate(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()), per_page=50)
    return render_template("core/audit.html", community=None, page=page, action=action, actions=[])


@bp.route("/privacy")
def privacy():
    """The privacy notice residents consent to."""
    return render_template(
        "core/privacy.html", version=current_app.config["PRIVACY_NOTICE_VERSION"]
    )


@bp.route("/about")
def about():
    """What Yishiting is."""
    return render_template("core/about.html")


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.route("/healthz")
def healthz():
    """Liveness probe for the load balancer: the database answers."""
    db.session.execute(select(1))
    return {"status": "ok"}
