"""The completion report and the plans behind it cost a fixed number of queries, whatever the
number of cadres: the leaderboard and the exam results copy what this does."""

from datetime import date, timedelta

import pytest

from app.courses import plans
from app.courses.models import LessonProgress, PostCourse
from app.reports.services import completion
from app.timeutil import utcnow

TODAY = date(2026, 11, 25)


@pytest.fixture
def county(db, make_unit, make_user, make_post, make_course, make_lesson):
    def build(cadres: int):
        dept = make_unit("组织部", kind="department")
        sections = [make_unit(f"组室{i}", parent=dept) for i in range(3)]
        post = make_post("干部工作岗")
        other_post = make_post("组织工作岗", area="organization")
        course, extra = make_course("干部选拔任用"), make_course("干部教育培训")
        orientation = make_course("新进组工干部入门", orientation=True)
        lessons = [make_lesson(course), make_lesson(course), make_lesson(extra), make_lesson(orientation)]
        db.session.add(PostCourse(post_id=post.id, course_id=course.id))
        manager = make_user(username="boss", roles=("manager",), org_unit=dept)
        plans.assign(extra, due_on=TODAY + timedelta(days=30), by=manager, org_unit=sections[0])
        plans.assign(extra, due_on=TODAY - timedelta(days=3), by=manager, post=other_post)
        people = []
        for i in range(cadres):
            user = make_user(org_unit=sections[i % 3], post=post if i % 2 else other_post,
                             joined_on=TODAY - timedelta(days=30 if i % 5 == 0 else 900))
            people.append(user)
            if i % 3 == 0:
                db.session.add(LessonProgress(user_id=user.id, lesson_id=lessons[0].id, seconds=60,
                                              opened_at=utcnow(), completed_at=utcnow()))
        db.session.commit()
        return manager, people

    return build


def _report_queries(db, count_queries, manager) -> tuple[int, object]:
    db.session.expire_all()
    with count_queries() as counter:
        report = completion(manager, TODAY)
        # What the page shows of each person must be loaded already.
        for row in report.people:
            _ = (row.user.name, row.user.org_unit.name if row.user.org_unit else None, row.user.current_post)
    return counter.count, report


def test_the_report_costs_the_same_at_10_and_at_200_cadres(db, county, count_queries, make_user):
    manager, people = county(10)
    at_10, report_10 = _report_queries(db, count_queries, manager)
    post = people[1].current_post
    for i in range(190):
        make_user(org_unit=people[i % 3].org_unit, post=post)
    at_200, report_200 = _report_queries(db, count_queries, manager)
    assert len(report_10.people) == 10 and len(report_200.people) == 200
    assert at_200 == at_10, (at_10, at_200)
    assert at_10 <= 20, at_10
    assert report_200.total.required > report_10.total.required


def test_plans_for_many_users_match_each_users_plan(db, county):
    manager, people = county(12)
    together = plans.plans_for(people, TODAY)
    for user in people:
        alone = plans.plan_for(user, TODAY)
        assert [(i.course.id, i.source, i.due_on, i.completed, i.progress.completed) for i in alone] == \
            [(i.course.id, i.source, i.due_on, i.completed, i.progress.completed) for i in together[user.id]]
    assert any(i.status(TODAY) == "overdue" for items in together.values() for i in items)
    assert any(i.source == "orientation" for items in together.values() for i in items)
    assert any(i.source == "assignment" for items in together.values() for i in items)
    assert any(i.progress.completed for items in together.values() for i in items)
