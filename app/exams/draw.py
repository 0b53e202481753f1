"""Drawing a paper: which questions an attempt gets, in which order, with which option shuffle.

A rule draws from the published questions of its area, type and tier (and lesson or tag),
preferring the questions this person has seen least in earlier attempts, never the same
question twice in one paper. Practice and daily quizzes never draw exam-only questions;
exams never draw practice-only ones. The draw is a pure function of the bank, the person's
history and a seed, so a sealed paper can always be explained.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.errors import DomainError
from app.exams.models import FORMAL_KINDS, Attempt, Exam, ExamVersion, PaperRule
from app.extensions import db
from app.questions.models import Question, QuestionVersion
from app.questions.types import get_type
from app.vocabulary import AREAS, TIERS

TWO_PLACES = Decimal("0.01")


class RulesUnfillable(DomainError):
    code = "rules_unfillable"
    status = 422
    default_message = _l("The question bank cannot fill the paper's rules.")


@dataclass(frozen=True)
class RuleSpec:
    """A drawing rule as the services and forms pass it around (before it is stored)."""

    area: str
    qtype: str
    tier: str
    count: int
    points: Decimal
    lesson_id: int | None = None
    tag: str | None = None

    @classmethod
    def of(cls, rule: PaperRule) -> RuleSpec:
        return cls(area=rule.area, qtype=rule.qtype, tier=rule.tier, count=rule.count,
                   points=rule.points, lesson_id=rule.lesson_id, tag=rule.tag)


def allowed_usages(kind: str) -> tuple[str, ...]:
    """Question usages an exam of `kind` may draw."""
    return ("exam", "both") if kind in FORMAL_KINDS else ("practice", "both")


def _candidates(rule: RuleSpec, kind: str) -> list[tuple[Question, QuestionVersion]]:
    query = (
        select(Question, QuestionVersion)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(Question.status == "published", Question.area == rule.area,
               Question.type == rule.qtype, Question.tier == rule.tier,
               Question.usage.in_(allowed_usages(kind)))
        .order_by(Question.id)
    )
    if rule.lesson_id is not None:
        query = query.where(Question.lesson_id == rule.lesson_id)
    rows = [tuple(row) for row in db.session.execute(query)]
    if rule.tag:
        rows = [(q, v) for q, v in rows if rule.tag in (v.tags or [])]
    return rows


def describe(rule: RuleSpec) -> str:
    """A rule as a person reads it, e.g. 干部工作 · 单选 · 初级 × 5."""
    from app.questions.types import TYPE_LABELS

    parts = [str(AREAS.get(rule.area, rule.area)), str(TYPE_LABELS.get(rule.qtype, rule.qtype)),
             str(TIERS.get(rule.tier, rule.tier))]
    if rule.tag:
        parts.append(f"#{rule.tag}")
    if rule.lesson_id:
        parts.append(str(_l("lesson %(id)s", id=rule.lesson_id)))
    return f"{' · '.join(parts)} × {rule.count}"


def check_rules(rules: list[RuleSpec], kind: str) -> None:
    """Refuse rules the bank cannot fill, naming each rule that falls short."""
    taken: set[int] = set()
    missing = []
    for number, rule in enumerate(rules, 1):
        available = [q.id for q, _ in _candidates(rule, kind) if q.id not in taken]
        taken.update(available[: rule.count])
        if len(available) < rule.count:
            missing.append(str(_l("Rule %(n)d (%(rule)s): needs %(count)d, the bank has %(have)d.",
                                  n=number, rule=describe(rule), count=rule.count,
                                  have=len(available))))
    if missing:
        raise RulesUnfillable(" ".join(missing), rules=missing)


def seen_counts(user_id: int) -> Counter:
    """How often this person was shown each question in their earlier attempts."""
    counts: Counter = Counter()
    for paper in db.session.scalars(select(Attempt.paper).where(Attempt.user_id == user_id)):
        counts.update(item["question_id"] for item in paper.get("items", []))
    return counts


def draw(exam: Exam, version: ExamVersion, *, user_id: int, seed: int) -> dict:
    """The sealed paper of a new attempt (not yet hashed): each item's question, version,
    points, position and option shuffle."""
    rng = random.Random(seed)
    picked: list[tuple[Question, QuestionVersion, Decimal]] = []
    if version.paper_mode == "fixed":
        ids = [item.question_id for item in version.items]
        rows = {q.id: (q, v) for q, v in db.session.execute(
            select(Question, QuestionVersion)
            .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
            .where(Question.id.in_(ids), Question.status == "published"))}
        for item in version.items:
            if item.question_id in rows:
                question, qv = rows[item.question_id]
                picked.append((question, qv, item.points or Decimal(str(qv.points))))
    else:
        seen = seen_counts(user_id)
        taken: set[int] = set()
        shortfalls = []
        for number, rule in enumerate(version.rules, 1):
            spec = RuleSpec.of(rule)
            pool = [(q, v) for q, v in _candidates(spec, exam.kind) if q.id not in taken]
            if len(pool) < spec.count:
                shortfalls.append(str(_l(
                    "Rule %(n)d (%(rule)s): needs %(count)d, the bank has %(have)d.",
                    n=number, rule=describe(spec), count=spec.count, have=len(pool))))
                continue
            # Least seen first; a random tie-break so equals are drawn fairly.
            keyed = sorted(pool, key=lambda row: (seen[row[0].id], rng.random()))
            for question, qv in keyed[: spec.count]:
                taken.add(question.id)
                picked.append((question, qv, spec.points))
        if shortfalls:
            raise RulesUnfillable(" ".join(shortfalls), rules=shortfalls)
    if exam.shuffle:
        rng.shuffle(picked)
    items = []
    for position, (question, qv, points) in enumerate(picked):
        shuffle_seed = rng.randrange(2**31) if exam.shuffle else None
        presented = get_type(question.type).present(qv.content, shuffle_seed=shuffle_seed)
        items.append({
            "position": position, "question_id": question.id, "version_id": qv.id,
            "type": question.type, "points": str(Decimal(points).quantize(TWO_PLACES)),
            "shuffle_seed": shuffle_seed, "key_map": dict(presented.key_map),
        })
    return {"exam_version": version.version, "seed": seed, "items": items}


def paper_hash(paper: dict) -> str:
    """The SHA-256 of a sealed paper in canonical JSON: proof in an appeal that it is unchanged."""
    canonical = json.dumps(paper, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def max_score(paper: dict) -> Decimal:
    return sum((Decimal(item["points"]) for item in paper["items"]), Decimal("0.00"))
