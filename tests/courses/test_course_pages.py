"""Course list and course page: covers, the start/continue button, study time in minutes and 学时."""

import pytest

from app.courses.models import LessonProgress
from app.timeutil import utcnow
from tests.conftest import login


def test_each_area_has_a_cover_with_its_name(client, make_user):
    make_user(username="cadre01")
    login(client, "cadre01")
    response = client.get("/courses/covers/supervision.svg?lang=zh_CN")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "干部监督" in response.get_data(as_text=True)
    english = client.get("/courses/covers/supervision.svg?lang=en").get_data(as_text=True)
    assert "Cadre supervision" in english
    assert "中级" in client.get("/courses/covers/supervision.svg?tier=intermediate").get_data(as_text=True)
    assert client.get("/courses/covers/nonsense.svg").status_code == 404


def test_the_course_list_and_page_show_the_cover(client, make_user, make_lesson):
    lesson = make_lesson(min_seconds=60)
    make_user(username="cadre01")
    login(client, "cadre01")
    assert "/courses/covers/cadre.svg?tier=basic&amp;lang=zh_CN" in client.get("/courses").get_data(as_text=True)
    page = client.get(f"/courses/{lesson.course_id}").get_data(as_text=True)
    assert "/courses/covers/cadre.svg?tier=basic&amp;lang=zh_CN" in page


def _progress(db, user, lesson, seconds, done=False):
    db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id, seconds=seconds, opened_at=utcnow(),
                                  completed_at=utcnow() if done else None))
    db.session.commit()


def _button(html: str) -> str:
    start = html.index('data-testid="next-lesson"')
    return html[start:html.index("</a>", start)]


def test_the_button_starts_then_continues_then_reviews(db, client, make_user, make_course, make_lesson):
    course = make_course("干部选拔任用")
    first, second, third = (make_lesson(course, title=t, min_seconds=240) for t in ("动议", "民主推荐", "考察"))
    user = make_user(username="cadre01")
    login(client, "cadre01")

    button = _button(client.get(f"/courses/{course.id}").get_data(as_text=True))
    assert 'data-kind="start"' in button and f"/lessons/{first.id}" in button and "开始学习" in button

    _progress(db, user, first, 240, done=True)
    _progress(db, user, second, 30)
    button = _button(client.get(f"/courses/{course.id}").get_data(as_text=True))
    assert 'data-kind="continue"' in button and f"/lessons/{second.id}" in button and "继续学习" in button

    # The next unfinished lesson in reading order, even when a later one was opened first.
    db.session.get(LessonProgress, (user.id, second.id)).completed_at = utcnow()
    db.session.commit()
    button = _button(client.get(f"/courses/{course.id}").get_data(as_text=True))
    assert f"/lessons/{third.id}" in button

    _progress(db, user, third, 250, done=True)
    button = _button(client.get(f"/courses/{course.id}").get_data(as_text=True))
    assert 'data-kind="review"' in button and f"/lessons/{first.id}" in button


def test_study_time_reads_in_minutes_and_class_hours(db, app, client, make_user, make_course, make_lesson):
    course = make_course()
    first = make_lesson(course, min_seconds=240)
    make_lesson(course, min_seconds=1800)
    user = make_user(username="cadre01")
    _progress(db, user, first, 148)
    login(client, "cadre01")

    course_page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "148 / 240" not in course_page and "2分钟 / 4分钟" in course_page
    start = course_page.index('data-testid="course-study-time"')
    panel = course_page[start:course_page.index("</div>\n    </div>", start)]
    assert "2分钟" in panel and "34分钟" in panel  # studied / asked for
    assert "0.1 学时" in panel and "0.8 学时" in panel  # 148 s and 2040 s at 45 minutes a 学时

    app.config["MINUTES_PER_CLASS_HOUR"] = 30
    panel = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "1.1 学时" in panel  # 2040 s = 34 min, at 30 minutes a 学时

    lesson_page = client.get(f"/lessons/{first.id}").get_data(as_text=True)
    assert "2分28秒" in lesson_page and "需 4分钟" in lesson_page and " 秒</p>" not in lesson_page
    assert 'data-seconds="148"' in lesson_page


def test_progress_shows_its_number_at_zero(client, make_user, make_lesson):
    lesson = make_lesson()
    make_user(username="cadre01")
    login(client, "cadre01")
    html = client.get(f"/courses/{lesson.course_id}").get_data(as_text=True)
    assert '<span class="meter-value" data-testid="progress-value">0%</span>' in html


def test_the_course_intro_folds_on_a_phone(db, client, make_user, make_lesson):
    lesson = make_lesson()
    lesson.course.intro_html = "<p>很长的课程介绍。</p>"
    db.session.commit()
    make_user(username="cadre01")
    login(client, "cadre01")
    html = client.get(f"/courses/{lesson.course_id}").get_data(as_text=True)
    assert 'class="collapse d-md-block" id="course-intro"' in html
    assert html.index('data-testid="next-lesson"') < html.index('id="course-intro"')


@pytest.mark.parametrize("seconds, text", [(0, "0分钟"), (30, "不足1分钟"), (600, "10分钟"),
                                           (3600, "1小时"), (5000, "1小时23分")])
def test_the_study_time_filter(app, seconds, text):
    from app.courses.routes import study_time_filter

    with app.test_request_context():
        assert study_time_filter(seconds) == text


def test_the_plan_shows_study_time(db, client, make_user, make_course, make_lesson, make_post):
    from app.courses.models import PostCourse

    post = make_post("干部工作岗")
    course = make_course()
    lesson = make_lesson(course, min_seconds=2700)
    db.session.add(PostCourse(post_id=post.id, course_id=course.id))
    user = make_user(username="cadre01", post=post)
    _progress(db, user, lesson, 1350)
    login(client, "cadre01")
    html = client.get("/plan").get_data(as_text=True)
    start = html.index('data-testid="plan-study-time"')
    line = html[start:html.index("</div>", start)]
    assert "22分钟 / 45分钟" in line and "0.5 学时" in line
