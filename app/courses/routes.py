"""Learning pages for cadres: courses, lessons, the plan, the timeline, collective check-in."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.permissions import get_visible_user, roles_required
from app.courses import collective, covers, services
from app.courses.forms import CheckInForm
from app.extensions import db
from app.i18n import current_language
from app.timeutil import local_today, utcnow
from app.traces.services import daily_study, timeline
from app.vocabulary import AREAS, TIERS
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
                           lessons=lessons, progress=progress, next_step=next_step(lessons, progress),
                           studied=sum(p.seconds for p in progress.values()),
                           required=sum(ls.min_seconds for ls in lessons),
                           summary=services.course_progress(current_user, [course])[course.id])


def next_step(lessons: list, progress: dict) -> tuple[str, object] | None:
    """What the course page's main button does: ("start", first lesson) before any study,
    ("continue", first unfinished lesson) after, ("review", first lesson) once all are done."""
    if not lessons:
        return None
    unfinished = [ls for ls in lessons if not (progress.get(ls.id) and progress[ls.id].completed_at)]
    if not unfinished:
        return "review", lessons[0]
    started = any(p.seconds or p.completed_at for p in progress.values())
    return ("continue" if started else "start"), unfinished[0]


@bp.route("/courses/covers/<area>.svg")
@login_required
def cover(area: str):
    """The cover of a business area's courses, its name in the language asked for."""
    if not covers.known_area(area):
        abort(404)
    lang = request.args.get("lang")
    tier = request.args.get("tier", "")
    with force_locale(lang if lang in current_app.config["LANGUAGES"] else current_app.config["LANGUAGES"][0]):
        label = str(AREAS[area])
        tier_label = str(TIERS[tier]) if tier in TIERS else ""
    response = Response(covers.cover_svg(area, label, tier, tier_label), mimetype="image/svg+xml")
    response.cache_control.private = True
    response.cache_control.max_age = 86400
    return response


@bp.route("/lessons/<int:lesson_id>")
@login_required
def lesson(lesson_id: int):
    lesson = services.get_lesson(lesson_id)
    progress = perform(lambda: services.open_lesson(current_user, lesson, now=utcnow()), expire=False)
    siblings = services.published_lessons(lesson.course)
    index = next(i for i, ls in enumerate(siblings) if ls.id == lesson.id)
    return render_template(
        "courses/lesson.html", lesson=lesson, progress=progress,
        previous=siblings[index - 1] if index > 0 else None,
        following=siblings[index + 1] if index + 1 < len(siblings) else None,
        # The forms of `duration`, unfilled, for the page's script to fill as time accrues.
        formats={"s": _("%(s)ds"), "ms": _("%(m)dmin %(s)ds"), "m": _("%(m)dmin"), "hm": _("%(h)dh %(m)dmin")},
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


@bp.app_template_filter("study_time")
def study_time_filter(seconds: int | None) -> str:
    """Study time in whole minutes (2小时5分 past an hour): how people count study, not seconds."""
    seconds = int(seconds or 0)
    if seconds == 0:
        return _("%(m)dmin", m=0)
    if seconds < 60:
        return _("under 1 min")
    hours, minutes = divmod(seconds // 60, 60)
    if hours:
        return _("%(h)dh %(m)dmin", h=hours, m=minutes) if minutes else _("%(h)dh", h=hours)
    return _("%(m)dmin", m=minutes)


@bp.app_template_filter("class_hours")
def class_hours_filter(seconds: int | None) -> str:
    """Study time in 学时, one decimal, by the department's MINUTES_PER_CLASS_HOUR."""
    per_hour = current_app.config["MINUTES_PER_CLASS_HOUR"] * 60
    value = f"{(seconds or 0) / per_hour:.1f}".removesuffix(".0")
    return _("%(n)s class hours", n=value)


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



@bp.app_template_global("cover_url")
def cover_url(course) -> str:
    """The cover image of a course, its area's name in the page's language."""
    return url_for("courses.cover", area=course.area, tier=course.tier, lang=current_language())
