"""Courses, lessons, heartbeats and the learning plan."""

from __future__ import annotations

from datetime import datetime, time

from flask import current_app, jsonify
from flask_login import current_user, login_required

from app.api.base import bp
from app.api.serializers import iso
from app.courses import plans, services
from app.planitems import PlanEntry
from app.plans import services as plan_services
from app.timeutil import LOCAL_TZ, local_today, utcnow
from app.web.json_body import Field, parse_body
from app.web.unit import perform


@bp.get("/courses")
@login_required
def list_courses():
    courses = services.visible_courses()
    progress = services.course_progress(current_user, courses)
    return jsonify(courses=[
        {"id": c.id, "key": c.key, "title": c.title, "area": c.area, "tier": c.tier,
         "progress": round(progress[c.id].fraction, 4),
         "lessons": progress[c.id].lessons, "completed_lessons": progress[c.id].completed}
        for c in courses
    ])


@bp.get("/courses/<int:course_id>")
@login_required
def get_course(course_id: int):
    course = services.get_course(course_id)
    lessons = services.published_lessons(course)
    progress = services.progress_by_lesson(current_user, [ls.id for ls in lessons])
    modules = []
    for module in course.modules:
        items = [ls for ls in lessons if ls.module_id == module.id]
        if not items:
            continue
        modules.append({"id": module.id, "title": module.title, "lessons": [
            {"id": ls.id, "key": ls.key, "title": ls.title, "min_seconds": ls.min_seconds,
             "seconds": progress[ls.id].seconds if ls.id in progress else 0,
             "completed": bool(ls.id in progress and progress[ls.id].completed_at)}
            for ls in items]})
    return jsonify(id=course.id, key=course.key, title=course.title, area=course.area,
                   tier=course.tier, summary=course.summary, modules=modules)


@bp.get("/lessons/<int:lesson_id>")
@login_required
def get_lesson(lesson_id: int):
    lesson = services.get_lesson(lesson_id)
    progress = perform(lambda: services.open_lesson(current_user, lesson, now=utcnow()))
    return jsonify(id=lesson.id, key=lesson.key, title=lesson.title, course_id=lesson.course_id,
                   html=lesson.html, toc=lesson.toc, min_seconds=lesson.min_seconds,
                   version=lesson.version,
                   progress={"seconds": progress.seconds, "reached_end": progress.reached_end,
                             "completed": progress.completed_at is not None})


@bp.post("/lessons/<int:lesson_id>/heartbeat")
@login_required
def lesson_heartbeat(lesson_id: int):
    body = parse_body({"visible": Field(bool, default=True), "at_end": Field(bool, default=False)})
    lesson = services.get_lesson(lesson_id)
    result = perform(lambda: services.heartbeat(
        current_user, lesson, visible=body["visible"], at_end=body["at_end"], now=utcnow(),
        max_credit=current_app.config["HEARTBEAT_MAX_CREDIT_S"]))
    return jsonify(credited_seconds=result.credited_seconds, total_seconds=result.total_seconds,
                   completed=result.completed, clock=result.clock)


@bp.get("/me/plan")
@login_required
def my_plan():
    today = local_today()

    def item_json(item: PlanEntry) -> dict:
        # A due date means "by the end of that day" in the department's time zone.
        due_at = (datetime.combine(item.due_on, time(23, 59, 59), LOCAL_TZ)
                  if item.due_on is not None else None)
        return {"kind": item.kind, "id": item.id, "title": item.title,
                "required": item.required, "source": item.source,
                "due_at": iso(due_at), "due_on": iso(item.due_on), "status": item.status(today),
                "progress": round(item.progress, 4), **item.extra}

    history = [
        {"post": {"id": assignment.post.id, "code": assignment.post.code, "name": assignment.post.name},
         "start_date": iso(assignment.start_date), "end_date": iso(assignment.end_date),
         "items": [item_json(plans.entry(item)) for item in items]}
        for assignment, items in plans.past_post_items(current_user)
    ]
    return jsonify(items=[item_json(item) for item in plan_services.plan_for(current_user, today)],
                   history=history)
