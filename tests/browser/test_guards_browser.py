"""In Chromium: a second tab on another lesson is told it is not counting, and risky
buttons ask before they act."""

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.courses.handbook import import_handbook
from app.courses.models import Lesson
from app.timeutil import utcnow
from tests.browser.conftest import log_in
from tests.browser.test_lesson_browser import status, wait_until
from tests.courses.conftest import write_handbook

pytestmark = pytest.mark.browser

TWO = """\
---
course: quick
title: 快速课程
area: organization
tier: basic
posts: []
min_seconds: 60
---

# 第一单元

## 三会一课 {#quick-one}

支部党员大会一般每季度召开一次。

## 主题党日 {#quick-two}

主题党日每月相对固定一天。
"""


@pytest.fixture
def app_config():
    return {"HEARTBEAT_INTERVAL_S": 1}


def test_a_second_tab_on_another_lesson_says_it_is_not_counting(page, live_server, make_user, db, tmp_path):
    write_handbook(tmp_path / "hb", {"01-quick.md": TWO})
    import_handbook(tmp_path / "hb", now=utcnow())
    db.session.commit()
    first, second = db.session.scalars(sa.select(Lesson).order_by(Lesson.position)).all()
    make_user(username="cadre01")
    log_in(page, live_server, "cadre01")
    page.goto(f"{live_server}/lessons/{first.id}")
    page.mouse.move(10, 10)
    wait_until(page, lambda: status(page) == "正在计时", 5000)
    other = page.context.new_page()
    other.goto(f"{live_server}/lessons/{second.id}")
    other.mouse.move(10, 10)
    wait_until(other, lambda: "另一个页面或设备正在为您计时" in status(other), 8000)


def test_deactivating_a_user_asks_first(page, live_server, make_user, db):
    make_user(username="boss", roles=("admin",))
    target = make_user(username="someone", name="某同志")
    log_in(page, live_server, "boss")
    page.goto(f"{live_server}/admin/users/{target.id}/edit")
    seen = []
    page.once("dialog", lambda dialog: (seen.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="停用").click()
    wait_until(page, lambda: bool(seen), 5000)
    assert "某同志" in seen[0]
    db.session.expire_all()
    assert db.session.get(User, target.id).active  # dismissed: nothing happened
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="停用").click()
    page.get_by_role("button", name="重新启用").wait_for()  # the page now offers to reactivate
    db.session.expire_all()
    assert not db.session.get(User, target.id).active
