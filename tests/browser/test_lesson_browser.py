"""A cadre reads a lesson in Chromium: time accrues only while the tab is visible, and the
lesson completes once the time is in and the reader reached the end."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from app.courses.handbook import import_handbook
from app.courses.models import Lesson, LessonProgress
from app.timeutil import utcnow
from tests.browser.conftest import log_in
from tests.courses.conftest import write_handbook

pytestmark = pytest.mark.browser

SHORT = """\
---
course: quick
title: 快速课程
area: organization
tier: basic
posts: []
min_seconds: 5
---

# 第一单元

## 三会一课 {#quick-lesson}

### 支部党员大会

支部党员大会一般每季度召开一次。

{filler}
"""


@pytest.fixture
def app_config():
    return {"HEARTBEAT_INTERVAL_S": 1}


@pytest.fixture
def lesson(db, tmp_path):
    filler = "\n\n".join(f"第{i}段：党支部要按时召开支部委员会会议、党小组会，按时上党课。" for i in range(60))
    write_handbook(tmp_path / "hb", {"01-quick.md": SHORT.replace("{filler}", filler)})
    import_handbook(tmp_path / "hb", now=utcnow())
    db.session.commit()
    return db.session.scalar(sa.select(Lesson))


def credited(page) -> int:
    return int(page.get_by_test_id("credited").inner_text())


def wait_until(page, predicate, timeout_ms: int) -> None:
    # Polls from Python: the page's CSP forbids the eval that wait_for_function needs.
    for _ in range(timeout_ms // 100):
        if predicate():
            return
        page.wait_for_timeout(100)
    raise AssertionError("timed out")


def status(page) -> str:
    return page.get_by_test_id("study-status").inner_text().strip()


def set_visibility(page, state: str) -> None:
    page.evaluate("""state => {
        Object.defineProperty(document, 'visibilityState', {value: state, configurable: true});
        Object.defineProperty(document, 'hidden', {value: state === 'hidden', configurable: true});
        document.dispatchEvent(new Event('visibilitychange'));
    }""", state)


def test_time_accrues_only_while_visible_and_the_lesson_completes(page, live_server, make_user, lesson, db):
    user = make_user(username="cadre01")
    log_in(page, live_server, "cadre01")

    page.goto(f"{live_server}/lessons/{lesson.id}")
    page.mouse.move(10, 10)
    wait_until(page, lambda: credited(page) >= 2, 8000)

    with page.expect_response(lambda r: "/heartbeat" in r.url):  # the pausing beat lands
        set_visibility(page, "hidden")
    paused_at = credited(page)
    # While hidden the page beats no more: waiting three intervals for a beat finds none.
    with pytest.raises(PlaywrightTimeout):
        page.wait_for_event("request", lambda r: "/heartbeat" in r.url, timeout=3000)
    db.session.expire_all()
    stored = db.session.get(LessonProgress, (user.id, lesson.id)).seconds
    assert stored <= paused_at + 1  # nothing accrued while hidden
    assert credited(page) == paused_at

    set_visibility(page, "visible")
    assert status(page) != "本课已完成"
    wait_until(page, lambda: credited(page) >= lesson.min_seconds, 10000)
    with page.expect_response(lambda r: "/heartbeat" in r.url):  # one more beat with the time in
        pass
    assert status(page) != "本课已完成"  # the time is in, but the reader has not reached the end

    page.locator("#lesson-end").scroll_into_view_if_needed()
    page.mouse.wheel(0, 100)
    wait_until(page, lambda: status(page) == "本课已完成", 8000)
    db.session.expire_all()
    progress = db.session.get(LessonProgress, (user.id, lesson.id))
    assert progress.completed_at is not None and progress.reached_end
    assert progress.seconds >= lesson.min_seconds
