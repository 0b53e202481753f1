"""POST/DELETE /api/v1/auth/token, GET /api/v1/me, errors, the OpenAPI document."""

import re
from datetime import timedelta

import pytest

from app.accounts import tokens
from app.timeutil import utcnow
from tests.conftest import PASSWORD, api_token, csrf_token, login


@pytest.fixture
def cadre(make_unit, make_post, make_user):
    unit = make_unit("组织部", kind="department")
    post = make_post("干部工作岗", code="cadre_officer")
    return make_user(username="cadre01", name="刘思远", org_unit=unit, post=post)


def test_token_login_returns_the_contract_shape(client, cadre):
    response = client.post("/api/v1/auth/token", json={"username": "cadre01", "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= {"token", "expires_at", "user"}
    assert body["user"] == {"id": cadre.id, "username": "cadre01", "name": "刘思远",
                            "roles": ["cadre"]}
    assert "+00:00" in body["expires_at"]


def test_wrong_credentials_answer_401_the_same_way(client, cadre):
    wrong = client.post("/api/v1/auth/token", json={"username": "cadre01", "password": "bad-pass-1"})
    unknown = client.post("/api/v1/auth/token", json={"username": "ghost", "password": "bad-pass-1"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["error"]["code"] == "invalid_credentials"


@pytest.mark.parametrize("body", [None, [], {"username": 1, "password": 2}, {"username": "x"}])
def test_malformed_bodies_are_400(client, body):
    response = client.post("/api/v1/auth/token", json=body) if body is not None else \
        client.post("/api/v1/auth/token", data="not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_me_with_a_bearer_token(client, cadre):
    headers = api_token(client, "cadre01")
    body = client.get("/api/v1/me", headers=headers).get_json()
    assert body["username"] == "cadre01"
    assert body["org_unit"]["path"] == "组织部"
    assert body["post"]["code"] == "cadre_officer"
    assert body["roles"] == ["cadre"]
    assert "points_balance" in body and "certificates" in body


def test_me_with_a_browser_session(client, cadre):
    login(client, "cadre01")
    assert client.get("/api/v1/me").get_json()["username"] == "cadre01"


def test_me_without_credentials_is_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_a_deleted_token_no_longer_works(client, cadre):
    headers = api_token(client, "cadre01")
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_an_expired_token_no_longer_works(client, db, cadre):
    raw, _token = tokens.issue(cadre, now=utcnow() - timedelta(days=10), ttl=timedelta(days=7))
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401


def test_tokens_are_stored_hashed(client, db, cadre):
    headers = api_token(client, "cadre01")
    raw = headers["Authorization"].split()[1]
    from app.accounts.models import ApiToken
    stored = db.session.query(ApiToken).one()
    assert raw not in stored.token_hash and len(stored.token_hash) == 64


def test_a_deactivated_users_token_stops_working(client, db, cadre):
    headers = api_token(client, "cadre01")
    from app.accounts import services
    services.set_active(db.session.merge(cadre), False, actor=None)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_bearer_tokens_do_not_open_pages(client, cadre):
    headers = api_token(client, "cadre01")
    assert client.get("/", headers=headers).status_code == 302


def test_error_messages_follow_accept_language(client):
    zh = client.get("/api/v1/me").get_json()["error"]["message"]
    en = client.get("/api/v1/me", headers={"Accept-Language": "en-US,en;q=0.9"}).get_json()
    assert zh == "请先登录。"
    assert en["error"]["message"] == "Please log in."


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_openapi_document_lists_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    def shape(path: str) -> str:  # /lessons/{id} and /lessons/<int:lesson_id> alike
        return re.sub(r"[{<][^}>]*[}>]", "{}", path)

    documented = {(shape(path), method) for path, ops in spec["paths"].items()
                  for method in ops if method in {"get", "post", "put", "patch", "delete"}}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = shape(rule.rule[len("/api/v1"):])
            served |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == documented


# The must-change-password rule ---------------------------------------------------------

EN = {"Accept-Language": "en"}


def test_a_user_who_must_change_the_password_gets_no_token(client, db, make_user):
    make_user(username="flagged", must_change_password=True)
    response = client.post("/api/v1/auth/token", headers=EN,
                           json={"username": "flagged", "password": PASSWORD})
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["code"] == "password_change_required"
    assert "web" in error["message"]
    from app.accounts.models import ApiToken
    assert db.session.query(ApiToken).count() == 0


def test_refusals_for_a_flagged_user_are_not_login_failures(client, make_user):
    make_user(username="flagged", must_change_password=True)
    for _ in range(12):
        response = client.post("/api/v1/auth/token",
                               json={"username": "flagged", "password": PASSWORD})
        assert response.status_code == 403


def test_a_flagged_users_bearer_token_is_refused(client, db, cadre):
    headers = api_token(client, "cadre01")
    from app.accounts.models import User
    db.session.get(User, cadre.id).must_change_password = True
    db.session.commit()
    response = client.get("/api/v1/me", headers={**headers, **EN})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "password_change_required"
    # Giving the token back is still allowed.
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204


def test_a_flagged_users_browser_session_cannot_use_the_api(client, make_user):
    make_user(username="flagged", must_change_password=True)
    login(client, "flagged")
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "password_change_required"


# Tokens end with the password ----------------------------------------------------------

def _token_rows(db, user_id):
    from app.accounts.models import ApiToken
    db.session.expire_all()
    return db.session.query(ApiToken).filter_by(user_id=user_id).all()


def test_an_admin_password_reset_revokes_the_users_tokens(app, client, db, cadre, make_user):
    headers = api_token(client, "cadre01")
    make_user(username="boss", roles=("admin",))
    admin = app.test_client()
    login(admin, "boss")
    response = admin.post(f"/admin/users/{cadre.id}/password", data={
        "csrf_token": csrf_token(admin, "/"), "new_password": "reset-1234"})
    assert response.status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert all(t.revoked_at is not None for t in _token_rows(db, cadre.id))


def test_an_own_password_change_revokes_the_users_tokens(app, client, db, cadre, make_user):
    headers = api_token(client, "cadre01")
    other = make_user(username="other")
    other_headers = api_token(client, "other")
    web = app.test_client()
    login(web, "cadre01")
    response = web.post("/account/password", data={
        "csrf_token": csrf_token(web, "/account/password"), "current_password": PASSWORD,
        "new_password": "mine-5678", "confirm": "mine-5678"})
    assert response.status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert all(t.revoked_at is not None for t in _token_rows(db, cadre.id))
    # Nobody else's tokens are touched.
    assert client.get("/api/v1/me", headers=other_headers).status_code == 200
    assert all(t.revoked_at is None for t in _token_rows(db, other.id))


def test_password_services_revoke_only_live_tokens(db, cadre):
    from app.accounts import services
    now = utcnow()
    _raw, old = tokens.issue(cadre, now=now - timedelta(days=10), ttl=timedelta(days=7))
    _raw, live = tokens.issue(cadre, now=now, ttl=timedelta(days=7))
    services.reset_password(cadre, "reset-1234", actor=None, now=now)
    db.session.commit()
    assert old.revoked_at is None  # it had expired; purging handles it
    assert live.revoked_at == now
