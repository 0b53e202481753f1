"""Listing and revoking one's API tokens (API and page), an admin revoking a user's, and the
OpenAPI document matching what /questions and the heartbeat do."""

import re

import pytest
import sqlalchemy as sa

from app.accounts.models import ApiToken, AuditEntry
from tests.conftest import api_token, csrf_token, login


@pytest.fixture
def cadre(make_user):
    return make_user(username="cadre01")


def test_list_own_tokens_in_the_contract_shape(client, cadre, make_user):
    make_user(username="other")
    first, second = api_token(client, "cadre01"), api_token(client, "cadre01")
    api_token(client, "other")
    body = client.get("/api/v1/auth/tokens", headers=first).get_json()
    assert len(body["tokens"]) == 2
    assert set(body["tokens"][0]) == {"id", "created_at", "expires_at", "last_used_at"}
    used = [t for t in body["tokens"] if t["last_used_at"]]
    assert len(used) == 1  # only the token of this request has been used
    assert "token" not in str(body).replace("tokens", "")  # never the values
    assert client.get("/api/v1/auth/tokens", headers=second).status_code == 200


def test_revoke_one_own_token(client, db, cadre, make_user):
    make_user(username="other")
    first, second = api_token(client, "cadre01"), api_token(client, "cadre01")
    foreign = api_token(client, "other")
    ids = [t["id"] for t in client.get("/api/v1/auth/tokens", headers=first).get_json()["tokens"]]
    foreign_id = client.get("/api/v1/auth/tokens", headers=foreign).get_json()["tokens"][0]["id"]
    target = next(i for i in ids if i != _id_of(db, first))
    assert client.delete(f"/api/v1/auth/tokens/{target}", headers=first).status_code == 204
    assert client.get("/api/v1/me", headers=second).status_code == 401
    assert client.get("/api/v1/me", headers=first).status_code == 200
    assert client.delete(f"/api/v1/auth/tokens/{target}", headers=first).status_code == 404
    refused = client.delete(f"/api/v1/auth/tokens/{foreign_id}", headers=first)
    assert refused.status_code == 404 and refused.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/me", headers=foreign).status_code == 200


def _id_of(db, headers) -> int:
    import hashlib

    raw = headers["Authorization"].split()[1]
    return db.session.scalar(sa.select(ApiToken.id).where(
        ApiToken.token_hash == hashlib.sha256(raw.encode()).hexdigest()))


def test_the_tokens_page_lists_and_revokes(client, app, db, cadre):
    headers = api_token(app.test_client(), "cadre01")
    login(client, "cadre01")
    page = client.get("/account/tokens")
    assert page.status_code == 200 and 'data-testid="tokens"' in page.get_data(as_text=True)
    token_id = _id_of(db, headers)
    client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(client, "/account/tokens")})
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    assert "/revoke" not in client.get("/account/tokens").get_data(as_text=True)


def test_an_admin_revokes_a_users_tokens_on_record(client, app, db, cadre, make_user):
    headers = api_token(app.test_client(), "cadre01")
    make_user(username="root", roles=("admin",))
    login(client, "root")
    url = f"/admin/users/{cadre.id}/edit"
    assert 'data-testid="revoke-tokens"' in client.get(url).get_data(as_text=True)
    client.post(f"/admin/users/{cadre.id}/tokens/revoke", data={"csrf_token": csrf_token(client, url)})
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.revoke_tokens"))
    assert entry.summary == "cadre01" and entry.details == {"tokens_revoked": 1}


def test_only_admins_revoke_others_tokens(client, cadre, make_user):
    make_user(username="boss", roles=("manager",))
    login(client, "boss")
    response = client.post(f"/admin/users/{cadre.id}/tokens/revoke", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 403


@pytest.fixture
def trainer_headers(client, make_user):
    make_user(username="trainer", roles=("trainer",))
    return api_token(client, "trainer")


@pytest.mark.parametrize("query", ["type=null", "type=", "tier=top", "status=gone", "area=nowhere"])
def test_questions_refuses_filters_outside_their_enums(client, trainer_headers, query):
    response = client.get(f"/api/v1/questions?{query}", headers=trainer_headers)
    if query == "type=":
        assert response.status_code == 200  # empty is no filter
    else:
        assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"


def test_the_openapi_document_says_what_the_api_does(client, trainer_headers):
    spec = client.get("/api/v1/openapi.json").get_json()
    questions = spec["paths"]["/questions"]["get"]
    assert "400" in questions["responses"]
    type_param = next(p for p in questions["parameters"] if p["name"] == "type")
    assert None not in type_param["schema"]["enum"] and not type_param["schema"].get("nullable")
    heartbeat = spec["paths"]["/lessons/{id}/heartbeat"]["post"]
    assert heartbeat["requestBody"]["required"] is True
    assert client.post("/api/v1/lessons/1/heartbeat", headers=trainer_headers).status_code == 400
    assert spec["paths"]["/auth/tokens"]["get"] and spec["paths"]["/auth/tokens/{id}"]["delete"]
    assert client.get("/api/v1/questions?q=%00", headers=trainer_headers).status_code == 400


# Headers -------------------------------------------------------------------------------

def test_authenticated_pages_api_answers_and_exports_are_not_stored(client, make_user):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    make_user(username="trainer", roles=("trainer",))
    login(client, "trainer")
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/me").headers["Cache-Control"] == "no-store"
    export = client.get("/teach/questions/export?format=yaml")
    assert export.status_code == 200 and export.headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/favicon.svg").headers.get("Cache-Control", "")


def test_405_keeps_its_allow_header(client):
    page = client.get("/logout")
    assert page.status_code == 405 and "POST" in page.headers["Allow"]
    api = client.get("/api/v1/question-imports")
    assert api.status_code == 405 and "POST" in api.headers["Allow"]
    assert api.get_json()["error"]["code"] == "method_not_allowed"


def test_hsts_in_production_only(app, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    app.config["HSTS_SECONDS"] = 31536000  # what ProductionConfig sets
    assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_production_config_turns_hsts_on(monkeypatch):
    from app import create_app

    monkeypatch.delenv("HSTS_SECONDS", raising=False)
    app = create_app({"APP_ENV": "production", "SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})
    assert app.config["HSTS_SECONDS"] >= 180 * 24 * 3600
    assert re.match(r"^\d+$", str(app.config["HSTS_SECONDS"]))
