"""The learning endpoints of the JSON API."""

import pytest

from tests.conftest import api_token, csrf_token, login


@pytest.fixture
def cadre(make_user, posts, lessons):
    return make_user(username="cadre01", post=posts["cadre_officer"])


@pytest.fixture
def headers(client, cadre):
    return api_token(client, "cadre01")


def test_courses_lists_published_courses_with_progress(client, headers):
    body = client.get("/api/v1/courses", headers=headers).get_json()
    titles = [c["title"] for c in body["courses"]]
    assert titles == ["干部选拔任用工作", "组工干部自身建设"]
    first = body["courses"][0]
    assert set(first) >= {"id", "title", "area", "progress"}
    assert first["progress"] == 0


def test_course_detail_has_modules_and_lessons(client, headers, lessons):
    course_id = lessons["cs-initiation"].course_id
    body = client.get(f"/api/v1/courses/{course_id}", headers=headers).get_json()
    assert body["id"] == course_id
    lesson = body["modules"][0]["lessons"][0]
    assert set(lesson) >= {"id", "title", "min_seconds", "completed"}
    assert lesson["completed"] is False


def test_lesson_returns_sanitized_html_and_progress(client, headers, lessons):
    body = client.get(f"/api/v1/lessons/{lessons['cs-recommendation'].id}", headers=headers).get_json()
    assert "<table>" in body["html"]
    assert body["min_seconds"] == 90
    assert body["progress"] == {"seconds": 0, "reached_end": False, "completed": False}


def test_heartbeat_contract(client, headers, lessons):
    url = f"/api/v1/lessons/{lessons['cs-initiation'].id}/heartbeat"
    body = client.post(url, json={"visible": True}, headers=headers).get_json()
    assert body == {"credited_seconds": 0, "total_seconds": 0, "completed": False, "clock": "counting"}


@pytest.mark.parametrize("payload", [{"visible": "yes"}, {"visible": True, "at_end": 1}])
def test_heartbeat_rejects_bad_fields(client, headers, lessons, payload):
    url = f"/api/v1/lessons/{lessons['cs-initiation'].id}/heartbeat"
    response = client.post(url, json=payload, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_input"


def test_heartbeat_rejects_a_non_object(client, headers, lessons):
    url = f"/api/v1/lessons/{lessons['cs-initiation'].id}/heartbeat"
    assert client.post(url, json=[1, 2], headers=headers).status_code == 400


def test_unknown_and_unpublished_lessons_are_404(client, headers, db, lessons):
    assert client.get("/api/v1/lessons/999999", headers=headers).status_code == 404
    lesson = lessons["cs-initiation"]
    lesson.status = "unpublished"
    db.session.commit()
    assert client.get(f"/api/v1/lessons/{lesson.id}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/lessons/{lesson.id}/heartbeat", json={}, headers=headers).status_code == 404


def test_heartbeat_from_a_browser_session_needs_the_csrf_header(client, cadre, lessons):
    login(client, "cadre01")
    url = f"/api/v1/lessons/{lessons['cs-initiation'].id}/heartbeat"
    assert client.post(url, json={"visible": True}).status_code == 400
    token = csrf_token(client, "/")
    assert client.post(url, json={"visible": True}, headers={"X-CSRFToken": token}).status_code == 200


def test_plan_lists_the_posts_courses(client, headers):
    items = client.get("/api/v1/me/plan", headers=headers).get_json()["items"]
    assert [i["title"] for i in items] == ["干部选拔任用工作"]
    item = items[0]
    assert item["kind"] == "course" and item["required"] is True
    assert item["status"] == "not_started" and item["due_at"] is None and item["progress"] == 0


def test_plan_shows_due_times_and_the_history_of_earlier_posts(client, db, headers, cadre, posts,
                                                                 lessons):
    from datetime import date

    from app.accounts.services import assign_post
    from app.courses import plans

    plans.assign(lessons["sb-fairness"].course, due_on=date(2026, 12, 31), by=cadre, user=cadre)
    assign_post(cadre, posts["organization_officer"], start=date(2026, 11, 1))
    db.session.commit()
    body = client.get("/api/v1/me/plan", headers=headers).get_json()
    assigned = next(i for i in body["items"] if i["source"] == "assignment")
    assert assigned["due_at"] == "2026-12-31T23:59:59+08:00" and assigned["due_on"] == "2026-12-31"
    assert assigned["lessons"] >= 1 and assigned["lessons_completed"] == 0
    [earlier] = body["history"]
    assert earlier["post"]["code"] == "cadre_officer" and earlier["end_date"] == "2026-11-01"
    assert [i["title"] for i in earlier["items"]] == ["干部选拔任用工作"]


def test_a_heartbeat_without_a_json_object_is_refused_and_credits_nothing(client, headers, lessons):
    url = f"/api/v1/lessons/{lessons['cs-initiation'].id}/heartbeat"
    for data, content_type in (("garbage", "application/json"), ("{{{not json", "text/plain"),
                               ("", "application/json"), ("null", "application/json"),
                               ("[1]", "application/json")):
        response = client.post(url, data=data, content_type=content_type, headers=headers)
        assert response.status_code == 400, data
        assert response.get_json()["error"]["code"] == "bad_request"
    ok = client.post(url, json={"visible": True}, headers=headers).get_json()
    assert ok["credited_seconds"] == 0 and ok["total_seconds"] == 0


def test_learning_endpoints_need_authentication(client, lessons):
    for path in ("/api/v1/courses", "/api/v1/me/plan", f"/api/v1/lessons/{lessons['cs-initiation'].id}"):
        assert client.get(path).status_code == 401
