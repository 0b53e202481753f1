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


def test_options_without_a_login_is_no_error(client):
    for path in ("/admin/users", "/teach/questions", "/teach/questions/review", "/reports/completion"):
        assert client.open(path, method="OPTIONS").status_code < 500, path


def test_lone_surrogates_are_refused(app):
    response = app.test_client().post("/api/v1/auth/token", data='{"username": "\\ud800", "password": "x"}',
                                      content_type="application/json")
    assert response.status_code == 400
    emoji = app.test_client().post("/api/v1/auth/token", data='{"username": "\\ud83d\\ude00", "password": "x"}',
                                   content_type="application/json")
    assert emoji.status_code == 401  # a real character written as a surrogate pair is fine


def test_a_number_too_big_for_a_float_gets_the_fields_message(client, make_user):
    make_user(username="boss", roles=("admin", "trainer"))
    login(client, "boss")
    token = csrf_token(client, "/admin/org-units")
    response = client.post("/admin/org-units", data={"csrf_token": token, "name": "某室", "kind": "section",
                                                     "parent_id": 0, "sort_order": "9" * 400})
    assert response.status_code == 200  # the form again, not a crash
    assert "排序须为 0 到 100000 之间的整数" in response.get_data(as_text=True)
    preview = client.post("/teach/questions/preview/single_choice", data={
        "csrf_token": token, "stem": "题干", "difficulty": "9" * 400})
    assert preview.status_code == 200
    assert "难度须为 1 至 5 的整数" in preview.get_data(as_text=True)
