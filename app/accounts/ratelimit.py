"""Login rate limits: failures counted per account and per address (Flask-Limiter)."""

from __future__ import annotations

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from app.extensions import limiter


def _failure_limit() -> str:
    return f"{current_app.config['LOGIN_FAILURES_PER_MINUTE']}/minute"


def _attempted_username() -> str:
    if request.is_json:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    else:
        name = request.form.get("username")
    return "account:" + (str(name).strip().lower() if name else "")


def _failed(response) -> bool:
    # Only failed logins count; a correct password never locks anyone out.
    return bool(g.get("login_failed"))


# Shared scopes: the web form and the API token endpoint draw on the same two budgets, so an
# account or address gets N failures a minute in all, not N on each login route.
ADDRESS_SCOPE = "login-address"
ACCOUNT_SCOPE = "login-account"


def login_limits(view):
    """Decorate a login view: at most N failures a minute per address and per account,
    counted together over every view so decorated."""
    view = limiter.shared_limit(_failure_limit, scope=ADDRESS_SCOPE, key_func=get_remote_address,
                                deduct_when=_failed, methods=["POST"])(view)
    return limiter.shared_limit(_failure_limit, scope=ACCOUNT_SCOPE, key_func=_attempted_username,
                                deduct_when=_failed, methods=["POST"])(view)
