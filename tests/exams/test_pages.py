"""Exam pages for cadres and trainers, and the walk that finds no secret in an open attempt."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.exams.models import Attempt, Exam
from app.timeutil import utcnow
from tests.conftest import csrf_token, login

MARKER = re.compile(r"-MARK-")  # every answer, feedback, explanation, accepted answer, rubric
SECRET_KEYS = re.compile(r'"(fraction|explanation|reference_answer|rubric|feedback|answer_key|blanks_accepted|correct_answer)"')
TYPES = ("single_choice", "multiple_choice", "true_false", "fill_blank", "essay")


@pytest.fixture
def open_exam(make_exam, make_question):
    def make(**settings):
        now = utcnow()
        questions = [make_question(t) for t in TYPES]
        settings.setdefault("opens_at", now - timedelta(hours=1))
        settings.setdefault("closes_at", now + timedelta(days=1))
        return make_exam(questions, **settings), questions

    return make


def test_no_answer_leaves_the_server_while_an_attempt_is_open(client, cadre, open_exam):
    exam, questions = open_exam(shuffle=True, review_policy="immediately")
    login(client, "cadre01")
    seen: dict[str, str] = {}

    def visit(label, response):
        assert response.status_code in (200, 201, 302), (label, response.status_code)
        seen[label] = response.get_data(as_text=True)

    visit("list", client.get("/exams"))
    visit("exam page", client.get(f"/exams/{exam.id}"))
    token = csrf_token(client, f"/exams/{exam.id}")
    started = client.post(f"/exams/{exam.id}/start", data={"csrf_token": token})
    assert started.status_code == 302
    attempt_url = started.headers["Location"]
    page = client.get(attempt_url)
    visit("attempt page", page)
    html = page.get_data(as_text=True)
    for question in questions:
        assert f'data-question-id="{question.id}"' in html
        assert question.stem_text[:6] in html
    attempt_id = int(attempt_url.rstrip("/").split("/")[-1])
    headers = {"X-CSRFToken": token}
    visit("api list", client.get("/api/v1/exams"))
    visit("api start again", client.post(f"/api/v1/exams/{exam.id}/attempts", headers=headers))
    visit("api attempt", client.get(f"/api/v1/attempts/{attempt_id}"))
    answers = {"single_choice": "A", "multiple_choice": ["A", "B"], "true_false": False,
               "fill_blank": ["x", "y"], "essay": "文字"}
    for question in questions:
        visit(f"save {question.type}", client.put(
            f"/api/v1/attempts/{attempt_id}/answers/{question.id}", headers=headers,
            json={"answer": answers[question.type], "seq": 1}))
    visit("api attempt after saves", client.get(f"/api/v1/attempts/{attempt_id}"))
    visit("attempt page after saves", client.get(attempt_url))
    visit("tab switch", client.post(f"/api/v1/attempts/{attempt_id}/tab-switches", headers=headers))
    for src in set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html)):
        visit(src, client.get(src))
    assert any("exam.js" in label for label in seen)
    for label, body in seen.items():
        found = MARKER.search(body)
        assert found is None, f"{label} leaks {body[found.start() - 40:found.end() + 20]!r}"
        if label.startswith(("api", "save", "tab")):
            key = SECRET_KEYS.search(body)
            assert key is None, f"{label} sends {key.group(0)}"

    # Once submitted, the review policy (immediately) shows the answers.
    client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=headers)
    review = client.get(attempt_url).get_data(as_text=True)
    assert "EXPLAIN-MARK" in review and 'data-testid="right-answer"' in review


def test_the_cadre_takes_an_exam_in_pages(client, db, cadre, open_exam):
    exam, questions = open_exam(review_policy="never")
    login(client, "cadre01")
    listing = client.get("/exams").get_data(as_text=True)
    assert exam.title in listing
    token = csrf_token(client, f"/exams/{exam.id}")
    attempt_url = client.post(f"/exams/{exam.id}/start", data={"csrf_token": token}).headers["Location"]
    attempt = db.session.scalar(sa.select(Attempt))
    again = client.get(f"/exams/{exam.id}").get_data(as_text=True)
    assert 'data-testid="resume"' in again  # resumes after closing the browser
    client.put(f"/api/v1/attempts/{attempt.id}/answers/{questions[0].id}",
               headers={"X-CSRFToken": token}, json={"answer": "B", "seq": 1})
    page = client.get(attempt_url).get_data(as_text=True)
    assert 'value="B"\n           checked' in page or re.search(r'value="B"\s+checked', page)
    done = client.post(f"/attempts/{attempt.id}/submit", data={"csrf_token": token})
    assert done.status_code == 302
    result = client.get(attempt_url).get_data(as_text=True)
    assert 'data-testid="score"' in result and "right-answer" not in result


def test_trainers_create_preview_publish_and_read_results(client, db, trainer, cadre,
                                                          make_question, make_exam):
    questions = [make_question(), make_question("true_false")]
    login(client, "trainer01")
    assert client.get("/teach/exams").status_code == 200
    form = client.get("/teach/exams/new")
    assert form.status_code == 200 and f"#{questions[0].id}" in form.get_data(as_text=True)
    token = csrf_token(client, "/teach/exams/new")
    data = {"csrf_token": token, "title": "页面考试", "kind": "exam", "status": "draft",
            "time_limit_min": "20", "max_attempts": "1", "counting": "highest",
            "pass_score": "60", "multiple_choice_policy": "all_or_nothing",
            "review_policy": "after_close", "grace_s": "30",
            "question_ids": f"{questions[0].id}, {questions[1].id}:2.5"}
    for n in range(6):
        data.update({f"rules-{n}-area": "cadre", f"rules-{n}-qtype": "single_choice",
                     f"rules-{n}-tier": "basic", f"rules-{n}-count": "", f"rules-{n}-points": "1"})
    created = client.post("/teach/exams/new", data=data)
    assert created.status_code == 302, created.get_data(as_text=True)
    exam = db.session.scalar(sa.select(Exam).where(Exam.title == "页面考试"))
    assert exam.status == "draft" and str(exam.current_version.items[1].points) == "2.50"
    edit = client.get(f"/teach/exams/{exam.id}/edit").get_data(as_text=True)
    assert "页面考试" in edit and f"{questions[1].id}:2.5" in edit
    preview = client.get(f"/teach/exams/{exam.id}/preview").get_data(as_text=True)
    assert preview.count('data-testid="question"') == 2 and "-MARK-" not in preview
    client.post(f"/teach/exams/{exam.id}/status", data={"csrf_token": token, "status": "published"})
    db.session.refresh(exam)
    assert exam.status == "published"

    unfillable = dict(data, title="抽题", question_ids="", **{"rules-0-count": "9"})
    refused = client.post("/teach/exams/new", data=unfillable)
    assert refused.status_code == 200 and "需要 9 道" in refused.get_data(as_text=True)

    from app.exams import services

    other = make_exam(questions, title="已考", opens_at=utcnow() - timedelta(hours=1))
    attempt, _ = services.start_attempt(cadre, other, now=utcnow())
    services.save_answer(attempt, questions[0].id, "B", seq=1, now=utcnow())
    services.submit(attempt, now=utcnow())
    db.session.commit()
    results = client.get(f"/teach/exams/{other.id}/results").get_data(as_text=True)
    assert cadre.name in results and "score-chart-data" in results
    not_taken = results.split('data-testid="not-taken"')[1].split("</p>")[0]
    assert cadre.name not in not_taken and trainer.name not in not_taken  # cadres only
    download = client.get(f"/teach/exams/{other.id}/results.xlsx")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "cadre01" and rows[1][5] == 1.0 and rows[1][6] == 2.0


def test_cadres_cannot_manage_exams(client, cadre):
    login(client, "cadre01")
    assert client.get("/teach/exams").status_code == 403
    assert client.get("/teach/exams/new").status_code == 403
