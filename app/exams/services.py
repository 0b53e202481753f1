"""The exam engine: authoring exams, starting, saving, submitting and reading attempts.

Every function takes `now`, flushes and never commits (the request or the job does).
The server owns the clock: deadline = min(start + time limit, close time); saves after the
deadline plus the grace period are refused; an overdue attempt is submitted with what was
saved, and its finish time is its deadline. Concurrency is settled by the database: one
open attempt per person and exam (a partial unique index), saves as a compare-and-swap
on `seq`, submits as a compare-and-swap on `status`, saves and submits serialized on the
attempt row (saves share it, a submit takes it alone).
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from app.accounts.models import OrgUnit, Post, User
from app.accounts.org import ancestor_ids
from app.db import is_unique_violation
from app.errors import Conflict, DomainError, NotFound, ValidationFailed
from app.exams import draw as drawing
from app.exams import grading
from app.exams.draw import RuleSpec, RulesUnfillable  # noqa: F401  (re-exported)
from app.exams.models import (
    COUNTING,
    EXAM_STATUSES,
    FORMAL_KINDS,
    KINDS,
    MC_POLICIES,
    REVIEW_POLICIES,
    Attempt,
    AttemptAnswer,
    Exam,
    ExamAudience,
    ExamVersion,
    PaperItem,
    PaperRule,
)
from app.extensions import db
from app.questions.models import Question, QuestionVersion
from app.questions.types import Policy, get_type
from app.traces.services import Event, record
from app.vocabulary import AREAS, TIERS

SEQ_MAX = 2**62
FAST_ANSWER_S = 2  # two first saves closer than this: faster than a person can read
MAX_DEVICE_LEN = 64


class ExamNotOpen(DomainError):
    code = "exam_not_open"
    status = 409
    default_message = _l("This exam is not open now.")


class NoAttemptsLeft(DomainError):
    code = "no_attempts_left"
    status = 409
    default_message = _l("You have used all attempts of this exam.")


class AttemptClosed(DomainError):
    code = "attempt_closed"
    status = 409
    default_message = _l("This attempt is closed: it was submitted or its time is up.")


class StaleSeq(DomainError):
    code = "stale_seq"
    status = 409
    default_message = _l("A newer answer to this question was already saved.")


# ---------------------------------------------------------------- authoring


@dataclass
class ExamData:
    """An exam as a form or the API describes it, before it is stored."""

    title: str
    kind: str = "exam"
    description: str = ""
    area: str | None = None
    tier: str | None = None
    status: str = "draft"
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    time_limit_s: int | None = None
    max_attempts: int | None = 1
    counting: str = "highest"
    pass_score: Decimal = Decimal("60")
    shuffle: bool = False
    multiple_choice_policy: str = "all_or_nothing"
    review_policy: str = "after_close"
    grace_s: int = 30
    max_tab_switches: int | None = None
    # The paper: fixed (question id, points or None for the question's own) or rules.
    items: list[tuple[int, Decimal | None]] = field(default_factory=list)
    rules: list[RuleSpec] = field(default_factory=list)
    audience_units: list[int] = field(default_factory=list)
    audience_posts: list[int] = field(default_factory=list)
    audience_users: list[int] = field(default_factory=list)

    @property
    def paper_mode(self) -> str:
        return "rules" if self.rules else "fixed"


def _problems(data: ExamData) -> list[str]:
    problems = []
    if not data.title.strip() or len(data.title) > 200:
        problems.append(str(_l("A title of 1 to 200 characters is needed.")))
    choices = ((data.kind, KINDS, "kind"), (data.status, EXAM_STATUSES, "status"),
               (data.counting, COUNTING, "counting"),
               (data.multiple_choice_policy, MC_POLICIES, "multiple_choice_policy"),
               (data.review_policy, REVIEW_POLICIES, "review_policy"))
    for value, allowed, name in choices:
        if value not in allowed:
            problems.append(str(_l("%(name)s must be one of %(allowed)s.", name=name,
                                   allowed=", ".join(allowed))))
    if data.area is not None and data.area not in AREAS:
        problems.append(str(_l("Unknown area.")))
    if data.tier is not None and data.tier not in TIERS:
        problems.append(str(_l("Unknown tier.")))
    if data.kind == "certification" and (data.area is None or data.tier is None):
        problems.append(str(_l("A certification exam needs an area and a tier.")))
    if not Decimal(0) <= data.pass_score <= Decimal(100):
        problems.append(str(_l("The pass score is a percentage from 0 to 100.")))
    if data.time_limit_s is not None and not 0 < data.time_limit_s <= 24 * 3600:
        problems.append(str(_l("The time limit must be between 1 second and 24 hours.")))
    if data.max_attempts is not None and not 0 < data.max_attempts <= 1000:
        problems.append(str(_l("Attempts allowed must be between 1 and 1000.")))
    if not 0 <= data.grace_s <= 600:
        problems.append(str(_l("The grace period must be between 0 and 600 seconds.")))
    if data.max_tab_switches is not None and not 0 < data.max_tab_switches <= 1000:
        problems.append(str(_l("Tab switches allowed must be between 1 and 1000.")))
    if data.opens_at and data.closes_at and data.closes_at <= data.opens_at:
        problems.append(str(_l("The exam must close after it opens.")))
    if data.items and data.rules:
        problems.append(str(_l("A paper is either fixed questions or rules, not both.")))
    if not data.items and not data.rules:
        problems.append(str(_l("The paper needs questions or rules.")))
    if len({qid for qid, _ in data.items}) != len(data.items):
        problems.append(str(_l("A question appears twice in the paper.")))
    for _qid, points in data.items:
        if points is not None and not Decimal("0") < points <= Decimal("1000"):
            problems.append(str(_l("Points must be above 0 and at most 1000.")))
            break
    for rule in data.rules:
        if rule.area not in AREAS or rule.tier not in TIERS or rule.qtype not in _type_codes():
            problems.append(str(_l("A rule names an unknown area, tier or question type.")))
            break
        if not 0 < rule.count <= 500 or not Decimal("0") < rule.points <= Decimal("1000"):
            problems.append(str(_l("A rule needs a count from 1 to 500 and points above 0.")))
            break
    return problems


def _type_codes() -> set[str]:
    from app.questions.types import REGISTRY

    return set(REGISTRY)


def _check_paper(data: ExamData) -> None:
    if data.rules:
        drawing.check_rules(data.rules, data.kind)
        return
    ids = [qid for qid, _ in data.items]
    found = dict(db.session.execute(
        select(Question.id, Question.usage).where(Question.id.in_(ids), Question.status == "published")).all())
    missing = [str(qid) for qid in ids if qid not in found]
    if missing:
        raise ValidationFailed(_l("These questions are not published questions of the bank: %(ids)s.",
                                  ids=", ".join(missing)))
    wrong = [str(qid) for qid in ids if found[qid] not in drawing.allowed_usages(data.kind)]
    if wrong:
        raise ValidationFailed(_l("These questions are not meant for this kind of exam: %(ids)s.",
                                  ids=", ".join(wrong)))


def _check_audience(data: ExamData) -> None:
    for model, ids in ((OrgUnit, data.audience_units), (Post, data.audience_posts),
                       (User, data.audience_users)):
        if not ids:
            continue
        have = set(db.session.scalars(select(model.id).where(model.id.in_(ids))))
        if set(ids) - have:
            raise ValidationFailed(_l("The audience names an org unit, post or person that does "
                                      "not exist."))


def _fill_version(version: ExamVersion, data: ExamData) -> None:
    version.paper_mode = data.paper_mode
    version.items = [PaperItem(question_id=qid, points=points, position=n)
                     for n, (qid, points) in enumerate(data.items)]
    version.rules = [PaperRule(position=n, area=r.area, qtype=r.qtype, tier=r.tier,
                               lesson_id=r.lesson_id, tag=r.tag or None, count=r.count,
                               points=r.points)
                     for n, r in enumerate(data.rules)]


def _paper_of(version: ExamVersion) -> tuple:
    return (version.paper_mode,
            [(i.question_id, i.points) for i in version.items],
            [RuleSpec.of(r) for r in version.rules])


def _apply_settings(exam: Exam, data: ExamData, now: datetime) -> None:
    for name in ("title", "kind", "description", "area", "tier", "status", "opens_at",
                 "closes_at", "time_limit_s", "max_attempts", "counting", "pass_score", "shuffle",
                 "multiple_choice_policy", "review_policy", "grace_s", "max_tab_switches"):
        setattr(exam, name, getattr(data, name))
    exam.title = data.title.strip()
    exam.updated_at = now
    exam.audience = (
        [ExamAudience(org_unit_id=i) for i in dict.fromkeys(data.audience_units)]
        + [ExamAudience(post_id=i) for i in dict.fromkeys(data.audience_posts)]
        + [ExamAudience(user_id=i) for i in dict.fromkeys(data.audience_users)])


def _validate(data: ExamData) -> None:
    problems = _problems(data)
    if problems:
        raise ValidationFailed("；".join(problems), problems=problems)
    _check_paper(data)
    _check_audience(data)


def create_exam(data: ExamData, *, actor: User | None, now: datetime) -> Exam:
    """A new exam with its first paper version; rules the bank cannot fill are refused."""
    _validate(data)
    exam = Exam(version=1, created_by_id=actor.id if actor else None, created_at=now)
    _apply_settings(exam, data, now)
    version = ExamVersion(version=1, created_at=now)
    _fill_version(version, data)
    exam.versions = [version]
    db.session.add(exam)
    db.session.flush()
    return exam


def has_attempts(version: ExamVersion) -> bool:
    return db.session.scalar(select(exists().where(Attempt.exam_version_id == version.id)))


def update_exam(exam: Exam, data: ExamData, *, actor: User | None, now: datetime) -> Exam:
    """Change an exam's settings in place; a changed paper of a version that attempts used
    becomes a new version (the attempts keep theirs)."""
    _validate(data)
    if data.kind != exam.kind and db.session.scalar(select(exists().where(Attempt.exam_id == exam.id))):
        raise Conflict(_l("An exam with attempts cannot change its kind."))
    current = exam.current_version
    new_paper = (data.paper_mode, list(data.items), list(data.rules))
    _apply_settings(exam, data, now)
    if new_paper != _paper_of(current):
        if has_attempts(current):
            version = ExamVersion(version=exam.version + 1, created_at=now)
            _fill_version(version, data)
            exam.versions.append(version)
            exam.version = version.version
        else:
            current.items, current.rules = [], []
            db.session.flush()
            _fill_version(current, data)
    db.session.flush()
    return exam


def set_status(exam: Exam, status: str, *, now: datetime) -> None:
    """Publish, archive or return an exam to draft (publishing checks the paper again)."""
    if status not in EXAM_STATUSES:
        raise ValidationFailed(_l("Unknown status."))
    if status == "published":
        version = exam.current_version
        if version.paper_mode == "rules":
            drawing.check_rules([RuleSpec.of(r) for r in version.rules], exam.kind)
    exam.status = status
    exam.updated_at = now
    db.session.flush()


def get_exam(exam_id: int) -> Exam:
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        raise NotFound()
    return exam


def preview_paper(exam: Exam, *, seed: int | None = None) -> list[dict]:
    """A drawn paper as a cadre would see it (nothing stored)."""
    paper = drawing.draw(exam, exam.current_version, user_id=0,
                         seed=secrets.randbits(62) if seed is None else seed)
    return presented_questions(paper)


# ---------------------------------------------------------------- audience and listing


def _audience_condition(user: User):
    matches = [ExamAudience.user_id == user.id]
    if user.current_post is not None:
        matches.append(ExamAudience.post_id == user.current_post.id)
    if user.org_unit is not None:
        matches.append(ExamAudience.org_unit_id.in_(ancestor_ids(user.org_unit)))
    targeted = select(ExamAudience.exam_id).where(or_(*matches))
    everyone = ~exists().where(ExamAudience.exam_id == Exam.id)
    return or_(everyone, Exam.id.in_(targeted))


def visible_exams(user: User, *, kinds: Iterable[str] | None = None) -> list[Exam]:
    """Published exams whose audience holds `user`, soonest closing first."""
    query = select(Exam).where(Exam.status == "published", _audience_condition(user))
    if kinds is not None:
        query = query.where(Exam.kind.in_(list(kinds)))
    exams = list(db.session.scalars(query.order_by(Exam.closes_at.is_(None), Exam.closes_at, Exam.id)))
    return exams


def exam_for(user: User, exam_id: int) -> Exam:
    """The exam if `user` may take it; 404 for drafts, archived exams and other audiences."""
    exam = db.session.scalar(select(Exam).where(Exam.id == exam_id, Exam.status == "published",
                                                _audience_condition(user)))
    if exam is None:
        raise NotFound()
    return exam


def attempts_used(user: User, exam_ids: Sequence[int]) -> dict[int, int]:
    if not exam_ids:
        return {}
    return dict(db.session.execute(
        select(Attempt.exam_id, func.count()).where(Attempt.user_id == user.id,
                                                    Attempt.exam_id.in_(exam_ids))
        .group_by(Attempt.exam_id)).all())


def attempts_left(exam: Exam, used: int) -> int | None:
    return None if exam.max_attempts is None else max(0, exam.max_attempts - used)


def is_open(exam: Exam, now: datetime) -> bool:
    return ((exam.opens_at is None or exam.opens_at <= now)
            and (exam.closes_at is None or now < exam.closes_at))


def window_state(exam: Exam, now: datetime) -> str:
    if exam.opens_at is not None and now < exam.opens_at:
        return "upcoming"
    if exam.closes_at is not None and now >= exam.closes_at:
        return "closed"
    return "open"


# ---------------------------------------------------------------- attempts


def open_attempt(user: User, exam: Exam) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(
        Attempt.user_id == user.id, Attempt.exam_id == exam.id, Attempt.status == "in_progress"))


def get_attempt(user: User, attempt_id: int) -> Attempt:
    """`user`'s own attempt; anyone else's answers 404."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise NotFound()
    return attempt


def start_attempt(user: User, exam: Exam, *, now: datetime) -> tuple[Attempt, bool]:
    """The open attempt (False), or a new one with a freshly drawn, sealed paper (True).

    Concurrent starts give one attempt: the partial unique index refuses the second
    insert, which then returns the winner's attempt."""
    existing = open_attempt(user, exam)
    if existing is not None and not settle_if_overdue(existing, now=now):
        return existing, False
    if not is_open(exam, now):
        raise ExamNotOpen()
    used = attempts_used(user, [exam.id]).get(exam.id, 0)
    if exam.max_attempts is not None and used >= exam.max_attempts:
        raise NoAttemptsLeft()
    version = exam.current_version
    seed = secrets.randbits(62)
    paper = drawing.draw(exam, version, user_id=user.id, seed=seed)
    deadline_candidates = [t for t in (
        now + timedelta(seconds=exam.time_limit_s) if exam.time_limit_s else None,
        exam.closes_at) if t is not None]
    attempt = Attempt(
        user_id=user.id, exam_id=exam.id, exam_version_id=version.id, kind=exam.kind,
        attempt_no=used + 1, status="in_progress", started_at=now,
        deadline=min(deadline_candidates) if deadline_candidates else None,
        max_score=drawing.max_score(paper), seed=seed, paper=paper,
        paper_hash=drawing.paper_hash(paper), tab_switches=0, signals={})
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        winner = open_attempt(user, exam)
        if winner is None:  # the other start already finished its attempt: start again
            raise Conflict(_l("Another start of this exam is in progress; try again.")) from None
        return winner, False
    record(Event(key=f"attempted:{attempt.id}", actor=user, verb="attempted", object_type="exam",
                 object_id=exam.id, object_name=exam.title, at=now,
                 context={"attempt_id": attempt.id, "kind": exam.kind,
                          "attempt_no": attempt.attempt_no}))
    return attempt, True


def past_grace(attempt: Attempt, now: datetime) -> bool:
    return attempt.deadline is not None and \
        now > attempt.deadline + timedelta(seconds=attempt.exam.grace_s)


def remaining_seconds(attempt: Attempt, now: datetime) -> int | None:
    """Whole seconds to the deadline (0 once it passed; None without a deadline)."""
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - now).total_seconds()))


def settle_if_overdue(attempt: Attempt, *, now: datetime) -> bool:
    """Submit an open attempt whose deadline and grace have passed; True if it did now."""
    if attempt.status != "in_progress" or not past_grace(attempt, now):
        return False
    return submit(attempt, now=now, by="server").changed


@dataclass(frozen=True)
class SaveResult:
    saved_at: datetime
    seq: int
    remaining_s: int | None


def _lock_shared(attempt: Attempt) -> str | None:
    """The attempt's status, read under a share lock so no submit slips in meanwhile."""
    return db.session.scalar(select(Attempt.status).where(Attempt.id == attempt.id)
                             .with_for_update(read=True))


def _insert():
    return pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


def save_answer(attempt: Attempt, question_id: int, raw, *, seq, now: datetime,
                device: str = "") -> SaveResult:
    """Save one answer if `seq` is newer than the saved one (a compare-and-swap); the same
    answer with the same seq again is acknowledged (an idempotent retry)."""
    item = attempt.item(question_id)
    if item is None:
        raise NotFound()
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 < seq < SEQ_MAX:
        raise ValidationFailed(_l("seq must be a positive whole number."))
    if _lock_shared(attempt) != "in_progress" or past_grace(attempt, now):
        raise AttemptClosed()
    if raw is None:
        stored = None  # cleared
    else:
        version = db.session.get(QuestionVersion, item["version_id"])
        stored = get_type(item["type"]).parse_answer(version.content, raw, key_map=item["key_map"])
    insert = _insert()
    statement = insert(AttemptAnswer).values(
        attempt_id=attempt.id, question_id=question_id, answer=stored, seq=seq, saved_at=now,
        first_saved_at=now, device=(device or "")[:MAX_DEVICE_LEN], graded=False)
    statement = statement.on_conflict_do_update(
        index_elements=["attempt_id", "question_id"],
        set_={"answer": statement.excluded.answer, "seq": statement.excluded.seq,
              "saved_at": statement.excluded.saved_at, "device": statement.excluded.device},
        # A newer seq wins; the very same save sent again (a retry after a lost response)
        # is acknowledged again rather than called stale.
        where=or_(AttemptAnswer.seq < statement.excluded.seq,
                  and_(AttemptAnswer.seq == statement.excluded.seq,
                       AttemptAnswer.answer == statement.excluded.answer)),
    ).returning(AttemptAnswer.id)
    if db.session.execute(statement).scalar() is None:
        raise StaleSeq()
    return SaveResult(saved_at=now, seq=seq, remaining_s=remaining_seconds(attempt, now))


@dataclass(frozen=True)
class SubmitResult:
    status: str
    score: Decimal | None
    max_score: Decimal
    passed: bool | None
    changed: bool  # this call submitted it (False: it was already submitted)


def _result(attempt: Attempt, changed: bool) -> SubmitResult:
    return SubmitResult(status=attempt.status, score=attempt.score, max_score=attempt.max_score,
                        passed=attempt.passed, changed=changed)


def _signals(attempt: Attempt, answers: list[AttemptAnswer]) -> dict:
    devices = sorted({a.device for a in answers if a.device})
    firsts = sorted(a.first_saved_at for a in answers)
    fast = sum(1 for a, b in zip(firsts, firsts[1:], strict=False)
               if (b - a).total_seconds() < FAST_ANSWER_S)
    return {"devices": len(devices), "fast_answers": fast, "tab_switches": attempt.tab_switches}


def submit(attempt: Attempt, *, now: datetime, by: str = "user") -> SubmitResult:
    """Submit and grade an attempt once: concurrent submits all return the one result.

    The finish time is `now`, or the deadline if that came first (an overdue attempt
    finishes at its deadline, whenever the server gets to it)."""
    finished = min(now, attempt.deadline) if attempt.deadline is not None else now
    claimed = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.status == "in_progress")
        .values(status="submitted", finished_at=finished, submitted_by=by)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(attempt)
    if claimed != 1:
        return _result(attempt, changed=False)
    exam = attempt.exam
    answer_rows = list(db.session.scalars(
        select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)))
    result = grading.grade_paper(attempt.paper, {a.question_id: a.answer for a in answer_rows},
                                 Policy(exam.multiple_choice_policy))
    grading.apply_grades(attempt, result)
    attempt.score, attempt.max_score = result.score, result.max_score
    attempt.signals = _signals(attempt, answer_rows)
    if result.needs_review:
        attempt.status, attempt.passed = "pending_review", None
    else:
        attempt.status = "graded"
        attempt.passed = grading.is_pass(result.score, result.max_score, exam.pass_score)
    db.session.flush()
    record(Event(key=f"completed:attempt:{attempt.id}", actor=attempt.user, verb="completed",
                 object_type="exam", object_id=exam.id, object_name=exam.title, at=finished,
                 completion=True, score_raw=float(result.score), score_max=float(result.max_score),
                 context={"attempt_id": attempt.id, "kind": attempt.kind,
                          "attempt_no": attempt.attempt_no, "status": attempt.status}))
    if attempt.status == "graded":
        record_outcome(attempt)
    return _result(attempt, changed=True)


def record_outcome(attempt: Attempt) -> None:
    """The passed or failed trace of a final attempt (the essay grader calls this too)."""
    exam = attempt.exam
    verb = "passed" if attempt.passed else "failed"
    record(Event(key=f"{verb}:attempt:{attempt.id}", actor=attempt.user, verb=verb,
                 object_type="exam", object_id=exam.id, object_name=exam.title,
                 at=attempt.finished_at, success=bool(attempt.passed),
                 score_raw=float(attempt.score), score_max=float(attempt.max_score),
                 context={"attempt_id": attempt.id, "kind": attempt.kind,
                          "attempt_no": attempt.attempt_no,
                          "first_attempt": attempt.attempt_no == 1,
                          "percent": str(grading.percent(attempt.score, attempt.max_score))}))


def submit_overdue(now: datetime) -> int:
    """Submit every open attempt whose deadline and grace passed before `now`."""
    rows = db.session.execute(
        select(Attempt.id, Attempt.deadline, Exam.grace_s).join(Exam, Exam.id == Attempt.exam_id)
        .where(Attempt.status == "in_progress", Attempt.deadline.is_not(None),
               Attempt.deadline < now)
        .order_by(Attempt.deadline)).all()
    done = 0
    for attempt_id, deadline, grace_s in rows:
        if now <= deadline + timedelta(seconds=grace_s):
            continue
        attempt = db.session.get(Attempt, attempt_id)
        if submit(attempt, now=now, by="server").changed:
            done += 1
    return done


@dataclass(frozen=True)
class TabSwitch:
    count: int
    limit: int | None
    submitted: bool


def report_tab_switch(attempt: Attempt, *, now: datetime) -> TabSwitch:
    """Count one time the cadre left the exam tab; at the exam's limit, submit."""
    if past_grace(attempt, now):
        settle_if_overdue(attempt, now=now)
        raise AttemptClosed()
    count = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.status == "in_progress")
        .values(tab_switches=Attempt.tab_switches + 1).returning(Attempt.tab_switches)
        .execution_options(synchronize_session=False)).scalar()
    if count is None:
        raise AttemptClosed()
    db.session.refresh(attempt)
    limit = attempt.exam.max_tab_switches
    submitted = False
    if limit is not None and count >= limit:
        submitted = submit(attempt, now=now, by="tab_switches").changed
    return TabSwitch(count=count, limit=limit, submitted=submitted)


# ---------------------------------------------------------------- what a learner sees


def presented_questions(paper: dict) -> list[dict]:
    """Each item as the learner sees it: the type's `Presented.view` (never an answer,
    fraction, feedback or explanation), plus the question id and points."""
    versions = grading.versions_of(paper)
    questions = []
    for item in paper["items"]:
        presented = get_type(item["type"]).present(versions[item["version_id"]].content,
                                                   shuffle_seed=item["shuffle_seed"])
        view = dict(presented.view)
        questions.append({**view, "id": item["question_id"], "type": item["type"],
                          "points": item["points"], "position": item["position"]})
    return questions


def saved_answers(attempt: Attempt) -> dict[int, AttemptAnswer]:
    return {a.question_id: a for a in db.session.scalars(
        select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id))}


def shown_answers(attempt: Attempt, rows: dict[int, AttemptAnswer] | None = None) -> dict[int, object]:
    """The saved answers under the keys this attempt showed."""
    rows = saved_answers(attempt) if rows is None else rows
    shown = {}
    for item in attempt.paper["items"]:
        row = rows.get(item["question_id"])
        if row is None or row.answer is None:
            continue
        shown[item["question_id"]] = get_type(item["type"]).shown_answer(
            row.answer, key_map=item["key_map"])
    return shown


def review_allowed(attempt: Attempt, now: datetime) -> bool:
    """Whether correct answers and explanations may be shown for this attempt now.

    Never while it is open; `after_close` waits for the exam's close time (an exam with
    no close time shows them once the attempt is closed)."""
    if attempt.status == "in_progress":
        return False
    policy = attempt.exam.review_policy
    if policy == "never":
        return False
    if policy == "after_close":
        return attempt.exam.closes_at is None or now >= attempt.exam.closes_at
    return True


def review(attempt: Attempt) -> dict[int, dict]:
    """Per question: the right answer (shown keys), the explanation, score and correctness."""
    versions = grading.versions_of(attempt.paper)
    rows = saved_answers(attempt)
    out = {}
    for item in attempt.paper["items"]:
        content = versions[item["version_id"]].content
        row = rows.get(item["question_id"])
        out[item["question_id"]] = {
            "correct_answer": get_type(item["type"]).correct_answer(content, key_map=item["key_map"]),
            "explanation": content.get("explanation") or "",
            "score": str(row.score) if row is not None and row.score is not None else (
                "0.00" if row is None else None),
            "correct": bool(row.correct) if row is not None and row.correct is not None else (
                False if row is None else None),
        }
    return out


# ---------------------------------------------------------------- results


def counted_attempt(attempts: Iterable[Attempt], counting: str) -> Attempt | None:
    """The attempt that counts among one person's final attempts of an exam."""
    final = [a for a in attempts if a.status == "graded"]
    if not final:
        return None
    if counting == "last":
        return max(final, key=lambda a: a.attempt_no)
    if counting == "first":
        return min(final, key=lambda a: a.attempt_no)
    return max(final, key=lambda a: (a.score, -a.attempt_no))


def counted_attempts(exam: Exam) -> dict[int, Attempt]:
    """Each person's counting attempt of a formal exam, by user id (one query)."""
    by_user: dict[int, list[Attempt]] = {}
    for attempt in db.session.scalars(select(Attempt).where(
            Attempt.exam_id == exam.id, Attempt.status == "graded",
            Attempt.kind.in_(FORMAL_KINDS))):
        by_user.setdefault(attempt.user_id, []).append(attempt)
    chosen = {uid: counted_attempt(rows, exam.counting) for uid, rows in by_user.items()}
    return {uid: a for uid, a in chosen.items() if a is not None}


def audience_members(exam: Exam) -> list[User]:
    """The active people an exam is meant for: its audience, or every active cadre when the
    audience is empty (one query)."""
    from app.accounts.models import PostAssignment, UserRole
    from app.accounts.org import subtree_filter

    query = select(User).where(User.active.is_(True))
    if not exam.audience:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == "cadre")))
    else:
        conditions = []
        user_ids = [a.user_id for a in exam.audience if a.user_id]
        post_ids = [a.post_id for a in exam.audience if a.post_id]
        units = [a.org_unit for a in exam.audience if a.org_unit_id]
        if user_ids:
            conditions.append(User.id.in_(user_ids))
        if post_ids:
            conditions.append(User.id.in_(select(PostAssignment.user_id).where(
                PostAssignment.end_date.is_(None), PostAssignment.post_id.in_(post_ids))))
        for unit in units:
            conditions.append(User.org_unit_id.in_(select(OrgUnit.id).where(subtree_filter(unit))))
        query = query.where(or_(*conditions))
    return list(db.session.scalars(query.order_by(User.username)))


def user_attempts(user: User, exam: Exam) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(
        Attempt.user_id == user.id, Attempt.exam_id == exam.id).order_by(Attempt.attempt_no)))


def score_histogram(scores: Sequence[Decimal], max_scores: Sequence[Decimal],
                    buckets: int = 10) -> list[int]:
    """How many percentages fall in each tenth (the last bucket holds 100 %)."""
    counts = Counter()
    for score, top in zip(scores, max_scores, strict=True):
        pct = grading.percent(score, top)
        counts[min(buckets - 1, int(pct * buckets / 100))] += 1
    return [counts[i] for i in range(buckets)]


def parse_decimal(value, *, name: str) -> Decimal:
    """A JSON or form number as an exact Decimal (strings and numbers alike)."""
    if isinstance(value, bool):
        raise ValidationFailed(_l("%(name)s must be a number.", name=name))
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_l("%(name)s must be a number.", name=name)) from None
    if not result.is_finite() or result != result.quantize(Decimal("0.01")):
        raise ValidationFailed(_l("%(name)s must be a number with at most two decimals.", name=name))
    return result

