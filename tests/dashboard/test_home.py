"""The home page (工作台) per role: only cards with content, figures that match the report."""

from datetime import date, timedelta

import sqlalchemy as sa

from app.courses import collective, plans
from app.courses.models import LessonProgress, PostCourse
from app.questions import services as questions
from app.reports.services import completion
from app.timeutil import local_today, utcnow
from tests.conftest import login


def _author(db, question, user):
    question.created_by_id = user.id
    question.current_version.created_by_id = user.id
    db.session.commit()


def test_a_cadre_sees_what_is_due_rings_and_the_sessions_ahead(db, client, make_user, make_course,
                                                              make_lesson, make_post, make_unit):
    post = make_post("干部工作岗")
    required, assigned = make_course("干部选拔任用"), make_course("干部教育培训")
    lesson = make_lesson(required, min_seconds=2700)
    make_lesson(assigned, min_seconds=2700)
    db.session.add(PostCourse(post_id=post.id, course_id=required.id))
    unit = make_unit("干部室")
    boss = make_user(username="boss", roles=("manager",), org_unit=unit)
    cadre = make_user(username="cadre01", post=post, org_unit=unit)
    plans.assign(assigned, due_on=local_today() - timedelta(days=1), by=boss, org_unit=unit)  # overdue
    db.session.add(LessonProgress(user_id=cadre.id, lesson_id=lesson.id, seconds=1350, opened_at=utcnow()))
    trainer = make_user(username="trainer", roles=("trainer",))
    starts = utcnow() + timedelta(days=2)
    collective.schedule(title="周一大课堂", starts_at=starts, ends_at=starts + timedelta(hours=1),
                        place="三楼会议室", link="", lesson=lesson, by=trainer)
    far = utcnow() + timedelta(days=20)
    collective.schedule(title="远期课堂", starts_at=far, ends_at=far + timedelta(hours=1),
                        place="三楼会议室", link="", lesson=lesson, by=trainer)
    db.session.commit()

    login(client, "cadre01")
    html = client.get("/").get_data(as_text=True)
    due = html[html.index('data-testid="due"'):]
    assert due.index("干部教育培训") < due.index("干部选拔任用")  # overdue first
    assert "逾期" in html
    assert html.count('data-testid="ring"') == 3
    assert 'data-value="0"' in html  # 0 of 2 items, shown as 0 %
    assert '<span class="ring-label" style="font-size: 19px">0%</span>' in html
    assert 'data-value="25"' in html  # study time: 1350 of the 5400 s both courses ask for
    assert "0.5 学时 / 2 学时" in html
    sessions = html[html.index('data-testid="sessions"'):]
    assert "周一大课堂" in sessions and "三楼会议室" in sessions and "开放签到" in sessions
    assert "远期课堂" not in html
    assert "签到码" not in sessions  # the code is read out at the session, not shown ahead
    assert 'data-testid="trainer-desk"' not in html and 'data-testid="manager-desk"' not in html


def test_no_empty_cards(db, client, make_user):
    make_user(username="cadre01")
    login(client, "cadre01")
    html = client.get("/").get_data(as_text=True)
    for slot in ("cadre-desk", "sessions", "trainer-desk", "manager-desk"):
        assert f'data-testid="{slot}"' not in html, slot


def test_a_trainer_sees_what_they_may_approve_and_what_came_back(db, client, make_user, make_question):
    me = make_user(username="trainer", roles=("trainer",))
    other = make_user(username="trainer2", roles=("trainer",))
    mine = make_question(status="draft", stem="我写的题：干部选拔任用的第一步是什么？")
    _author(db, mine, me)
    questions.submit(mine, actor=me, now=utcnow())
    theirs = make_question(status="draft", stem="同事写的题：民主推荐包括哪两种方式？")
    _author(db, theirs, other)
    questions.submit(theirs, actor=other, now=utcnow())
    returned = make_question(status="draft", stem="被退回的题：考察的重点是什么？")
    _author(db, returned, me)
    questions.submit(returned, actor=me, now=utcnow())
    questions.reject(returned, actor=other, comment="选项B的表述不准确", now=utcnow() + timedelta(seconds=1))
    db.session.commit()

    login(client, "trainer")
    html = client.get("/").get_data(as_text=True)
    review = html[html.index('data-testid="to-review"'):html.index('data-testid="returned"')]
    assert "同事写的题" in review and "我写的题" not in review
    assert '<span class="badge rounded-pill text-bg-warning fw-normal" data-testid="to-review-count">1</span>' in html
    back = html[html.index('data-testid="returned"'):]
    assert "被退回的题" in back and "选项B的表述不准确" in back

    # Once resubmitted, it no longer waits on its author.
    questions.submit(returned, actor=me, now=utcnow() + timedelta(seconds=2))
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert 'data-testid="returned"' not in html


def test_the_managers_head_count_matches_the_report(db, client, make_user, make_unit, make_course, make_post):
    dept = make_unit("组织部", kind="department")
    section = make_unit("干部室", parent=dept)
    course = make_course("干部教育培训")
    boss = make_user(username="boss", roles=("manager",), org_unit=dept)
    make_user(username="admin", roles=("admin",), org_unit=section)  # not a cadre
    make_user(username="trainer", roles=("trainer",), org_unit=section)  # staff, not a cadre
    make_user(username="gone", org_unit=section, active=False)  # no longer active
    late = make_user(username="late", name="迟到者", org_unit=section)
    make_user(username="fine", name="按时者", org_unit=section)
    plans.assign(course, due_on=date(2026, 1, 1), by=boss, user=late)
    db.session.commit()

    report = completion(boss, local_today())
    assert report.total.people == 2
    login(client, "boss")
    html = client.get("/").get_data(as_text=True)
    assert '<div class="stat-value" data-testid="head-count">2</div>' in html
    people = html[html.index('data-testid="overdue-people"'):]
    assert "迟到者" in people and "按时者" not in people
    units = html[html.index('data-testid="overdue-units"'):]
    assert "干部室" in units
    assert '<div class="stat-value" data-testid="overdue-count">1</div>' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(sa.text("users"))) == 6  # 2 of 6 count
