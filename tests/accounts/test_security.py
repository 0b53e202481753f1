import io

import pytest
import sqlalchemy as sa

from app import create_app
from app.accounts.models import Post
from tests.conftest import PASSWORD, all_at_once, api_token, csrf_token, login


def test_tenth_failure_then_429_for_the_same_account(client, make_user):
    make_user(username="cadre01")
    for _ in range(10):
        assert login(client, "cadre01", "wrong-pass-1").status_code == 200
    blocked = login(client, "cadre01", PASSWORD)
    assert blocked.status_code == 429
    assert "失败次数过多" in blocked.get_data(as_text=True)


def test_account_limit_holds_across_addresses(app, make_user):
    make_user(username="cadre01")
    for n in range(10):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{n}"
        login(client, "cadre01", "wrong-pass-1")
    fresh = app.test_client()
    fresh.environ_base["REMOTE_ADDR"] = "10.0.1.1"
    assert login(fresh, "cadre01", PASSWORD).status_code == 429


def test_address_limit_holds_across_accounts(client, make_user):
    make_user(username="cadre01")
    for n in range(10):
        login(client, f"nobody{n}", "wrong-pass-1")
    assert login(client, "cadre01", PASSWORD).status_code == 429


def test_successful_logins_do_not_count(client, make_user):
    make_user(username="cadre01")
    for _ in range(12):
        assert login(client, "cadre01").status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def test_api_token_endpoint_shares_the_limit(client, make_user):
    make_user(username="cadre01")
    for _ in range(10):
        response = client.post("/api/v1/auth/token",
                               json={"username": "cadre01", "password": "wrong-pass-1"})
        assert response.status_code == 401
    response = client.post("/api/v1/auth/token", json={"username": "cadre01", "password": PASSWORD})
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_attempts"


def test_login_without_csrf_token_is_refused(client, make_user):
    make_user(username="cadre01")
    response = client.post("/login", data={"username": "cadre01", "password": PASSWORD})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_logout_without_csrf_token_is_refused(client, make_user):
    make_user(username="cadre01")
    login(client, "cadre01")
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_admin_post_with_a_forged_token_is_refused(client, make_user, db):
    make_user(username="boss", roles=("admin",))
    login(client, "boss")
    response = client.post("/admin/posts", data={"code": "x", "name": "x", "area": "cadre",
                                                 "csrf_token": "forged"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0


def test_session_api_calls_need_the_csrf_header(client, make_user):
    make_user(username="cadre01")
    login(client, "cadre01")
    refused = client.delete("/api/v1/auth/token")
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "csrf_failed"


def test_bearer_api_calls_need_no_csrf(client, make_user):
    make_user(username="cadre01")
    headers = api_token(client, "cadre01")
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204


def test_upload_over_the_limit_gets_a_clear_error(app, client, make_user):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    make_user(username="boss", roles=("admin",))
    login(client, "boss")
    token = csrf_token(client, "/admin/users/import")
    response = client.post(
        "/admin/users/import",
        data={"csrf_token": token, "initial_password": "abc12345",
              "file": (io.BytesIO(b"x" * 4096), "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "上传的文件太大" in response.get_data(as_text=True)


def test_production_refuses_the_default_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"APP_ENV": "production", "SECRET_KEY": "dev-only-insecure-secret-key"})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"APP_ENV": "production", "SECRET_KEY": "short"})


def test_production_sets_secure_cookies():
    app = create_app({"APP_ENV": "production", "SECRET_KEY": "k" * 40,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_csrf_token_outlives_the_longest_exam():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["WTF_CSRF_TIME_LIMIT"] >= 4 * 3600


def test_passwords_are_scrypt_hashes(make_user):
    user = make_user(username="cadre01")
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash


def test_password_never_reaches_the_log(client, make_user, caplog):
    make_user(username="cadre01")
    with caplog.at_level("DEBUG"):
        login(client, "cadre01", "secret-wrong-9")
        login(client, "cadre01")
    assert "secret-wrong-9" not in caplog.text
    assert PASSWORD not in caplog.text


def test_security_headers(client):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_web_and_api_failures_share_the_account_limit(app, make_user):
    make_user(username="cadre01")
    for n in range(5):
        web = app.test_client()
        web.environ_base["REMOTE_ADDR"] = f"10.0.2.{n}"
        assert login(web, "cadre01", "wrong-pass-1").status_code == 200
        api = app.test_client()
        api.environ_base["REMOTE_ADDR"] = f"10.0.3.{n}"
        response = api.post("/api/v1/auth/token",
                            json={"username": "CADRE01", "password": "wrong-pass-1"})
        assert response.status_code == 401
    # Ten failures in all: both doors are now shut for this account, even from new addresses.
    fresh = app.test_client()
    fresh.environ_base["REMOTE_ADDR"] = "10.0.4.1"
    assert login(fresh, "cadre01", PASSWORD).status_code == 429
    response = fresh.post("/api/v1/auth/token", json={"username": "cadre01", "password": PASSWORD})
    assert response.status_code == 429


def test_web_and_api_failures_share_the_address_limit(client, make_user):
    make_user(username="cadre01")
    for n in range(5):
        login(client, f"nobody{n}", "wrong-pass-1")
        client.post("/api/v1/auth/token", json={"username": f"ghost{n}", "password": "wrong-pass-1"})
    response = client.post("/api/v1/auth/token", json={"username": "cadre01", "password": PASSWORD})
    assert response.status_code == 429
    assert login(client, "cadre01", PASSWORD).status_code == 429


def test_a_burst_of_simultaneous_wrong_guesses_gets_no_more_than_the_limit(app, make_user):
    make_user(username="target")
    statuses: list[int] = []

    def guess():
        statuses.append(app.test_client().post(
            "/api/v1/auth/token", json={"username": "target", "password": "wrong-guess-1"}).status_code)

    all_at_once([guess] * 30)
    assert len(statuses) == 30
    assert statuses.count(401) <= 10 and statuses.count(429) >= 20
    # The right password still fails to get through while the account's budget is spent.
    assert app.test_client().post("/api/v1/auth/token", json={"username": "target", "password": PASSWORD}
                                  ).status_code == 429


def test_logging_out_voids_the_old_session_and_remember_cookies(app, client, make_user):
    make_user(username="leaver")
    login(client, "leaver", remember="y")
    session_cookie = client.get_cookie("session").value
    remember_cookie = client.get_cookie("remember_token").value
    assert client.get("/timeline").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    for name, value in (("session", session_cookie), ("remember_token", remember_cookie)):
        thief = app.test_client()
        thief.set_cookie(name, value)
        assert thief.get("/timeline").status_code == 302, name


@pytest.mark.postgresql_only
def test_no_token_taken_with_the_old_password_outlives_a_password_change(app, db, make_user):
    import sqlalchemy as sa

    from app.accounts import services
    from app.accounts.models import ApiToken, User
    from app.extensions import db as _db
    from app.timeutil import utcnow

    user = make_user(username="racer")
    app.config["LOGIN_FAILURES_PER_MINUTE"] = 1000
    outcomes: list[object] = []

    def take_token():
        outcomes.append(app.test_client().post(
            "/api/v1/auth/token", json={"username": "racer", "password": PASSWORD}).status_code)

    def change():
        with app.app_context():
            try:
                me = _db.session.get(User, user.id)
                services.change_password(me, PASSWORD, "a-new-pass-456", now=utcnow())
                _db.session.commit()
                outcomes.append("changed")
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                outcomes.append(repr(exc))
            finally:
                _db.session.remove()

    all_at_once([take_token] * 20 + [change])
    db.session.expire_all()
    live = db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
    assert "changed" in outcomes, outcomes
    assert live == 0, outcomes
