"""Questions, their immutable published versions, and the review trail."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.courses.models import Lesson
from app.db import JSONType, UTCDateTime
from app.extensions import db
from app.questions.types import REGISTRY
from app.timeutil import utcnow
from app.vocabulary import AREAS, TIERS, sql_in

STATUSES = {
    "draft": _l("Draft"),
    "in_review": _l("In review"),
    "published": _l("Published"),
    "retired": _l("Retired"),
}
USAGES = {"practice": _l("Practice"), "exam": _l("Exams"), "both": _l("Practice and exams")}


class Question(db.Model):
    """A question's identity, classification and status. Its text lives in versions;
    `current_version` is the newest. Stem and hash are copied here for fast lists."""

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint(f"type IN {sql_in(REGISTRY)}", name="type"),
        CheckConstraint(f"area IN {sql_in(AREAS)}", name="area"),
        CheckConstraint(f"tier IN {sql_in(TIERS)}", name="tier"),
        CheckConstraint(f"status IN {sql_in(STATUSES)}", name="status"),
        CheckConstraint(f"usage IN {sql_in(USAGES)}", name="usage"),
        CheckConstraint("difficulty BETWEEN 1 AND 5", name="difficulty"),
        Index("ix_questions_filter", "status", "area", "type", "tier"),
        Index("ix_questions_lesson", "lesson_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The bank never holds the same question twice; importing a file again adds nothing.
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    source_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    type: Mapped[str] = mapped_column(String(20))
    area: Mapped[str] = mapped_column(String(32))
    tier: Mapped[str] = mapped_column(String(16))
    difficulty: Mapped[int] = mapped_column(Integer, default=3)
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id", ondelete="SET NULL"))
    usage: Mapped[str] = mapped_column(String(10), default="both")
    category: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(12), default="draft")
    stem_text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_versions.id", ondelete="SET NULL", use_alter=True,
                   name="fk_questions_current_version_id_question_versions"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    lesson: Mapped[Lesson | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    current_version: Mapped[QuestionVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True)
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question", foreign_keys="QuestionVersion.question_id",
        order_by="QuestionVersion.version.desc()")


class QuestionVersion(db.Model):
    """The text of a question at one point. A version that was ever published is frozen:
    attempts point at it, so an edit makes a new version instead."""

    __tablename__ = "question_versions"
    __table_args__ = (UniqueConstraint("question_id", "version"),
                      CheckConstraint("points > 0", name="points"))

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    # stem, stem_format, options, answer, blanks, case_sensitive, explanation,
    # reference_answer, rubric, true_feedback, false_feedback
    content: Mapped[dict] = mapped_column(JSONType)
    points: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal(1))  # exact, never a float
    tags: Mapped[list] = mapped_column(JSONType, default=list)
    # area, tier, difficulty, usage, category, lesson ("course/lesson" key or null)
    meta: Mapped[dict] = mapped_column(JSONType, default=dict)
    content_hash: Mapped[str] = mapped_column(String(64))
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    question: Mapped[Question] = relationship(back_populates="versions", foreign_keys=[question_id])
    created_by: Mapped[User | None] = relationship()


class QuestionReview(db.Model):
    """The review trail: submitted, approved, returned, retired, published on import."""

    __tablename__ = "question_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"),
                                             index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("question_versions.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()
