"""Limits that hold across processes and never lock the real user out."""

import pytest

from app import create_app
from app.accounts import ratelimit
from tests.conftest import PASSWORD, csrf_token, login

GOOD_KEY = "k" * 40


def test_production_refuses_to_start_with_per_process_limits(monkeypatch):
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        create_app({"APP_ENV": "production", "SECRET_KEY": GOOD_KEY, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "RATELIMIT_STORAGE_URI": "memory://"})
    app = create_app({"APP_ENV": "production", "SECRET_KEY": GOOD_KEY, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis://")


def from_address(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def flood(app, username: str, times: int = 10):
    for n in range(times):
        login(from_address(app, f"10.9.0.{n}"), username, "wrong-pass-1")


def test_a_known_device_logs_in_while_the_account_is_flooded(app, make_user):
    make_user(username="cadre01")
    own = from_address(app, "10.1.1.1")
    assert login(own, "cadre01").status_code == 302
    assert own.get_cookie(ratelimit.DEVICE_COOKIE) is not None
    own.post("/logout", data={"csrf_token": csrf_token(own, "/")})
    flood(app, "cadre01")
    # Strangers, even with the right password, wait; the user's own browser gets in.
    assert login(from_address(app, "10.2.2.2"), "cadre01").status_code == 429
    assert login(own, "cadre01").status_code == 302


def test_a_forged_or_foreign_device_cookie_counts_for_nothing(app, make_user):
    make_user(username="cadre01")
    make_user(username="cadre02")
    other = from_address(app, "10.1.1.2")
    assert login(other, "cadre02").status_code == 302  # a device of cadre02, not of cadre01
    other.post("/logout", data={"csrf_token": csrf_token(other, "/")})
    flood(app, "cadre01")
    assert login(other, "cadre01").status_code == 429
    forged = from_address(app, "10.1.1.3")
    forged.set_cookie(ratelimit.DEVICE_COOKIE, '["cadre01"]')
    assert login(forged, "cadre01").status_code == 429


def test_a_known_device_has_its_own_budget_per_account_and_address(app, make_user):
    make_user(username="cadre01")
    own = from_address(app, "10.1.1.4")
    login(own, "cadre01")
    own.post("/logout", data={"csrf_token": csrf_token(own, "/")})
    for _ in range(10):
        assert login(own, "cadre01", "wrong-pass-1").status_code == 200
    assert login(own, "cadre01").status_code == 429
    # ... which is not the account's: a stranger's budget is untouched by the device's failures.
    assert login(from_address(app, "10.2.2.3"), "cadre01").status_code == 302


def test_the_device_cookie_is_signed_http_only_and_lasts(app, make_user):
    make_user(username="cadre01")
    client = from_address(app, "10.1.1.5")
    response = login(client, "cadre01")
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("device="))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Max-Age=31536000" in header
    assert "cadre01" not in header.split(";")[0].split(".")[-1]  # signed, the name is not the signature


def test_the_csrf_token_changes_at_login(client, make_user):
    make_user(username="cadre01")
    before = csrf_token(client)
    assert client.post("/login", data={"username": "cadre01", "password": PASSWORD,
                                       "csrf_token": before}).status_code == 302
    after = csrf_token(client, "/")
    assert after != before
    # The token from before the login no longer posts anything.
    stale = client.post("/logout", data={"csrf_token": before})
    assert stale.status_code == 400
    assert client.post("/logout", data={"csrf_token": after}).status_code == 302
