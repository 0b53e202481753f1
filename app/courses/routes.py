"""Learning pages for cadres: courses, lessons, the plan, the timeline, collective check-in."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.permissions import get_visible_user, roles_required
from app.courses import collective, services
from app.courses.forms import CheckInForm
from app.extensions import db
from app.timeutil import local_today, utcnow
from app.traces.services import daily_study, timeline
from app.web.forms import db_int
from app.web.unit import attempt, perform

bp = Blueprint("courses", __name__)
TIMELINE_PAGE = 50


@bp.route("/courses")
@login_required
def index():
    courses = services.visible_courses()
    return render_template("courses/index.html", courses=courses,
                           progress=services.course_progress(current_user, courses))


@bp.route("/courses/<int:course_id>")
@login_required
def course(course_id: int):
    course = services.get_course(course_id)
    lessons = services.published_lessons(course)
    progress = services.progress_by_lesson(current_user, [ls.id for ls in lessons])
    modules: dict[int, list] = {}
    for lesson in lessons:
        modules.setdefault(lesson.module_id, []).append(lesson)
    return render_template("courses/course.html", course=course, modules=modules,
                           lessons=lessons, progress=progress,
                           summary=services.course_progress(current_user, [course])[course.id])


@bp.route("/lessons/<int:lesson_id>")
@login_required
def lesson(lesson_id: int):
    lesson = services.get_lesson(lesson_id)
    progress = perform(lambda: services.open_lesson(current_user, lesson, now=utcnow()))
    siblings = services.published_lessons(lesson.course)
    index = next(i for i, ls in enumerate(siblings) if ls.id == lesson.id)
    return render_template(
        "courses/lesson.html", lesson=lesson, progress=progress,
        previous=siblings[index - 1] if index > 0 else None,
        following=siblings[index + 1] if index + 1 < len(siblings) else None,
        interval=current_app.config["HEARTBEAT_INTERVAL_S"],
        idle_after=current_app.config["HEARTBEAT_IDLE_AFTER_S"],
    )


@bp.route("/timeline")
@login_required
def my_timeline():
    return _timeline_page(current_user)


@bp.route("/people/<int:user_id>/timeline")
@roles_required("manager", "admin")
def person_timeline(user_id: int):
    return _timeline_page(get_visible_user(current_user, user_id))


def _timeline_page(user):
    page = db.paginate(timeline(user), page=request.args.get("page", 1, type=db_int), per_page=TIMELINE_PAGE,
                       error_out=False)
    days: dict = {}
    for trace in page.items:
        days.setdefault(local_today(trace.at), []).append(trace)
    return render_template("courses/timeline.html", person=user, page=page, days=days,
                           totals=daily_study(user, days))


@bp.route("/collective/check-in", methods=["GET", "POST"])
@login_required
def check_in():
    form = CheckInForm()
    if form.validate_on_submit():
        done = attempt(lambda: collective.check_in(current_user, form.code.data, now=utcnow()))
        if done.ok:
            session, new = done.value
            if new:
                flash(_("Checked in to %(title)s.", title=session.title), "success")
            else:
                flash(_("You had already checked in to %(title)s.", title=session.title), "info")
            return redirect(url_for(".check_in"))
    return render_template("courses/check_in.html", form=form)


@bp.app_template_filter("duration")
def duration_filter(seconds: int | None) -> str:
    """Seconds as 1小时2分 / 3分5秒 (or h/min/s in English)."""
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(h)dh %(m)dmin", h=hours, m=minutes)
    if minutes:
        return _("%(m)dmin %(s)ds", m=minutes, s=secs) if secs else _("%(m)dmin", m=minutes)
    return _("%(s)ds", s=secs)

