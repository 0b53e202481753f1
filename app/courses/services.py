"""Learning services: reading lessons, crediting study time, completion, lesson editing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.courses.markdown import render
from app.courses.models import (
    Course,
    CourseCompletion,
    Lesson,
    LessonProgress,
    LessonVersion,
    Module,
    StudyClock,
)
from app.db import is_unique_violation
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.timeutil import local_today
from app.traces.models import Trace
from app.traces.services import Event, record

MAX_CREDIT_PER_BEAT_S = 30
# A sitting ends when no credit came for this long (the page beats every 15 s and pauses
# after 2 minutes idle, so a longer silence is a closed browser or a lost network).
SITTING_GAP_S = 180


@dataclass(frozen=True)
class HeartbeatResult:
    credited_seconds: int
    total_seconds: int
    completed: bool
    # Why the clock did what it did: "counting" (credited or started here), "paused" (a
    # hidden or idle page), "elsewhere" (another tab or device was studying another lesson
    # moments ago, so this beat took the clock over and credited nothing).
    clock: str = "counting"


@dataclass(frozen=True)
class CourseProgress:
    course: Course
    lessons: int
    completed: int

    @property
    def fraction(self) -> float:
        return self.completed / self.lessons if self.lessons else 0.0


def visible_courses() -> list[Course]:
    """Published courses in handbook order."""
    return list(db.session.scalars(
        select(Course).where(Course.status == "published").order_by(Course.position, Course.id)))


def get_course(course_id: int) -> Course:
    """A published course, or NotFound."""
    course = db.session.get(Course, course_id)
    if course is None or course.status != "published":
        raise NotFound()
    return course


def get_lesson(lesson_id: int) -> Lesson:
    """A published lesson of a published course, or NotFound."""
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or lesson.status != "published" or lesson.course.status != "published":
        raise NotFound()
    return lesson


def published_lessons(course: Course) -> list[Lesson]:
    """The course's published lessons in reading order."""
    return list(db.session.scalars(
        select(Lesson).join(Lesson.module)
        .where(Lesson.course_id == course.id, Lesson.status == "published")
        .order_by(Module.position, Lesson.position)))


def progress_by_lesson(user: User, lesson_ids: list[int]) -> dict[int, LessonProgress]:
    """The user's progress rows for these lessons, by lesson id."""
    if not lesson_ids:
        return {}
    rows = db.session.scalars(select(LessonProgress).where(
        LessonProgress.user_id == user.id, LessonProgress.lesson_id.in_(lesson_ids)))
    return {row.lesson_id: row for row in rows}


def course_progress(user: User, courses: list[Course]) -> dict[int, CourseProgress]:
    """Completed and total published lessons per course for `user`, in two queries."""
    both = courses_progress([user.id], courses)
    return {c.id: both[user.id, c.id] for c in courses}


def courses_progress(user_ids: list[int], courses: list[Course]) -> dict[tuple[int, int], CourseProgress]:
    """Completed and total published lessons per (user id, course id), in two queries."""
    ids = [c.id for c in courses]
    if not ids or not user_ids:
        return {}
    totals = dict(db.session.execute(
        select(Lesson.course_id, func.count()).where(
            Lesson.course_id.in_(ids), Lesson.status == "published").group_by(Lesson.course_id)).all())
    done = {(user_id, course_id): n for user_id, course_id, n in db.session.execute(
        select(LessonProgress.user_id, Lesson.course_id, func.count()).join(
            LessonProgress, LessonProgress.lesson_id == Lesson.id).where(
            Lesson.course_id.in_(ids), Lesson.status == "published",
            LessonProgress.user_id.in_(user_ids), LessonProgress.completed_at.is_not(None))
        .group_by(LessonProgress.user_id, Lesson.course_id))}
    return {(u, c.id): CourseProgress(c, totals.get(c.id, 0), done.get((u, c.id), 0))
            for u in user_ids for c in courses}


def open_lesson(user: User, lesson: Lesson, *, now: datetime) -> LessonProgress:
    """Note that `user` opened `lesson` (a trace per lesson and day) and return their progress."""
    progress = _progress_row(user, lesson, now)
    record(Event(key=f"opened:{user.id}:{lesson.id}:{local_today(now).isoformat()}",
                 actor=user, verb="opened", object_type="lesson", object_id=lesson.id,
                 object_name=lesson.title, at=now,
                 context={"course_id": lesson.course_id}))
    return progress


def heartbeat(user: User, lesson: Lesson, *, visible: bool, at_end: bool, now: datetime,
              max_credit: int = MAX_CREDIT_PER_BEAT_S) -> HeartbeatResult:
    """Credit study time for a heartbeat from the lesson page.

    The server credits at most the wall time since the user's previous beat on this same
    lesson, and at most `max_credit` seconds. A beat on another lesson (a second tab or
    device) moves the clock there and credits nothing; a hidden tab pauses the clock.
    Concurrent beats race on a compare-and-swap of the clock, so only one of them credits.
    Credited time gathers in a sitting, recorded as one `studied` trace when it closes.
    """
    progress = _progress_row(user, lesson, now)
    if visible and at_end and not progress.reached_end:
        db.session.execute(update(LessonProgress).where(
            LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson.id
        ).values(reached_end=True))
    credit, clock = _advance_clock(user, lesson, visible=visible, now=now, max_credit=max_credit)
    if credit:
        db.session.execute(update(LessonProgress).where(
            LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson.id
        ).values(seconds=LessonProgress.seconds + credit))
    db.session.refresh(progress)
    completed = progress.completed_at is not None or _maybe_complete(user, lesson, progress, now)
    return HeartbeatResult(credit, progress.seconds, completed, clock)


def close_sitting(user: User, *, stale_before: datetime | None = None) -> Trace | None:
    """Close the user's open sitting, if any (only one whose last credit is older than
    `stale_before`, when given): its credited seconds become one `studied` trace dated at
    its last credit. A compare-and-swap on the sitting makes a racing credit win: the
    sitting then stays open and closes later, so no second is lost or counted twice."""
    row = db.session.execute(select(
        StudyClock.sitting_lesson_id, StudyClock.sitting_started_at, StudyClock.sitting_last_at,
        StudyClock.sitting_seconds).where(StudyClock.user_id == user.id)).one_or_none()
    if row is None or row.sitting_started_at is None:
        return None
    if stale_before is not None and row.sitting_last_at >= stale_before:
        return None
    closed = db.session.execute(update(StudyClock).where(
        StudyClock.user_id == user.id, StudyClock.sitting_started_at == row.sitting_started_at,
        StudyClock.sitting_seconds == row.sitting_seconds,
    ).values(sitting_lesson_id=None, sitting_started_at=None, sitting_last_at=None,
             sitting_seconds=0)).rowcount
    lesson = db.session.get(Lesson, row.sitting_lesson_id) if row.sitting_lesson_id else None
    if closed != 1 or lesson is None or row.sitting_seconds <= 0:
        return None
    return record(Event(
        key=f"studied:{user.id}:{lesson.id}:{row.sitting_started_at.isoformat()}", actor=user,
        verb="studied", object_type="lesson", object_id=lesson.id, object_name=lesson.title,
        at=row.sitting_last_at, duration_s=row.sitting_seconds,
        context={"course_id": lesson.course_id, "started_at": row.sitting_started_at.isoformat()}))


def _advance_clock(user: User, lesson: Lesson, *, visible: bool, now: datetime,
                   max_credit: int) -> tuple[int, str]:
    """Move the user's one study clock to `lesson` at `now`; the seconds it credits and why."""
    clock = db.session.execute(
        select(StudyClock.lesson_id, StudyClock.last_beat_at, StudyClock.sitting_lesson_id,
               StudyClock.sitting_last_at).where(StudyClock.user_id == user.id)
    ).one_or_none()
    if clock is None:
        try:
            with db.session.begin_nested():
                db.session.execute(insert(StudyClock).values(
                    user_id=user.id, lesson_id=lesson.id, last_beat_at=now if visible else None,
                    sitting_seconds=0))
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
        return 0, "counting" if visible else "paused"
    lesson_id, last_beat_at, sitting_lesson_id, sitting_last_at = clock
    same_clock = (StudyClock.user_id == user.id) & (StudyClock.lesson_id == lesson_id) & (
        StudyClock.last_beat_at.is_(None) if last_beat_at is None
        else StudyClock.last_beat_at == last_beat_at)
    if not visible:
        close_sitting(user)  # a hidden tab ends the sitting
        db.session.execute(update(StudyClock).where(StudyClock.user_id == user.id)
                           .values(lesson_id=lesson.id, last_beat_at=None))
        return 0, "paused"
    if lesson_id != lesson.id or last_beat_at is None:
        # (Re)start the clock here. If another lesson's page was counting moments ago, this
        # is a second tab or device: say so, since neither page will earn time while both beat.
        busy = (lesson_id != lesson.id and last_beat_at is not None
                and (now - last_beat_at).total_seconds() < 2 * max_credit)
        # Never move the clock back: a beat that was slow to arrive must not reopen time the
        # other lesson has already been credited for.
        start = max(now, last_beat_at) if last_beat_at is not None else now
        db.session.execute(update(StudyClock).where(same_clock).values(
            lesson_id=lesson.id, last_beat_at=start))
        return 0, "elsewhere" if busy else "counting"
    elapsed = (now - last_beat_at).total_seconds()
    if elapsed <= 0:
        return 0, "counting"  # a beat that is not later than the last one changes nothing
    credit = min(int(elapsed), max_credit)
    # Within the cap the clock moves by whole credited seconds, so the fraction left over
    # counts on the next beat; past the cap the excess is dropped.
    moved_to = last_beat_at + timedelta(seconds=credit) if elapsed <= max_credit else now
    continues = (sitting_lesson_id == lesson.id and sitting_last_at is not None
                 and (now - sitting_last_at).total_seconds() <= SITTING_GAP_S)
    if continues:
        sitting = {"sitting_seconds": StudyClock.sitting_seconds + credit, "sitting_last_at": now}
    else:
        close_sitting(user)  # another lesson's sitting, or one left open across a gap
        sitting = {"sitting_lesson_id": lesson.id, "sitting_started_at": last_beat_at,
                   "sitting_seconds": credit, "sitting_last_at": now}
    swapped = db.session.execute(
        update(StudyClock).where(same_clock).values(lesson_id=lesson.id, last_beat_at=moved_to,
                                                    **sitting)
    ).rowcount
    return (credit if swapped == 1 else 0), "counting"


def _maybe_complete(user: User, lesson: Lesson, progress: LessonProgress, now: datetime) -> bool:
    if progress.seconds < lesson.min_seconds or not progress.reached_end:
        return False
    done = db.session.execute(update(LessonProgress).where(
        LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson.id,
        LessonProgress.completed_at.is_(None)).values(completed_at=now)).rowcount
    if done:
        close_sitting(user)  # the timeline reads: studied the lesson, then completed it
        record(Event(key=f"completed:lesson:{user.id}:{lesson.id}", actor=user, verb="completed",
                     object_type="lesson", object_id=lesson.id, object_name=lesson.title, at=now,
                     completion=True, context={"course_id": lesson.course_id}))
        _maybe_complete_course(user, lesson.course, now)
    return True


def _maybe_complete_course(user: User, course: Course, now: datetime) -> None:
    progress = course_progress(user, [course])[course.id]
    if progress.lessons == 0 or progress.completed < progress.lessons:
        return
    try:
        with db.session.begin_nested():
            db.session.add(CourseCompletion(user_id=user.id, course_id=course.id, completed_at=now))
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        return
    record(Event(key=f"completed:course:{user.id}:{course.id}", actor=user, verb="completed",
                 object_type="course", object_id=course.id, object_name=course.title, at=now,
                 completion=True))


def _progress_row(user: User, lesson: Lesson, now: datetime) -> LessonProgress:
    row = db.session.get(LessonProgress, (user.id, lesson.id))
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            db.session.execute(insert(LessonProgress).values(
                user_id=user.id, lesson_id=lesson.id, seconds=0, reached_end=False, opened_at=now))
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
    return db.session.get(LessonProgress, (user.id, lesson.id))


# Trainer editing --------------------------------------------------------------------------

def edit_lesson(lesson: Lesson, *, title: str, body_md: str, min_seconds: int, editor: User,
                now: datetime) -> bool:
    """Save a trainer's edit as a new version; False when nothing changed."""
    title, body_md = title.strip(), body_md.strip() + "\n"
    if not title or not body_md.strip():
        raise ValidationFailed(_l("A lesson needs a title and text."))
    if min_seconds <= 0:
        raise ValidationFailed(_l("The minimum reading time must be positive."))
    if (title, body_md, min_seconds) == (lesson.title, lesson.body_md, lesson.min_seconds):
        return False
    rendered = render(body_md)
    lesson.title, lesson.body_md, lesson.min_seconds = title, body_md, min_seconds
    lesson.html, lesson.toc = rendered.html, rendered.toc
    lesson.version += 1
    lesson.updated_at = now
    db.session.add(LessonVersion(lesson=lesson, version=lesson.version, title=title,
                                 body_md=body_md, min_seconds=min_seconds, source="editor",
                                 created_at=now, created_by_id=editor.id))
    db.session.flush()
    return True


def set_lesson_published(lesson: Lesson, published: bool, *, now: datetime) -> None:
    """Publish or unpublish a lesson (archived lessons come back only through the handbook)."""
    if lesson.status == "archived":
        raise ValidationFailed(_l("An archived lesson comes back only through a handbook import."))
    lesson.status = "published" if published else "unpublished"
    lesson.updated_at = now
    db.session.flush()
