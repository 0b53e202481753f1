"""Courses > modules > lessons, lesson versions, progress, plans and collective study."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import OrgUnit, Post, User
from app.db import JSONType, UTCDateTime
from app.extensions import db
from app.timeutil import utcnow
from app.vocabulary import AREAS, TIERS, sql_in

STATUSES = ("published", "unpublished", "archived")


class Course(db.Model):
    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint(f"area IN {sql_in(AREAS)}", name="area"),
        CheckConstraint(f"tier IN {sql_in(TIERS)}", name="tier"),
        CheckConstraint(f"status IN {sql_in(STATUSES)}", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(32))
    tier: Mapped[str] = mapped_column(String(16), default="basic")
    summary: Mapped[str] = mapped_column(Text, default="")
    intro_html: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list] = mapped_column(JSONType, default=list)
    orientation: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="published")
    position: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    modules: Mapped[list[Module]] = relationship(
        back_populates="course", order_by="Module.position", cascade="all, delete-orphan"
    )


class Module(db.Model):
    __tablename__ = "course_modules"
    __table_args__ = (UniqueConstraint("course_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    course: Mapped[Course] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", order_by="Lesson.position"
    )


class Lesson(db.Model):
    __tablename__ = "lessons"
    __table_args__ = (
        CheckConstraint("min_seconds > 0", name="min_seconds"),
        CheckConstraint(f"status IN {sql_in(STATUSES)}", name="status"),
        Index("ix_lessons_course_status", "course_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("course_modules.id", ondelete="RESTRICT"),
                                           index=True)
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    body_md: Mapped[str] = mapped_column(Text)
    # Rendered and sanitized once when the text changes, never per request.
    html: Mapped[str] = mapped_column(Text)
    toc: Mapped[list] = mapped_column(JSONType, default=list)
    min_seconds: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="published")
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Fingerprint of the handbook text at the last import: an unchanged file leaves
    # the lesson alone, so edits made in the browser survive a re-import.
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()
    module: Mapped[Module] = relationship(back_populates="lessons")
    versions: Mapped[list[LessonVersion]] = relationship(
        back_populates="lesson", order_by="LessonVersion.version.desc()",
        cascade="all, delete-orphan",
    )


class LessonVersion(db.Model):
    """A saved state of a lesson's text; the newest equals the lesson itself."""

    __tablename__ = "lesson_versions"
    __table_args__ = (UniqueConstraint("lesson_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text)
    min_seconds: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))  # "import" or "editor"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    lesson: Mapped[Lesson] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()


class LessonProgress(db.Model):
    __tablename__ = "lesson_progress"
    __table_args__ = (CheckConstraint("seconds >= 0", name="seconds"),
                      Index("ix_lesson_progress_lesson", "lesson_id"))

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"),
                                           primary_key=True)
    seconds: Mapped[int] = mapped_column(Integer, default=0)
    reached_end: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CourseCompletion(db.Model):
    __tablename__ = "course_completions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           primary_key=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StudyClock(db.Model):
    """Where and when a user's last heartbeat landed: one lesson at a time per user.
    `last_beat_at` is null while paused (the tab was hidden)."""

    __tablename__ = "study_clocks"
    __table_args__ = (CheckConstraint("sitting_seconds >= 0", name="sitting_seconds"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    last_beat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The sitting being counted: credited seconds on one lesson since it opened. It becomes
    # one `studied` trace when it closes (a pause, another lesson, completion, or a gap).
    sitting_lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id", ondelete="SET NULL"))
    sitting_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sitting_last_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    sitting_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class PostCourse(db.Model):
    """A course a post requires."""

    __tablename__ = "post_courses"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"),
                                         primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           primary_key=True)

    post: Mapped[Post] = relationship()
    course: Mapped[Course] = relationship()


class CourseAssignment(db.Model):
    """A manager's extra assignment of a course, with an optional due date, to one of: a
    person; an org unit (with its subtree); a post (everyone holding it); or a post within
    an org unit's subtree (how a manager assigns to a post inside their own part of the tree)."""

    __tablename__ = "course_assignments"
    __table_args__ = (
        CheckConstraint(
            "(user_id IS NOT NULL AND org_unit_id IS NULL AND post_id IS NULL)"
            " OR (user_id IS NULL AND (org_unit_id IS NOT NULL OR post_id IS NOT NULL))",
            name="target",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           index=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    due_on: Mapped[date | None] = mapped_column(Date)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()
    org_unit: Mapped[OrgUnit | None] = relationship()
    post: Mapped[Post | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])


class CollectiveSession(db.Model):
    """A scheduled collective study (集体导学, 周一大课堂) with a check-in code."""

    __tablename__ = "collective_sessions"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="window"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200), default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    code: Mapped[str] = mapped_column(String(12), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lesson: Mapped[Lesson | None] = relationship()
    attendances: Mapped[list[Attendance]] = relationship(back_populates="session")


class Attendance(db.Model):
    __tablename__ = "collective_attendance"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("collective_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)

    session: Mapped[CollectiveSession] = relationship(back_populates="attendances")
    user: Mapped[User] = relationship()
