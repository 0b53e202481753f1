"""Who is asking: session and bearer-token login, and the must-change-password rule."""

from __future__ import annotations

from flask import Flask, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin, current_user

from app.accounts import services, tokens
from app.accounts.models import ORG_KINDS, ROLES
from app.extensions import login_manager
from app.timeutil import utcnow
from app.web import HTTP_ERROR_MESSAGES, error_response, wants_json

# What a user who must change their password may still reach: the change itself, leaving,
# and in the API handing back a token and reading the API's description.
PASSWORD_CHANGE_EXEMPT = {"accounts.change_password", "accounts.logout", "accounts.set_locale",
                          "static", "favicon", "api.delete_token", "api.openapi"}


class AnonymousUser(AnonymousUserMixin):
    """Nobody logged in: holds no role (so role checks simply say no)."""

    roles: tuple[str, ...] = ()

    def has_role(self, *roles: str) -> bool:
        return False


def password_change_required():
    """The API's 403 for a user who must set a new password on the web first."""
    return error_response(403, "password_change_required",
                          _("Change your password by logging in on the web first."))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.anonymous_user = AnonymousUser
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str):
        return services.load_session_user(session_id)

    @login_manager.request_loader
    def load_user_from_token(req):
        # Bearer tokens authenticate the JSON API only, never pages.
        if not req.path.startswith("/api/"):
            return None
        header = req.headers.get("Authorization", "")
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            return None
        token = tokens.resolve(raw.strip(), now=utcnow())
        if token is None:
            return None
        g.api_token = token
        return token.user

    @login_manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            return error_response(401, "unauthorized", HTTP_ERROR_MESSAGES[401])
        flash(login_manager.login_message, "warning")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))

    @app.before_request
    def force_password_change():
        """Pages send a user who must set a new password to the form; the API, whether called
        with a bearer token or a browser session, answers 403 password_change_required."""
        if (current_user.is_authenticated and current_user.must_change_password
                and request.endpoint not in PASSWORD_CHANGE_EXEMPT):
            if wants_json():
                return password_change_required()
            flash(_("Please set a new password before you continue."), "warning")
            return redirect(url_for("accounts.change_password"))
        return None

    @app.context_processor
    def account_globals():
        return {"ROLES": ROLES, "ORG_KINDS": ORG_KINDS}
