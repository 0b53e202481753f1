"""Request plumbing: input no client should be able to turn into a 500."""

import io

from tests.conftest import csrf_token, login

HUGE = "99999999999999999999999"


def test_ids_beyond_the_database_range_answer_404(client, make_user):
    make_user(username="boss", roles=("admin", "manager"))
    login(client, "boss")
    for path in (f"/admin/users/{HUGE}/edit", f"/people/{HUGE}", f"/admin/org-units/{HUGE}/edit",
                 f"/lessons/{2**31}", f"/api/v1/courses/{HUGE}", f"/api/v1/lessons/{2**31}"):
        assert client.get(path).status_code == 404, path
    for path in (f"/admin/users?unit={HUGE}", f"/people?unit={HUGE}", f"/admin/audit?page={HUGE}",
                 f"/teach/questions?page={HUGE}&lesson={HUGE}", f"/reports/completion?unit={HUGE}"):
        assert client.get(path).status_code in (200, 404), path


def test_nul_characters_are_refused(app, client, make_user):
    make_user(username="boss", roles=("admin",))
    login(client, "boss")
    token = csrf_token(client, "/admin/users/new")
    response = client.post("/admin/users/new", data={"csrf_token": token, "username": "nul",
                                                     "name": "a\x00b", "roles": "cadre"})
    assert response.status_code == 400
    assert client.get("/people?q=a%00b").status_code == 400
    assert app.test_client().post("/api/v1/auth/token",
                                  json={"username": "a\x00", "password": "x"}).status_code == 400


def test_json_nested_too_deep_is_a_bad_request(client):
    response = client.post("/api/v1/auth/token", data="[" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_the_upload_limit_is_named(app, client, make_user):
    app.config["MAX_CONTENT_LENGTH"] = 2048
    make_user(username="boss", roles=("admin",))
    login(client, "boss")
    token = csrf_token(client, "/admin/users/import")
    response = client.post("/admin/users/import", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(b"x" * 4096), "big.csv")})
    assert response.status_code == 413
    assert "2 KB" in response.get_data(as_text=True)
