"""Trainer pages: edit lessons with preview, versions, publish; schedule collective study.
Manager pages: assign courses to org units, posts and people."""

from __future__ import annotations

import difflib
from datetime import UTC, datetime

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select

from app.accounts import org
from app.accounts.models import OrgUnit, Post, User
from app.accounts.permissions import (
    get_visible_unit,
    get_visible_user,
    roles_required,
    visible_units,
    visible_users,
)
from app.courses import collective, plans, services
from app.courses.forms import AssignmentForm, CollectiveSessionForm, LessonEditForm
from app.courses.markdown import render
from app.courses.models import (
    Attendance,
    CollectiveSession,
    Course,
    CourseAssignment,
    Lesson,
    LessonVersion,
    Module,
)
from app.extensions import db
from app.timeutil import LOCAL_TZ, local_today, utcnow
from app.web.forms import EmptyForm, choices, db_int
from app.web.unit import attempt, perform

bp = Blueprint("teach", __name__)
PREVIEW_LIMIT = 200_000
STATUS_LABELS = {"published": _l("Published"), "unpublished": _l("Unpublished"),
                 "archived": _l("Archived")}
VERSION_SOURCES = {"import": _l("Handbook import"), "editor": _l("Edited in the browser")}


@bp.context_processor
def labels():
    return {"STATUS_LABELS": STATUS_LABELS, "VERSION_SOURCES": VERSION_SOURCES}


def _lesson(lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None:
        abort(404)
    return lesson


@bp.route("/teach/lessons")
@roles_required("trainer", "admin")
def lessons():
    courses = db.session.scalars(select(Course).order_by(Course.status != "published",
                                                        Course.position)).all()
    rows = db.session.scalars(select(Lesson).join(Lesson.module).order_by(
        Lesson.course_id, Module.position, Lesson.position)).all()
    by_course: dict[int, list[Lesson]] = {}
    for lesson in rows:
        by_course.setdefault(lesson.course_id, []).append(lesson)
    return render_template("teach/lessons.html", courses=courses, by_course=by_course,
                           toggle_form=EmptyForm())


@bp.route("/teach/lessons/<int:lesson_id>/edit", methods=["GET", "POST"])
@roles_required("trainer", "admin")
def edit_lesson(lesson_id: int):
    lesson = _lesson(lesson_id)
    form = LessonEditForm(obj=lesson)
    if form.validate_on_submit():
        done = attempt(lambda: services.edit_lesson(
            lesson, title=form.title.data, body_md=form.body_md.data,
            min_seconds=form.min_seconds.data, editor=current_user, now=utcnow()))
        if done.ok:
            changed = done.value
            flash(_("Saved as version %(n)d.", n=lesson.version) if changed else _("Nothing changed."),
                  "success" if changed else "info")
            return redirect(url_for(".edit_lesson", lesson_id=lesson.id))
    return render_template("teach/edit_lesson.html", lesson=lesson, form=form,
                           preview_html=render(form.body_md.data or "").html)


@bp.post("/teach/preview")
@roles_required("trainer", "admin")
def preview():
    """The sanitized HTML of posted Markdown, exactly as a cadre will see it."""
    text = request.form.get("body_md", "")
    if len(text) > PREVIEW_LIMIT:
        abort(413)
    return jsonify(html=render(text).html)


@bp.post("/teach/lessons/<int:lesson_id>/publish")
@roles_required("trainer", "admin")
def toggle_publish(lesson_id: int):
    lesson = _lesson(lesson_id)
    if EmptyForm().validate_on_submit():
        perform(lambda: services.set_lesson_published(lesson, lesson.status != "published", now=utcnow()))
        flash(_("Lesson published.") if lesson.status == "published" else _("Lesson unpublished."),
              "success")
    return redirect(url_for(".lessons"))


@bp.route("/teach/lessons/<int:lesson_id>/versions")
@roles_required("trainer", "admin")
def versions(lesson_id: int):
    lesson = _lesson(lesson_id)
    chosen = request.args.get("v", type=db_int)
    version, changes = None, []
    if chosen:
        version = db.session.scalar(select(LessonVersion).where(
            LessonVersion.lesson_id == lesson.id, LessonVersion.version == chosen))
        if version is None:
            abort(404)
        earlier = db.session.scalar(select(LessonVersion).where(
            LessonVersion.lesson_id == lesson.id, LessonVersion.version < chosen)
            .order_by(LessonVersion.version.desc()).limit(1))
        if earlier is not None:
            changes = _changes(earlier, version)
    return render_template("teach/versions.html", lesson=lesson, version=version, changes=changes,
                           version_html=render(version.body_md).html if version else None)


def _changes(old: LessonVersion, new: LessonVersion) -> list[tuple[str, str]]:
    """What changed between two versions, as (kind, line) with kind '+', '-' or '@'."""
    lines = difflib.unified_diff(
        [f"# {old.title} ({old.min_seconds}s)"] + old.body_md.splitlines(),
        [f"# {new.title} ({new.min_seconds}s)"] + new.body_md.splitlines(),
        lineterm="", n=1)
    return [(line[0], line[1:]) for line in lines
            if line[:1] in "+-@" and not line.startswith(("+++", "---"))]


# Collective study -------------------------------------------------------------------------

def _local_to_utc(value: datetime) -> datetime:
    """A naive form datetime, meant in Asia/Shanghai, as aware UTC."""
    return value.replace(tzinfo=LOCAL_TZ).astimezone(UTC)


@bp.route("/teach/collective", methods=["GET", "POST"])
@roles_required("trainer", "admin")
def collective_sessions():
    form = CollectiveSessionForm()
    form.lesson_id.choices = choices([
        (ls.id, f"{ls.course.title} · {ls.title}") for ls in db.session.scalars(
            select(Lesson).join(Lesson.course).where(Lesson.status == "published")
            .order_by(Course.position, Lesson.course_id, Lesson.position))])
    if form.validate_on_submit():
        done = attempt(lambda: collective.schedule(
            title=form.title.data, starts_at=_local_to_utc(form.starts_at.data),
            ends_at=_local_to_utc(form.ends_at.data), place=form.place.data or "",
            link=form.link.data or "",
            lesson=db.session.get(Lesson, form.lesson_id.data) if form.lesson_id.data else None,
            by=current_user))
        if done.ok:
            session = done.value
            flash(_("Scheduled; the check-in code is %(code)s.", code=session.code), "success")
            return redirect(url_for(".collective_session", session_id=session.id))
    return render_template("teach/collective.html", form=form, sessions=collective.recent_sessions(),
                           now=utcnow())


@bp.route("/teach/collective/<int:session_id>")
@roles_required("trainer", "admin")
def collective_session(session_id: int):
    session = db.session.get(CollectiveSession, session_id)
    if session is None:
        abort(404)
    attendance = db.session.scalars(select(Attendance).where(
        Attendance.session_id == session.id).order_by(Attendance.checked_in_at)).all()
    return render_template("teach/collective_session.html", session=session,
                           attendance=attendance, now=utcnow())


# Assignments (managers) ---------------------------------------------------------------------

def _target_choices():
    pairs = [(f"unit:{node.unit.id}", f"{_('Unit')}: {node.label}")
             for node in org.tree(None if current_user.has_role("admin") else current_user.org_unit)
             if current_user.has_role("admin") or current_user.org_unit is not None]
    if current_user.has_role("admin") or current_user.org_unit is not None:
        # An admin's post assignment reaches everyone holding the post; a manager's, those
        # holding it within the manager's own subtree.
        pairs += [(f"post:{p.id}", f"{_('Post')}: {p.name}")
                  for p in db.session.scalars(select(Post).where(Post.active.is_(True)).order_by(Post.name))]
    pairs += [(f"user:{u.id}", f"{_('Person')}: {u.name} ({u.username})")
              for u in db.session.scalars(visible_users(current_user).where(User.active.is_(True))
                                          .order_by(User.username))]
    return pairs


@bp.route("/manage/assignments", methods=["GET", "POST"])
@roles_required("manager", "admin")
def assignments():
    form = AssignmentForm()
    form.course_id.choices = choices((c.id, c.title) for c in services.visible_courses())
    form.target.choices = choices(_target_choices())
    if form.validate_on_submit():
        kind, _sep, raw_id = form.target.data.partition(":")
        course = services.get_course(form.course_id.data)
        target = {}
        if kind == "unit":
            target["org_unit"] = get_visible_unit(current_user, int(raw_id))
        elif kind == "user":
            target["user"] = get_visible_user(current_user, int(raw_id))
        elif kind == "post":
            target["post"] = db.session.get(Post, int(raw_id)) or abort(404)
            if not current_user.has_role("admin"):
                target["org_unit"] = current_user.org_unit
        else:
            abort(400)
        if attempt(lambda: plans.assign_audited(course, due_on=form.due_on.data, by=current_user,
                                                today=local_today(), **target)).ok:
            flash(_("Course assigned."), "success")
            return redirect(url_for(".assignments"))
    query = select(CourseAssignment).order_by(CourseAssignment.created_at.desc())
    if not current_user.has_role("admin"):
        query = query.where(or_(
            CourseAssignment.org_unit_id.in_(visible_units(current_user).with_only_columns(OrgUnit.id)),
            CourseAssignment.user_id.in_(visible_users(current_user).with_only_columns(User.id))))
    rows = db.session.scalars(query.limit(500)).all()
    return render_template("teach/assignments.html", form=form, rows=rows, delete_form=EmptyForm())


@bp.post("/manage/assignments/<int:assignment_id>/delete")
@roles_required("manager", "admin")
def delete_assignment(assignment_id: int):
    row = db.session.get(CourseAssignment, assignment_id)
    if row is None:
        abort(404)
    if EmptyForm().validate_on_submit() and attempt(
            lambda: plans.remove_assignment(row, by=current_user)).ok:
        flash(_("Assignment removed."), "success")
    return redirect(url_for(".assignments"))
