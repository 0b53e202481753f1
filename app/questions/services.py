"""Question bank services: authoring with versions, the review workflow, listing."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.accounts import audit
from app.accounts.models import User
from app.courses.models import Course, Lesson
from app.db import is_unique_violation
from app.errors import Conflict, PermissionDenied, ValidationFailed
from app.extensions import db
from app.questions.content import identity_hash, stem_plain, to_content, version_hash, version_meta
from app.questions.data import QuestionData
from app.questions.models import USAGES, Question, QuestionReview, QuestionVersion
from app.questions.types import REGISTRY, points_problem, to_points
from app.vocabulary import AREAS, TIERS


class DuplicateQuestion(Conflict):
    code = "duplicate_question"
    default_message = _l("The bank already holds this question.")


@dataclass(frozen=True)
class Filters:
    area: str | None = None
    type: str | None = None
    tier: str | None = None
    status: str | None = None
    lesson_id: int | None = None
    text: str | None = None


MAX_STEM = 10_000  # characters, as on the form


def problems(data: QuestionData) -> list[str]:
    """Everything wrong with `data` as a question of our bank (empty when it is fine)."""
    found: list[str] = []
    qtype = REGISTRY.get(data.type)
    if qtype is None:
        return [str(_l("Unknown question type %(type)s.", type=data.type))]
    if not (data.stem or "").strip():
        found.append(str(_l("The stem is empty.")))
    elif len(data.stem) > MAX_STEM:
        found.append(str(_l("The stem is longer than %(n)d characters.", n=MAX_STEM)))
    if data.area not in AREAS:
        found.append(str(_l("Unknown business area %(area)s.", area=data.area)))
    if data.tier not in TIERS:
        found.append(str(_l("Unknown tier %(tier)s.", tier=data.tier)))
    if not isinstance(data.difficulty, int) or not 1 <= data.difficulty <= 5:
        found.append(str(_l("Difficulty must be a whole number from 1 to 5.")))
    if data.usage not in USAGES:
        found.append(str(_l("Usage must be practice, exam or both.")))
    points = points_problem(data.points)
    if points:
        found.append(points)
    found.extend(qtype.validate(to_content(data)))
    if not points:
        found.extend(qtype.authoring_problems(data))
    return found


def lesson_label(lesson: Lesson | None) -> str | None:
    """A lesson's stable name in the bank: `course/lesson`."""
    return f"{lesson.course.key}/{lesson.key}" if lesson is not None else None


def find_lesson(key: str | None) -> Lesson | None:
    """The lesson named `course/lesson`, `lesson` (key) or by its exact title."""
    if not key:
        return None
    key = key.strip()
    course_key, _, lesson_key = key.rpartition("/")
    query = select(Lesson).where(Lesson.key == lesson_key)
    if course_key:
        query = query.join(Lesson.course).where(Course.key == course_key)
    lesson = db.session.scalar(query)
    if lesson is None:
        lesson = db.session.scalar(select(Lesson).where(Lesson.title == key).limit(1))
    return lesson


def save(data: QuestionData, *, actor: User | None, now: datetime,
         question: Question | None = None, lesson: Lesson | None = None) -> Question:
    """Create a question, or edit one: a frozen (once published) version is never changed;
    the edit becomes a new version and the question goes back to draft for review."""
    if question is not None and question.status == "retired":
        raise ValidationFailed(_l("A retired question cannot be edited; write a new one instead."))
    found = problems(data)
    if found:
        raise ValidationFailed("；".join(found))
    content = to_content(data)
    identity = identity_hash(data.type, content)
    tags = sorted({t.strip() for t in data.tags if t and t.strip()})
    meta = version_meta(data, lesson_label(lesson))
    points = to_points(data.points)
    full_hash = version_hash(content, points, tags, meta)
    try:
        with db.session.begin_nested():
            if question is None:
                question = Question(type=data.type, status="draft", created_by_id=actor.id if actor else None,
                                    source_key=data.source_key, created_at=now, version=0)
                db.session.add(question)
            elif question.type != data.type:
                raise ValidationFailed(_l("A question's type cannot change; create a new question."))
            question.area, question.tier, question.difficulty = data.area, data.tier, data.difficulty
            question.usage, question.category = data.usage, data.category or question.category or ""
            question.lesson = lesson
            question.content_hash = identity
            question.stem_text = stem_plain(content)[:2000]
            question.updated_at = now
            current = question.current_version
            if current is not None and current.content_hash == full_hash:
                return question
            if current is not None and not current.frozen:
                current.content, current.points, current.tags = content, points, tags
                current.meta = meta
                current.content_hash, current.created_at = full_hash, now
                if actor is not None and actor.id != current.created_by_id:
                    _review(question, "edit", actor, now)  # a co-author may not approve it later
            else:
                question.version += 1
                version = QuestionVersion(question=question, version=question.version, content=content,
                                          points=points, tags=tags, meta=meta,
                                          content_hash=full_hash,
                                          created_at=now, created_by_id=actor.id if actor else None)
                db.session.add(version)
                db.session.flush()
                question.current_version = version
                if question.status in ("published", "in_review"):
                    question.status = "draft"
    except IntegrityError as exc:
        if is_unique_violation(exc):
            raise DuplicateQuestion() from None
        raise
    return question


def _review(question: Question, action: str, actor: User | None, now: datetime, comment: str = "") -> None:
    db.session.add(QuestionReview(question_id=question.id, version_id=question.current_version_id,
                                  action=action, comment=comment, actor_id=actor.id if actor else None,
                                  at=now))


def submit(question: Question, *, actor: User, now: datetime) -> None:
    """Send a draft for review."""
    if question.status != "draft":
        raise ValidationFailed(_l("Only a draft can be sent for review."))
    question.status = "in_review"
    question.updated_at = now
    _review(question, "submit", actor, now)


def approve(question: Question, *, actor: User, now: datetime) -> None:
    """Publish a question in review. Whoever wrote or submitted the version under review may
    not approve it (the author of an earlier, already reviewed version may)."""
    if question.status != "in_review":
        raise ValidationFailed(_l("Only a question in review can be approved."))
    if actor.id in version_authors(question):
        raise PermissionDenied(_l("You cannot approve a question you wrote; ask another trainer."))
    _publish(question, now)
    _review(question, "approve", actor, now)


def version_authors(question: Question) -> set[int]:
    """Who wrote the version under review: its creator, everyone who edited it as a draft
    (recorded as `edit` reviews) and whoever submitted it."""
    version = question.current_version
    authors = {version.created_by_id} | set(db.session.scalars(select(QuestionReview.actor_id).where(
        QuestionReview.version_id == version.id, QuestionReview.action.in_(("edit", "submit")))))
    return authors - {None}


def reject(question: Question, *, actor: User, comment: str, now: datetime) -> None:
    """Return a question in review to its author, with the reason."""
    if question.status != "in_review":
        raise ValidationFailed(_l("Only a question in review can be returned."))
    if not comment.strip():
        raise ValidationFailed(_l("Say what needs to change."))
    question.status = "draft"
    question.updated_at = now
    _review(question, "reject", actor, now, comment.strip())


def retire(question: Question, *, actor: User, now: datetime) -> None:
    """Take a question out of use; attempts that used it keep their version."""
    if question.status == "retired":
        return
    question.status = "retired"
    question.updated_at = now
    _review(question, "retire", actor, now)


def publish_on_import(question: Question, *, actor: User | None, now: datetime) -> None:
    """Publish at once, as a trainer may for a trusted file (the audit log records it)."""
    _publish(question, now)
    _review(question, "import_publish", actor, now)


def _publish(question: Question, now: datetime) -> None:
    question.status = "published"
    question.current_version.frozen = True
    question.updated_at = now


def record_import(actor: User | None, *, filename: str, fmt: str, count: int, published: bool) -> None:
    """The audit entry of an import (always written when publishing directly)."""
    audit.record(actor, "questions.import_published" if published else "questions.import",
                 summary=filename, details={"format": fmt, "count": count})


def list_query(filters: Filters) -> Select:
    """The filtered question list, newest change first."""
    query = select(Question)
    for column, value in ((Question.area, filters.area), (Question.type, filters.type),
                          (Question.tier, filters.tier), (Question.status, filters.status),
                          (Question.lesson_id, filters.lesson_id)):
        if value:
            query = query.where(column == value)
    if filters.text:
        # Full-width digits and letters typed by an IME find their half-width forms too.
        words = {filters.text.strip(), unicodedata.normalize("NFKC", filters.text).strip()}
        query = query.where(or_(*(Question.stem_text.icontains(w, autoescape=True) for w in words if w)))
    return query.order_by(Question.updated_at.desc(), Question.id.desc())


def export_query(filters: Filters) -> Select:
    """The filtered list with what an export reads of each question loaded up front, so an
    export costs the same few queries for ten questions or twenty thousand."""
    return list_query(filters).options(
        selectinload(Question.current_version),
        selectinload(Question.lesson).joinedload(Lesson.course))


def review_queue() -> Select:
    """Questions waiting for review, oldest first, with their current version's author."""
    return (select(Question).where(Question.status == "in_review")
            .options(selectinload(Question.current_version).joinedload(QuestionVersion.created_by))
            .order_by(Question.updated_at))


def to_question_data(question: Question) -> QuestionData:
    """A stored question (its current version) as interchange data, for export."""
    from app.questions.content import to_data

    version = question.current_version
    lesson_key = lesson_label(question.lesson)
    return to_data(question.type, version.content, points=version.points, area=question.area,
                   tier=question.tier, difficulty=question.difficulty, usage=question.usage,
                   tags=list(version.tags), category=question.category, source_key=question.source_key,
                   lesson_key=lesson_key, name=question.stem_text[:50])


def create_many(items: list[tuple[QuestionData, Lesson | None]], *, actor: User | None, now: datetime,
                publish: bool, batch: int = 1000) -> list[int]:
    """Insert new questions in batches (the import path). The caller has validated them and
    left out what the bank already holds; the unique hash still guards against a race."""
    ids: list[int] = []
    actor_id = actor.id if actor else None
    for start in range(0, len(items), batch):
        chunk = items[start:start + batch]
        rows, versions = [], []
        for data, lesson in chunk:
            content = to_content(data)
            tags = sorted({t.strip() for t in data.tags if t and t.strip()})
            rows.append({"content_hash": identity_hash(data.type, content), "source_key": data.source_key,
                         "type": data.type, "area": data.area, "tier": data.tier,
                         "difficulty": data.difficulty, "lesson_id": lesson.id if lesson else None,
                         "usage": data.usage, "category": data.category or "",
                         "status": "published" if publish else "draft",
                         "stem_text": stem_plain(content)[:2000], "version": 1,
                         "created_by_id": actor_id, "created_at": now, "updated_at": now})
            meta = version_meta(data, lesson_label(lesson))
            points = to_points(data.points)
            versions.append({"version": 1, "content": content, "points": points, "tags": tags,
                             "meta": meta, "content_hash": version_hash(content, points, tags, meta),
                             "frozen": publish, "created_at": now, "created_by_id": actor_id})
        try:
            question_ids = list(db.session.scalars(insert(Question).returning(Question.id, sort_by_parameter_order=True), rows))
        except IntegrityError as exc:
            if is_unique_violation(exc):
                raise DuplicateQuestion(_l("Another import added some of these questions meanwhile; "
                                           "run the import again.")) from None
            raise
        for version, question_id in zip(versions, question_ids, strict=True):
            version["question_id"] = question_id
        version_ids = list(db.session.scalars(
            insert(QuestionVersion).returning(QuestionVersion.id, sort_by_parameter_order=True), versions))
        db.session.execute(update(Question), [{"id": q, "current_version_id": v}
                                              for q, v in zip(question_ids, version_ids, strict=True)])
        if publish:
            db.session.execute(insert(QuestionReview), [
                {"question_id": q, "version_id": v, "action": "import_publish", "comment": "",
                 "actor_id": actor_id, "at": now} for q, v in zip(question_ids, version_ids, strict=True)])
        ids.extend(question_ids)
    return ids
