"""Registration, log-in and log-out, and the language and text size a visitor chose."""

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_user, logout_user

from app.accounts import bp
from app.accounts.forms import LoginForm, RegisterForm
from app.accounts.operations import log_in, register_user, set_preferences
from app.accounts.queries import user_by_identifier
from app.accounts.throttle import account_key, account_limit, failed, tell_owner_of_lockout
from app.core.i18n import LANG_COOKIE, TEXT_COOKIE, select_locale
from app.core.web import safe_next
from app.extensions import limiter

ONE_YEAR = 365 * 24 * 3600


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create an account with explicit consent to the privacy notice."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        user = register_user(
            form.display_name.data,
            form.password.data,
            phone=form.phone.data,
            email=form.email.data,
            locale=select_locale(),
        )
        login_user(user)
        flash(_("Welcome! Your account is ready. Now join your household."), "success")
        return redirect(url_for("accounts.join"), 303)
    return render_template("accounts/register.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
# Only failed attempts count: a community centre's residents often share one address.
@limiter.limit(_login_limit, methods=["POST"], deduct_when=failed)
# ... and per account, from any address (accounts/throttle.py); its owner is told of a lock-out.
@limiter.limit(
    account_limit,
    key_func=account_key,
    methods=["POST"],
    deduct_when=failed,
    on_breach=tell_owner_of_lockout,
)
def login():
    """Log in with phone or e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = user_by_identifier(form.identifier.data)
        if user is None or not user.is_active or not user.check_password(form.password.data):
            form.password.errors.append(_("The phone/e-mail or the password is wrong."))
            return render_template("accounts/login.html", form=form), 400
        login_user(user, remember=form.remember.data)
        log_in(user)
        # The form was read in the visitor's language; the flash speaks the user's own.
        refresh()
        flash(_("You are logged in."), "success")
        return redirect(safe_next(form.next.data, url_for("core.home")), 303)
    return render_template("accounts/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
def logout():
    """Log out."""
    logout_user()
    refresh()
    flash(_("You are logged out."), "success")
    return redirect(url_for("core.home"), 303)


def _back(cookie: str, value: str):
    response = make_response(
        redirect(safe_next(request.form.get("next"), url_for("core.home")), 303)
    )
    response.set_cookie(
        cookie,
        value,
        max_age=ONE_YEAR,
        samesite="Lax",
        httponly=True,
        # Like the session and remember cookies: HTTPS only in production.
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
    )
    return response


@bp.post("/language")
def set_language():
    """Switch the interface language; the choice sticks in a cookie and on the account."""
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        flash(_("That language is not available."), "error")
        return redirect(url_for("core.home"), 303)
    if current_user.is_authenticated:
        set_preferences(current_user, locale=lang)
    return _back(LANG_COOKIE, lang)


@bp.post("/text-size")
def set_text_size():
    """Turn the large-text mode for elderly readers on or off; the choice sticks."""
    large = request.form.get("size") == "large"
    if current_user.is_authenticated:
        set_preferences(current_user, large_text=large)
    return _back(TEXT_COOKIE, "large" if large else "normal")
