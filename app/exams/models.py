"""Exams, their paper versions, audiences, attempts and saved answers.

An exam's settings (title, window, time limit...) change in place; its paper does not once
an attempt used it: editing the paper of a version with attempts makes a new `ExamVersion`,
and every attempt points at the version it drew from, with its own sealed paper.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import OrgUnit, Post, User
from app.courses.models import Lesson
from app.db import JSONType, UTCDateTime
from app.extensions import db
from app.questions.models import Question
from app.timeutil import utcnow
from app.vocabulary import AREAS, TIERS, sql_in

KINDS = {
    "exam": _l("Exam"),
    "practice": _l("Practice"),
    "daily": _l("Daily quiz"),
    "certification": _l("Certification"),
}
# Kinds whose attempts count in exam statistics and results.
FORMAL_KINDS = ("exam", "certification")
EXAM_STATUSES = {"draft": _l("Draft"), "published": _l("Published"), "archived": _l("Archived")}
COUNTING = {"highest": _l("Highest score"), "last": _l("Last attempt"), "first": _l("First attempt")}
MC_POLICIES = {"all_or_nothing": _l("All or nothing"),
               "partial": _l("Half credit for a correct subset")}
REVIEW_POLICIES = {"immediately": _l("Immediately after submitting"),
                   "after_close": _l("After the exam closes"), "never": _l("Never")}
PAPER_MODES = {"fixed": _l("Fixed questions"), "rules": _l("Drawn by rules")}
ATTEMPT_STATUSES = {
    "in_progress": _l("In progress"),
    "submitted": _l("Submitted"),
    "pending_review": _l("Waiting for grading"),
    "graded": _l("Graded"),
}
# Question types a rule may name (the registry's codes; kept literal so the models do not
# depend on the registry's import order).
QUESTION_TYPES = ("single_choice", "multiple_choice", "true_false", "fill_blank", "essay")

Score = Numeric(10, 2)
Points = Numeric(8, 2)


class Exam(db.Model):
    """An exam's identity and settings; its paper lives in versions."""

    __tablename__ = "exams"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(KINDS)}", name="kind"),
        CheckConstraint(f"status IN {sql_in(EXAM_STATUSES)}", name="status"),
        CheckConstraint(f"counting IN {sql_in(COUNTING)}", name="counting"),
        CheckConstraint(f"multiple_choice_policy IN {sql_in(MC_POLICIES)}", name="mc_policy"),
        CheckConstraint(f"review_policy IN {sql_in(REVIEW_POLICIES)}", name="review_policy"),
        CheckConstraint(f"area IS NULL OR area IN {sql_in(AREAS)}", name="area"),
        CheckConstraint(f"tier IS NULL OR tier IN {sql_in(TIERS)}", name="tier"),
        CheckConstraint("kind <> 'certification' OR (area IS NOT NULL AND tier IS NOT NULL)",
                        name="certification_area"),
        CheckConstraint("pass_score >= 0 AND pass_score <= 100", name="pass_score"),
        CheckConstraint("time_limit_s IS NULL OR time_limit_s > 0", name="time_limit"),
        CheckConstraint("max_attempts IS NULL OR max_attempts > 0", name="max_attempts"),
        CheckConstraint("grace_s >= 0 AND grace_s <= 600", name="grace"),
        CheckConstraint("max_tab_switches IS NULL OR max_tab_switches > 0", name="tab_switches"),
        CheckConstraint("closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at",
                        name="window"),
        CheckConstraint("version >= 1", name="version"),
        Index("ix_exams_status_kind", "status", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), default="exam")
    area: Mapped[str | None] = mapped_column(String(32))
    tier: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12), default="draft")
    version: Mapped[int] = mapped_column(Integer, default=1)  # the current paper version
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    time_limit_s: Mapped[int | None] = mapped_column(Integer)
    max_attempts: Mapped[int | None] = mapped_column(Integer)
    counting: Mapped[str] = mapped_column(String(10), default="highest")
    pass_score: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("60"))
    shuffle: Mapped[bool] = mapped_column(Boolean, default=False)
    multiple_choice_policy: Mapped[str] = mapped_column(String(16), default="all_or_nothing")
    review_policy: Mapped[str] = mapped_column(String(12), default="after_close")
    grace_s: Mapped[int] = mapped_column(Integer, default=30)
    max_tab_switches: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()
    versions: Mapped[list[ExamVersion]] = relationship(
        back_populates="exam", order_by="ExamVersion.version", cascade="all, delete-orphan")
    audience: Mapped[list[ExamAudience]] = relationship(
        back_populates="exam", cascade="all, delete-orphan")

    @property
    def current_version(self) -> ExamVersion:
        return next(v for v in self.versions if v.version == self.version)

    def __repr__(self) -> str:
        return f"<Exam {self.id} v{self.version} {self.title}>"


class ExamVersion(db.Model):
    """One paper of an exam: fixed items or drawing rules. Frozen once an attempt used it."""

    __tablename__ = "exam_versions"
    __table_args__ = (
        UniqueConstraint("exam_id", "version"),
        CheckConstraint(f"paper_mode IN {sql_in(PAPER_MODES)}", name="paper_mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    paper_mode: Mapped[str] = mapped_column(String(8), default="fixed")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    exam: Mapped[Exam] = relationship(back_populates="versions")
    items: Mapped[list[PaperItem]] = relationship(
        back_populates="exam_version", order_by="PaperItem.position", cascade="all, delete-orphan")
    rules: Mapped[list[PaperRule]] = relationship(
        back_populates="exam_version", order_by="PaperRule.position", cascade="all, delete-orphan")


class PaperItem(db.Model):
    """A question of a fixed paper, its points (null: the question's own) and its place."""

    __tablename__ = "exam_paper_items"
    __table_args__ = (
        UniqueConstraint("exam_version_id", "question_id"),
        CheckConstraint("points IS NULL OR points > 0", name="points"),
        CheckConstraint("position >= 0", name="position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_version_id: Mapped[int] = mapped_column(ForeignKey("exam_versions.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="RESTRICT"),
                                             index=True)
    points: Mapped[Decimal | None] = mapped_column(Points)
    position: Mapped[int] = mapped_column(Integer, default=0)

    exam_version: Mapped[ExamVersion] = relationship(back_populates="items")
    question: Mapped[Question] = relationship()


class PaperRule(db.Model):
    """Draw `count` questions of an area, type and tier (optionally of a lesson or with a
    tag), each worth `points`."""

    __tablename__ = "exam_paper_rules"
    __table_args__ = (
        CheckConstraint(f"area IN {sql_in(AREAS)}", name="area"),
        CheckConstraint(f"tier IN {sql_in(TIERS)}", name="tier"),
        CheckConstraint(f"qtype IN {sql_in(QUESTION_TYPES)}", name="qtype"),
        CheckConstraint("count > 0 AND count <= 500", name="count"),
        CheckConstraint("points > 0", name="points"),
        CheckConstraint("position >= 0", name="position"),
        Index("ix_exam_paper_rules_version", "exam_version_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_version_id: Mapped[int] = mapped_column(ForeignKey("exam_versions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    area: Mapped[str] = mapped_column(String(32))
    qtype: Mapped[str] = mapped_column(String(20))
    tier: Mapped[str] = mapped_column(String(16))
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id", ondelete="SET NULL"))
    tag: Mapped[str | None] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(Integer)
    points: Mapped[Decimal] = mapped_column(Points)

    exam_version: Mapped[ExamVersion] = relationship(back_populates="rules")
    lesson: Mapped[Lesson | None] = relationship()


class ExamAudience(db.Model):
    """Who may take an exam: an org unit with its subtree, a post, or a person. An exam
    with no audience rows is open to everyone."""

    __tablename__ = "exam_audience"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN org_unit_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN post_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN user_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target"),
        Index("ix_exam_audience_exam", "exam_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    exam: Mapped[Exam] = relationship(back_populates="audience")
    org_unit: Mapped[OrgUnit | None] = relationship()
    post: Mapped[Post | None] = relationship()
    user: Mapped[User | None] = relationship()


class PostExam(db.Model):
    """An exam a post requires (listed in the plan of everyone holding the post)."""

    __tablename__ = "post_exams"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"),
                                         primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"),
                                         primary_key=True)

    post: Mapped[Post] = relationship()
    exam: Mapped[Exam] = relationship()


class PostCertificationTarget(db.Model):
    """A certification tier a post expects in an area (初级 / 中级 / 专家)."""

    __tablename__ = "post_certification_targets"
    __table_args__ = (
        UniqueConstraint("post_id", "area"),
        CheckConstraint(f"area IN {sql_in(AREAS)}", name="area"),
        CheckConstraint(f"tier IN {sql_in(TIERS)}", name="tier"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    area: Mapped[str] = mapped_column(String(32))
    tier: Mapped[str] = mapped_column(String(16))

    post: Mapped[Post] = relationship()


class Attempt(db.Model):
    """One sitting of an exam by one person, with the paper it drew sealed by a hash."""

    __tablename__ = "attempts"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(ATTEMPT_STATUSES)}", name="status"),
        CheckConstraint(f"kind IN {sql_in(KINDS)}", name="kind"),
        CheckConstraint("attempt_no >= 1", name="attempt_no"),
        CheckConstraint("tab_switches >= 0", name="tab_switches"),
        CheckConstraint("deadline IS NULL OR deadline >= started_at", name="deadline"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= max_score)", name="score"),
        CheckConstraint("max_score >= 0", name="max_score"),
        CheckConstraint("status = 'in_progress' OR finished_at IS NOT NULL", name="finished"),
        UniqueConstraint("user_id", "exam_id", "attempt_no"),
        # One open attempt per person and exam, whatever the timing of concurrent starts.
        Index("uq_attempts_open", "user_id", "exam_id", unique=True,
              sqlite_where=text("status = 'in_progress'"),
              postgresql_where=text("status = 'in_progress'")),
        Index("ix_attempts_overdue", "deadline",
              sqlite_where=text("status = 'in_progress'"),
              postgresql_where=text("status = 'in_progress'")),
        Index("ix_attempts_exam_status", "exam_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="RESTRICT"))
    exam_version_id: Mapped[int] = mapped_column(
        ForeignKey("exam_versions.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # the exam's kind, for statistics
    attempt_no: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="in_progress")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[Decimal | None] = mapped_column(Score)
    max_score: Mapped[Decimal] = mapped_column(Score, default=Decimal("0"))
    passed: Mapped[bool | None] = mapped_column(Boolean)
    seed: Mapped[int] = mapped_column(BigInteger)
    # {"exam_version", "seed", "items": [{"position", "question_id", "version_id", "type",
    #  "points", "shuffle_seed", "key_map"}]}; hashed into paper_hash when sealed.
    paper: Mapped[dict] = mapped_column(JSONType)
    paper_hash: Mapped[str] = mapped_column(String(64))
    tab_switches: Mapped[int] = mapped_column(Integer, default=0)
    # Integrity signals for the trainer (never an automatic fail): devices, fast answers...
    signals: Mapped[dict] = mapped_column(JSONType, default=dict)
    submitted_by: Mapped[str | None] = mapped_column(String(16))  # user, server, tab_switches

    user: Mapped[User] = relationship()
    exam: Mapped[Exam] = relationship()
    exam_version: Mapped[ExamVersion] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        return self.status == "in_progress"

    def item(self, question_id: int) -> dict | None:
        return next((i for i in self.paper["items"] if i["question_id"] == question_id), None)


class AttemptAnswer(db.Model):
    """The latest saved answer to one question of an attempt (under stored option keys)."""

    __tablename__ = "attempt_answers"
    __table_args__ = (
        UniqueConstraint("attempt_id", "question_id"),
        CheckConstraint("seq >= 0", name="seq"),
        CheckConstraint("score IS NULL OR score >= 0", name="score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="RESTRICT"),
                                             index=True)
    answer: Mapped[object | None] = mapped_column(JSONType)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    device: Mapped[str] = mapped_column(String(64), default="")
    score: Mapped[Decimal | None] = mapped_column(Points)
    correct: Mapped[bool | None] = mapped_column(Boolean)
    graded: Mapped[bool] = mapped_column(Boolean, default=False)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")
