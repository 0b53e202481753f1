"""The exam API: every endpoint and its error codes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.exams.models import Attempt
from app.timeutil import utcnow
from tests.conftest import api_token


@pytest.fixture
def live(make_exam):
    """An exam open now by the real clock (the API runs on it)."""

    def make(questions=(), **settings):
        now = utcnow()
        settings.setdefault("opens_at", now - timedelta(hours=1))
        settings.setdefault("closes_at", now + timedelta(days=1))
        return make_exam(questions, **settings)

    return make


@pytest.fixture
def auth(client, cadre):
    return api_token(client, "cadre01")


def start(client, auth, exam):
    return client.post(f"/api/v1/exams/{exam.id}/attempts", headers=auth)


def put(client, auth, attempt_id, question_id, answer, seq):
    return client.put(f"/api/v1/attempts/{attempt_id}/answers/{question_id}", headers=auth,
                      json={"answer": answer, "seq": seq})


def error(response):
    return response.status_code, response.get_json()["error"]["code"]


def test_list_exams_with_attempts_left(client, auth, make_user, make_question, live):
    question = make_question()
    mine = live([question], max_attempts=2)
    someone = make_user()
    live([question], title="别人的考试", audience_users=[someone.id])
    live([question], title="草稿", status="draft")
    start(client, auth, mine)
    response = client.get("/api/v1/exams", headers=auth)
    assert response.status_code == 200
    [exam] = response.get_json()["exams"]
    assert exam["id"] == mine.id and exam["kind"] == "exam" and exam["attempts_left"] == 1
    assert exam["time_limit_s"] == 1800 and exam["state"] == "open" and exam["opens_at"]
    assert "paper" not in exam


def test_trainers_create_exams(client, trainer, cadre, make_question):
    questions = [make_question(), make_question("true_false")]
    headers = api_token(client, "trainer01")
    body = {"title": "组织工作考试", "kind": "exam",
            "question_ids": [questions[0].id, {"id": questions[1].id, "points": "2.5"}],
            "time_limit_s": 1200, "opens_at": "2026-12-01T08:00:00+08:00",
            "closes_at": "2026-12-31T18:00:00+08:00", "max_attempts": 2, "pass_score": 80,
            "review_policy": "immediately", "multiple_choice_policy": "partial", "shuffle": True,
            "audience": {"org_units": [], "posts": [], "users": [cadre.id]}}
    response = client.post("/api/v1/exams", headers=headers, json=body)
    assert response.status_code == 201, response.get_json()
    exam = response.get_json()
    assert exam["id"] and exam["pass_score"] == "80.00" and exam["shuffle"] is True
    assert exam["paper"]["questions"] == [{"question_id": questions[0].id, "points": None},
                                          {"question_id": questions[1].id, "points": "2.50"}]
    assert exam["audience"]["users"] == [cadre.id] and exam["status"] == "published"

    rules = {"title": "抽题考试", "rules": [
        {"area": "cadre", "type": "single_choice", "tier": "basic", "count": 5, "points": 2}]}
    refused = client.post("/api/v1/exams", headers=headers, json=rules)
    assert error(refused) == (422, "rules_unfillable")
    assert refused.get_json()["error"]["message"].startswith("规则 1（")
    assert error(client.post("/api/v1/exams", headers=headers, json={"title": ""})) == \
        (422, "invalid_input")
    assert error(client.post("/api/v1/exams", headers=headers,
                             json={"title": "x", "question_ids": [questions[0].id],
                                   "opens_at": "2026-12-01T08:00:00"})) == (422, "invalid_input")
    assert error(client.post("/api/v1/exams", headers=headers, data="nope")) == \
        (422, "invalid_input")
    cadre_headers = api_token(client, "cadre01")
    assert client.post("/api/v1/exams", headers=cadre_headers, json=body).status_code == 403


def test_start_then_resume(client, auth, make_question, live):
    question = make_question()
    exam = live([question])
    first = start(client, auth, exam)
    assert first.status_code == 201
    body = first.get_json()
    assert body["status"] == "in_progress" and body["answers"] == {}
    assert body["questions"][0]["id"] == question.id and body["questions"][0]["points"] == "1.00"
    assert [o["key"] for o in body["questions"][0]["options"]] == ["A", "B", "C", "D"]
    assert 1790 <= body["remaining_s"] <= 1800
    put(client, auth, body["id"], question.id, "C", 1)
    again = start(client, auth, exam)
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    assert again.get_json()["answers"] == {str(question.id): "C"}
    assert again.get_json()["seqs"] == {str(question.id): 1}


def test_start_errors(client, auth, make_user, make_question, live):
    question = make_question()
    now = utcnow()
    later = live([question], opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=2))
    assert error(start(client, auth, later)) == (409, "exam_not_open")
    once = live([question], title="一次", max_attempts=1)
    attempt_id = start(client, auth, once).get_json()["id"]
    client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=auth)
    assert error(start(client, auth, once)) == (409, "no_attempts_left")
    other = make_user()
    theirs = live([question], title="他人", audience_users=[other.id])
    assert error(start(client, auth, theirs)) == (404, "not_found")
    assert error(client.post("/api/v1/exams/999999/attempts", headers=auth)) == (404, "not_found")


def test_save_errors(client, auth, make_user, make_question, live):
    question, stranger = make_question(), make_question()
    exam = live([question])
    attempt_id = start(client, auth, exam).get_json()["id"]
    saved = put(client, auth, attempt_id, question.id, "B", 10)
    assert saved.status_code == 200
    assert saved.get_json()["seq"] == 10 and saved.get_json()["saved_at"]
    assert 0 < saved.get_json()["remaining_s"] <= 1800
    assert error(put(client, auth, attempt_id, question.id, "A", 9)) == (409, "stale_seq")
    assert error(put(client, auth, attempt_id, question.id, "Z", 11)) == (422, "invalid_answer")
    assert error(put(client, auth, attempt_id, question.id, ["B"], 11)) == (422, "invalid_answer")
    assert error(put(client, auth, attempt_id, question.id, "B", "11")) == (422, "invalid_input")
    assert error(client.put(f"/api/v1/attempts/{attempt_id}/answers/{question.id}", headers=auth,
                            json={"answer": "B"})) == (422, "invalid_input")
    assert error(put(client, auth, attempt_id, stranger.id, "B", 1)) == (404, "not_found")
    make_user(username="other")
    other = api_token(client, "other")
    assert error(put(client, other, attempt_id, question.id, "B", 12)) == (404, "not_found")
    assert error(client.get(f"/api/v1/attempts/{attempt_id}", headers=other)) == (404, "not_found")
    assert error(client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=other)) == \
        (404, "not_found")
    client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=auth)
    assert error(put(client, auth, attempt_id, question.id, "B", 13)) == (409, "attempt_closed")


def test_submit_twice_returns_the_same_result(client, auth, make_question, live):
    questions = [make_question(points=2), make_question(points=2)]
    exam = live(questions, pass_score=Decimal("50"))
    attempt_id = start(client, auth, exam).get_json()["id"]
    put(client, auth, attempt_id, questions[0].id, "B", 1)
    first = client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=auth)
    second = client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=auth)
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json() == {
        "status": "graded", "score": "2.00", "max_score": "4.00", "passed": True}


def test_read_an_attempt_following_the_review_policy(client, auth, make_question, live):
    question = make_question()
    shown = live([question], review_policy="immediately", title="立即")
    hidden = live([question], review_policy="never", title="从不")
    for exam, expect_review in ((shown, True), (hidden, False)):
        attempt_id = start(client, auth, exam).get_json()["id"]
        put(client, auth, attempt_id, question.id, "A", 1)
        open_body = client.get(f"/api/v1/attempts/{attempt_id}", headers=auth).get_json()
        assert "review" not in open_body and "score" not in open_body
        client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=auth)
        body = client.get(f"/api/v1/attempts/{attempt_id}", headers=auth).get_json()
        assert body["status"] == "graded" and body["score"] == "0.00"
        assert body["answers"] == {str(question.id): "A"}
        assert body["review_available"] is expect_review
        if expect_review:
            review = body["review"][str(question.id)]
            assert review["correct_answer"] == "B" and review["correct"] is False
            assert review["explanation"].startswith("EXPLAIN-MARK")
        else:
            assert "review" not in body


def test_an_overdue_attempt_is_submitted_by_the_request_that_touches_it(db, client, auth,
                                                                       make_question, live):
    question = make_question()
    exam = live([question], grace_s=0)
    attempt_id = start(client, auth, exam).get_json()["id"]
    put(client, auth, attempt_id, question.id, "B", 1)
    attempt = db.session.get(Attempt, attempt_id)
    deadline = utcnow() - timedelta(minutes=1)
    attempt.started_at, attempt.deadline = deadline - timedelta(minutes=30), deadline
    db.session.commit()
    assert error(put(client, auth, attempt_id, question.id, "A", 2)) == (409, "attempt_closed")
    body = client.get(f"/api/v1/attempts/{attempt_id}", headers=auth).get_json()
    assert body["status"] == "graded" and body["score"] == "1.00"
    assert body["finished_at"] == deadline.isoformat()


def test_tab_switches_are_counted_by_the_server(client, auth, make_question, live):
    question = make_question()
    exam = live([question], max_tab_switches=2)
    attempt_id = start(client, auth, exam).get_json()["id"]
    first = client.post(f"/api/v1/attempts/{attempt_id}/tab-switches", headers=auth)
    assert first.get_json() == {"tab_switches": 1, "max_tab_switches": 2, "submitted": False,
                                "status": "in_progress"}
    second = client.post(f"/api/v1/attempts/{attempt_id}/tab-switches", headers=auth).get_json()
    assert second["submitted"] is True and second["status"] == "graded"
    third = client.post(f"/api/v1/attempts/{attempt_id}/tab-switches", headers=auth)
    assert error(third) == (409, "attempt_closed")


def test_anonymous_callers_are_refused(client, make_question, live):
    exam = live([make_question()])
    assert client.get("/api/v1/exams").status_code == 401
    assert client.post(f"/api/v1/exams/{exam.id}/attempts").status_code == 401
