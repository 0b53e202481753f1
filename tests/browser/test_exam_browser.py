"""A cadre takes an exam in Chromium: answers save as they change, answers given offline
are kept and sent when the network returns, a reload keeps them, and when the time runs
out the page submits with every answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.exams.models import Attempt, AttemptAnswer
from app.timeutil import utcnow
from tests.browser.conftest import log_in
from tests.exams.conftest import cadre, make_exam, make_question  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_take_an_exam_offline_and_let_the_time_run_out(live_server, page, db, cadre,  # noqa: F811
                                                       make_question, make_exam):  # noqa: F811
    single, true_false, fill = (make_question("single_choice"), make_question("true_false"),
                                make_question("fill_blank"))
    now = utcnow()
    exam = make_exam([single, true_false, fill], opens_at=now - timedelta(hours=1),
                     closes_at=now + timedelta(days=1), time_limit_s=600, grace_s=5)
    log_in(page, live_server, "cadre01")
    page.goto(f"{live_server}/exams/{exam.id}")
    page.get_by_test_id("start").click()
    page.wait_for_url(f"{live_server}/attempts/*")

    def state(question):
        return page.locator(f"#q-{question.id} [data-testid=save-state]")

    page.locator(f"#q-{single.id} input[value=B]").check()
    expect(state(single)).to_have_attribute("data-state", "textSaved")

    page.context.set_offline(True)
    page.locator(f"#q-{true_false.id} input[value=true]").check()
    blanks = page.locator(f"#q-{fill.id} input[type=text]")
    blanks.nth(0).fill("第一空")
    blanks.nth(1).fill("第二空")
    expect(state(fill)).to_have_attribute("data-state", "textOffline")
    assert "未保存" in page.get_by_test_id("sync-state").inner_text()
    stored = page.evaluate("Object.keys(JSON.parse(localStorage.getItem('exam-attempt:' + "
                           "document.getElementById('exam').dataset.attemptId)))")
    assert sorted(stored) == sorted([str(true_false.id), str(fill.id)])

    page.context.set_offline(False)
    expect(page.get_by_test_id("sync-state")).to_have_text("所有答案已保存。", timeout=15_000)
    for question in (single, true_false, fill):
        expect(state(question)).to_have_attribute("data-state", "textSaved")
    attempt = db.session.scalar(sa.select(Attempt))
    saved = {a.question_id: a.answer for a in db.session.scalars(sa.select(AttemptAnswer))}
    assert saved[single.id] == "B" and saved[true_false.id] is True
    assert saved[fill.id] == ["第一空", "第二空"]

    page.reload()
    assert page.locator(f"#q-{single.id} input[value=B]").is_checked()
    assert page.locator(f"#q-{true_false.id} input[value=true]").is_checked()
    assert page.locator(f"#q-{fill.id} input[type=text]").nth(1).input_value() == "第二空"

    # Move the deadline close and reload: the page counts down and submits by itself.
    db.session.refresh(attempt)
    attempt.deadline = utcnow() + timedelta(seconds=3)
    db.session.commit()
    page.reload()
    page.wait_for_url(f"{live_server}/attempts/{attempt.id}", timeout=15_000)
    page.get_by_test_id("result").wait_for(timeout=15_000)
    db.session.expire_all()
    final = db.session.get(Attempt, attempt.id)
    assert final.status == "graded" and final.score is not None
    assert final.score >= 2  # the single choice and the true/false were right
