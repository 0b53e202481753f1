"""Login rate limits: failures counted per account and per address, in Flask-Limiter's
storage (Redis shared by every process; in-memory only outside production, where
create_app refuses to start without a shared store).

Each login attempt first takes a slot in both budgets with one atomic increment, and gives
it back when the password turns out right. Counting before the check, rather than after a
failure, keeps a burst of simultaneous wrong guesses from slipping past the limit: at most
N failures a minute get through, however many arrive at once. The web form and the API
token endpoint draw on the same two budgets.

The per-account budget must not let anyone lock the real user out (OWASP): a successful
login leaves a signed device cookie naming the account, and an attempt that carries it is
counted per (account, address) instead of on the account's budget, so a flood of guesses
from elsewhere does not shut the user's own browser out.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, g, make_response, request
from flask_limiter.util import get_remote_address
from flask_login import user_logged_in
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.extensions import limiter

WINDOW_S = 60
ADDRESS_SCOPE = "login-address"
ACCOUNT_SCOPE = "login-account"
DEVICE_SCOPE = "login-account-address"
DEVICE_COOKIE = "device"
DEVICE_MAX_AGE_S = 365 * 24 * 3600
DEVICE_ACCOUNTS = 5  # a shared office computer remembers this many accounts


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="login-device")


def known_accounts() -> list[str]:
    """The accounts this browser logged into before (from its signed device cookie)."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        names = _devices().loads(raw, max_age=DEVICE_MAX_AGE_S)
    except BadSignature:
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def _remember_device(response, username: str):
    names = [username] + [n for n in known_accounts() if n != username]
    response = make_response(response)
    response.set_cookie(DEVICE_COOKIE, _devices().dumps(names[:DEVICE_ACCOUNTS]), max_age=DEVICE_MAX_AGE_S,
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False), httponly=True,
                        samesite="Lax")
    return response


@user_logged_in.connect
def _logged_in(_app, user, **_extra):
    g.logged_in_username = user.username.lower()


def _attempted_username() -> str:
    if request.is_json:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    else:
        name = request.form.get("username")
    return str(name).strip().lower() if name else ""


def _keys() -> list[str]:
    address, username = get_remote_address(), _attempted_username()
    if username and username in known_accounts():
        account = f"{DEVICE_SCOPE}/{username}/{address}"  # a known device: its own budget
    else:
        account = f"{ACCOUNT_SCOPE}/{username}"
    return [f"{ADDRESS_SCOPE}/{address}", account]


def _give_back(storage, keys: list[str], window: int = WINDOW_S) -> None:
    for key in keys:
        storage.incr(key, window, amount=-1)


def take(key: str, limit: int, window: int) -> bool:
    """Take one of `limit` slots of `key` for `window` seconds; False (and nothing taken)
    when none is left. Taken before the check it guards, so simultaneous tries cannot all
    slip through; `give_back` when the try turns out right."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    if limiter.storage.incr(key, window) > limit:
        _give_back(limiter.storage, [key], window)
        return False
    return True


def give_back(key: str, window: int) -> None:
    """Return the slot `take` took."""
    if current_app.config.get("RATELIMIT_ENABLED", True):
        _give_back(limiter.storage, [key], window)


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
        if g.get("logged_in_username"):
            response = _remember_device(response, g.logged_in_username)
        return response

    return guarded
