"""Plans by post, assignments, newcomer orientation, and a change of post."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.accounts.services import assign_post
from app.courses import plans
from app.courses.models import Course
from tests.courses.conftest import T0

TODAY = date(2026, 11, 25)


def titles(items):
    return [i.course.title for i in items]


@pytest.fixture
def courses(db, lessons):
    import sqlalchemy as sa

    return {c.key: c for c in db.session.scalars(sa.select(Course))}


def test_a_post_brings_its_required_courses(db, courses, posts, make_user):
    user = make_user(post=posts["cadre_officer"], joined_on=date(2015, 1, 1))
    items = plans.plan_for(user, TODAY)
    assert titles(items) == ["干部选拔任用工作"]
    assert items[0].source == "post" and items[0].due_on is None
    assert items[0].status(TODAY) == "not_started"


def test_a_newcomer_also_gets_the_orientation_course(db, courses, posts, make_user):
    user = make_user(post=posts["cadre_officer"], joined_on=date(2026, 10, 1))
    items = plans.plan_for(user, TODAY)
    orientation = next(i for i in items if i.source == "orientation")
    assert orientation.course.key == "self-building"
    assert orientation.due_on == date(2026, 10, 1) + timedelta(days=plans.ORIENTATION_DAYS)
    # A year later they are no longer a newcomer.
    assert "self-building" not in [i.course.key for i in plans.plan_for(user, date(2027, 10, 2))]


def test_overdue_when_past_the_due_date_and_not_complete(db, courses, posts, make_user):
    user = make_user(joined_on=date(2026, 1, 1))
    item = plans.plan_for(user, date(2026, 5, 1))[0]
    assert item.status(date(2026, 5, 1)) == "overdue"


def test_assignments_reach_units_below_and_the_earliest_due_date_wins(db, courses, make_unit, make_user):
    dept = make_unit("组织部", kind="department")
    section = make_unit("干部室", parent=dept)
    user = make_user(org_unit=section)
    boss = make_user(roles=("manager",), org_unit=dept)
    plans.assign(courses["cadre-selection"], due_on=date(2026, 12, 31), by=boss, org_unit=dept)
    plans.assign(courses["cadre-selection"], due_on=date(2026, 12, 15), by=boss, user=user)
    db.session.commit()
    items = plans.plan_for(user, TODAY)
    assert titles(items) == ["干部选拔任用工作"]
    assert items[0].due_on == date(2026, 12, 15) and items[0].source == "assignment"
    outsider = make_user(org_unit=make_unit("城关镇", kind="town"))
    assert plans.plan_for(outsider, TODAY) == []


def test_an_assignment_needs_a_valid_target_and_a_due_date_not_past(db, courses, make_user, make_unit):
    boss = make_user(roles=("manager",))
    with pytest.raises(plans.ValidationFailed):
        plans.assign(courses["cadre-selection"], due_on=None, by=boss)
    with pytest.raises(plans.ValidationFailed):
        plans.assign(courses["cadre-selection"], due_on=None, by=boss, user=boss, org_unit=make_unit())
    with pytest.raises(plans.ValidationFailed):
        plans.assign(courses["cadre-selection"], due_on=date(2020, 1, 1), by=boss, user=boss, today=TODAY)


def test_a_post_within_a_subtree_reaches_only_that_post_there(db, courses, posts, make_unit, make_user):
    dept = make_unit("组织部", kind="department")
    section = make_unit("干部室", parent=dept)
    town = make_unit("城关镇", kind="town")
    officer = posts["organization_officer"]
    inside = make_user(org_unit=section, post=officer, joined_on=date(2015, 1, 1))
    other_post = make_user(org_unit=section, post=posts["cadre_officer"], joined_on=date(2015, 1, 1))
    outside = make_user(org_unit=town, post=officer, joined_on=date(2015, 1, 1))
    boss = make_user(roles=("manager",), org_unit=dept)
    plans.assign(courses["self-building"], due_on=date(2026, 12, 31), by=boss, post=officer, org_unit=dept)
    db.session.commit()
    assert "self-building" in [i.course.key for i in plans.plan_for(inside, TODAY)]
    assert "self-building" not in [i.course.key for i in plans.plan_for(other_post, TODAY)]
    assert "self-building" not in [i.course.key for i in plans.plan_for(outside, TODAY)]


def test_a_manager_assigns_to_a_post_in_their_subtree_through_the_page(client, db, courses, posts,
                                                                        make_unit, make_user):
    from app.courses.models import CourseAssignment
    from tests.conftest import csrf_token, login

    dept = make_unit("组织部", kind="department")
    make_user(username="boss", roles=("manager",), org_unit=dept)
    login(client, "boss")
    page = client.get("/manage/assignments").get_data(as_text=True)
    post = posts["organization_officer"]
    assert f'value="post:{post.id}"' in page
    token = csrf_token(client, "/manage/assignments")
    form = {"csrf_token": token, "course_id": courses["self-building"].id, "target": f"post:{post.id}"}
    late = client.post("/manage/assignments", data={**form, "due_on": "2020-01-01"})
    assert late.status_code == 200 and "已经过去" in late.get_data(as_text=True)
    ok = client.post("/manage/assignments", data={**form, "due_on": "2026-12-31"})
    assert ok.status_code == 302
    row = db.session.scalar(sa.select(CourseAssignment))
    assert (row.post_id, row.org_unit_id) == (post.id, dept.id)


def test_changing_post_brings_the_new_plan_and_keeps_the_old(db, courses, posts, make_user, lessons):
    from app.courses.services import heartbeat

    user = make_user(post=posts["cadre_officer"], joined_on=date(2015, 1, 1))
    lesson = lessons["cs-initiation"]
    heartbeat(user, lesson, visible=True, at_end=True, now=T0)
    heartbeat(user, lesson, visible=True, at_end=True, now=T0 + timedelta(seconds=30))
    heartbeat(user, lesson, visible=True, at_end=True, now=T0 + timedelta(seconds=60))
    assign_post(user, posts["organization_officer"], start=date(2026, 11, 1))
    db.session.commit()
    assert plans.plan_for(user, TODAY) == []  # the new post requires nothing in this handbook
    history = plans.past_post_items(user)
    assert len(history) == 1
    assignment, items = history[0]
    assert assignment.post.code == "cadre_officer" and assignment.end_date == date(2026, 11, 1)
    assert items[0].progress.completed == 1 and items[0].progress.lessons == 2


def test_plan_page_shows_progress_due_dates_and_overdue(client, db, courses, posts, make_user):
    from tests.conftest import login

    make_user(username="newbie", post=posts["cadre_officer"], joined_on=date(2020, 1, 1))
    login(client, "newbie")
    html = client.get("/plan").get_data(as_text=True)
    assert "干部选拔任用工作" in html
    assert 'data-status="not_started"' in html
    assert 'role="progressbar"' in html
