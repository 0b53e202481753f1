"""Login rate limits: failures counted per account and per address, in Flask-Limiter's
storage (memory, or Redis shared by every process).

Each login attempt first takes a slot in both budgets with one atomic increment, and gives
it back when the password turns out right. Counting before the check, rather than after a
failure, keeps a burst of simultaneous wrong guesses from slipping past the limit: at most
N failures a minute get through, however many arrive at once. The web form and the API
token endpoint draw on the same two budgets.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, g, request
from flask_limiter.util import get_remote_address

from app.extensions import limiter

WINDOW_S = 60
ADDRESS_SCOPE = "login-address"
ACCOUNT_SCOPE = "login-account"


def _attempted_username() -> str:
    if request.is_json:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    else:
        name = request.form.get("username")
    return str(name).strip().lower() if name else ""


def _keys() -> list[str]:
    return [f"{ADDRESS_SCOPE}/{get_remote_address()}", f"{ACCOUNT_SCOPE}/{_attempted_username()}"]


def _give_back(storage, keys: list[str]) -> None:
    for key in keys:
        storage.incr(key, WINDOW_S, amount=-1)


def login_limits(view):
    """Decorate a login view: at most N failed POSTs a minute per address and per account."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if request.method != "POST" or not current_app.config.get("RATELIMIT_ENABLED", True):
            return view(*args, **kwargs)
        storage, limit, keys = limiter.storage, current_app.config["LOGIN_FAILURES_PER_MINUTE"], _keys()
        counts = [storage.incr(key, WINDOW_S) for key in keys]
        if any(count > limit for count in counts):
            _give_back(storage, keys)  # a refused attempt is no failure
            abort(429)
        try:
            response = view(*args, **kwargs)
        except Exception:
            _give_back(storage, keys)
            raise
        if not g.get("login_failed"):
            _give_back(storage, keys)  # a correct password never uses up a slot
        return response

    return guarded
