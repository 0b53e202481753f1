"""Trainer pages: edit with preview, versions with changes, publish; manager assignments."""

import re

import pytest
import sqlalchemy as sa

from app.courses.models import CourseAssignment, Lesson
from tests.conftest import csrf_token, login


@pytest.fixture
def trainer(client, make_user, lessons):
    make_user(username="trainer", roles=("trainer",))
    login(client, "trainer")


def test_lesson_list_shows_every_lesson(client, trainer):
    html = client.get("/teach/lessons").get_data(as_text=True)
    assert "民主推荐" in html and "公道正派" in html


def test_edit_makes_a_new_version_and_shows_what_changed(client, db, trainer, lessons):
    lesson = lessons["cs-initiation"]
    url = f"/teach/lessons/{lesson.id}/edit"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "title": "动议",
                                      "min_seconds": 120, "body_md": "### 新标题\n\n改写后的正文。"})
    assert response.status_code == 302
    db.session.expire_all()
    lesson = db.session.get(Lesson, lesson.id)
    assert lesson.version == 2 and lesson.min_seconds == 120 and "改写后的正文" in lesson.html
    versions = client.get(f"/teach/lessons/{lesson.id}/versions?v=2").get_data(as_text=True)
    assert "与上一版本相比的改动" in versions
    assert "+ 改写后的正文。" in versions
    assert "- 动议前要分析研判" in versions


def test_preview_is_sanitized_like_the_lesson(client, trainer):
    token = csrf_token(client, "/teach/lessons")
    html = client.post("/teach/preview", data={"body_md": "**粗体**<script>x()</script>"},
                       headers={"X-CSRFToken": token}).get_json()["html"]
    assert "<strong>粗体</strong>" in html and "<script>" not in html


def test_unpublish_hides_the_lesson_from_cadres(app, client, db, trainer, lessons, make_user):
    lesson = lessons["cs-initiation"]
    client.post(f"/teach/lessons/{lesson.id}/publish", data={"csrf_token": csrf_token(client, "/teach/lessons")})
    cadre = app.test_client()
    make_user(username="reader")
    login(cadre, "reader")
    assert cadre.get(f"/lessons/{lesson.id}").status_code == 404
    client.post(f"/teach/lessons/{lesson.id}/publish", data={"csrf_token": csrf_token(client, "/teach/lessons")})
    assert cadre.get(f"/lessons/{lesson.id}").status_code == 200


def test_cadres_cannot_reach_teaching_pages(client, make_user, lessons):
    make_user(username="reader")
    login(client, "reader")
    assert client.get("/teach/lessons").status_code == 403
    assert client.get(f"/teach/lessons/{lessons['cs-initiation'].id}/edit").status_code == 403


def test_schedule_collective_study_shows_the_code(client, trainer, lessons):
    url = "/teach/collective"
    response = client.post(url, data={
        "csrf_token": csrf_token(client, url), "title": "周一大课堂", "lesson_id": lessons["cs-initiation"].id,
        "starts_at": "2026-11-30T08:30", "ends_at": "2026-11-30T10:00", "place": "三楼会议室", "link": ""},
        follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "签到码为" in html
    code = re.search(r'data-testid="code">(\w+)<', html).group(1)
    assert len(code) == 6


def test_manager_assigns_within_the_subtree_only(client, db, make_unit, make_user, lessons):
    dept = make_unit("组织部", kind="department")
    section = make_unit("干部室", parent=dept)
    town = make_unit("城关镇", kind="town")
    make_user(username="head", roles=("manager",), org_unit=section)
    login(client, "head")
    page = client.get("/manage/assignments").get_data(as_text=True)
    assert f"unit:{section.id}" in page and f"unit:{town.id}" not in page
    course_id = lessons["cs-initiation"].course_id
    token = csrf_token(client, "/manage/assignments")
    ok = client.post("/manage/assignments", data={"csrf_token": token, "course_id": course_id,
                                                  "target": f"unit:{section.id}", "due_on": "2026-12-31"})
    assert ok.status_code == 302
    refused = client.post("/manage/assignments", data={"csrf_token": token, "course_id": course_id,
                                                       "target": f"unit:{town.id}"})
    assert refused.status_code == 200  # not a valid choice for this manager
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CourseAssignment)) == 1


def test_a_section_head_cannot_remove_what_the_department_assigned(client, db, make_unit, make_user, lessons):
    from app.accounts.models import AuditEntry
    from app.courses import plans

    dept = make_unit("组织部", kind="department")
    section = make_unit("干部室", parent=dept)
    boss = make_user(username="boss", roles=("manager",), org_unit=dept)
    make_user(username="head", roles=("manager",), org_unit=section)
    course = lessons["cs-initiation"].course
    from_above = plans.assign(course, due_on=None, by=boss, org_unit=section)
    db.session.commit()
    login(client, "head")
    token = csrf_token(client, "/manage/assignments")
    client.post(f"/manage/assignments/{from_above.id}/delete", data={"csrf_token": token})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CourseAssignment)) == 1
    client.post("/manage/assignments", data={"csrf_token": token, "course_id": course.id,
                                             "target": f"unit:{section.id}", "due_on": "2026-12-31"})
    own = db.session.scalar(sa.select(CourseAssignment).where(CourseAssignment.id != from_above.id))
    client.post(f"/manage/assignments/{own.id}/delete", data={"csrf_token": token})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CourseAssignment)) == 1
    actions = list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-2:] == ["assignment.create", "assignment.delete"]


def test_an_admins_assignment_is_above_every_manager(client, db, make_unit, make_user, lessons):
    from app.courses import plans

    dept = make_unit("组织部", kind="department")
    section = make_unit("干部室", parent=dept)
    # The admin's own unit lies inside the section head's subtree: acts count, not units.
    admin = make_user(username="root", roles=("admin",), org_unit=section)
    make_user(username="head", roles=("manager",), org_unit=section)
    course = lessons["cs-initiation"].course
    row = plans.assign(course, due_on=None, by=admin, org_unit=section)
    db.session.commit()
    login(client, "head")
    token = csrf_token(client, "/manage/assignments")
    response = client.post(f"/manage/assignments/{row.id}/delete", data={"csrf_token": token},
                           follow_redirects=True)
    assert "这项指派由上级作出" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CourseAssignment)) == 1


def test_acted_above_compares_acts(make_unit, make_user):
    from app.accounts.permissions import acted_above

    dept = make_unit("组织部", kind="department")
    section = make_unit("干部室", parent=dept)
    admin = make_user(username="root", roles=("admin",), org_unit=section)
    boss = make_user(username="boss", roles=("manager",), org_unit=dept)
    head = make_user(username="head", roles=("manager",), org_unit=section)
    peer = make_user(username="peer", roles=("manager",), org_unit=section)
    assert acted_above(admin, head) and acted_above(admin, boss) and acted_above(boss, head)
    assert not acted_above(head, boss) and not acted_above(peer, head) and not acted_above(head, head)
    assert not acted_above(boss, admin) and not acted_above(None, head)
