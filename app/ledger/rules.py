"""Points rules as data: versions, the rules in force, and the ledger settings.

A rule is identified by its code; an admin's change adds a version (past transactions
keep the version that made them). The newest enabled-or-not version whose
`effective_from` has come is in force. Rows missing from an empty database are filled
from DEFAULTS, the rules of DESIGN.md, which migration 0011 also inserts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from app.accounts import audit
from app.accounts.models import User
from app.db import is_unique_violation
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.ledger.models import Rule, Setting

EXCELLENT_PERCENT = Decimal("90")  # exam_excellent: this percentage or more, first attempt
STREAK_DAYS = 7  # study_streak: this many consecutive local days with credited study
ALWAYS = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Default:
    amount: int
    daily_cap: int | None = None
    unit_seconds: int | None = None


# Codes in the order pages list them.
DEFAULTS: dict[str, Default] = {
    "study": Default(1, 12, 300),
    "lesson_completed": Default(2),
    "course_completed": Default(10),
    "daily_quiz_correct": Default(1, 5),
    "exam_passed": Default(10),
    "exam_excellent": Default(5),
    "study_streak": Default(5),
    "certificate_basic": Default(20),
    "certificate_intermediate": Default(50),
    "certificate_expert": Default(100),
}
CERTIFICATE_RULES = {"basic": "certificate_basic", "intermediate": "certificate_intermediate",
                     "expert": "certificate_expert"}

RULE_LABELS = {
    "study": _l("Study time"),
    "lesson_completed": _l("Lesson completed"),
    "course_completed": _l("Course completed"),
    "daily_quiz_correct": _l("Daily quiz: correct answer"),
    "exam_passed": _l("Exam passed"),
    "exam_excellent": _l("First attempt passed with a score of 90 or more out of 100"),
    "study_streak": _l("7-day study streak"),
    "certificate_basic": _l("Basic certificate"),
    "certificate_intermediate": _l("Intermediate certificate"),
    "certificate_expert": _l("Expert certificate"),
    "manual": _l("Manual adjustment"),
    "redemption": _l("Reward redeemed"),
}

# Reasons of automatic reversals, stored as codes and shown in the reader's language.
REVERSAL_REASONS = {
    "exam_regraded": _l("Exam regraded: no longer passed"),
    "certificate_withdrawn": _l("Certificate withdrawn"),
    "trace_voided": _l("Trace voided"),
    "redemption_cancelled": _l("Redemption cancelled"),
}

SETTING_DEFAULTS = {"total_daily_cap": None, "show_names": True}


def rule_label(code: str | None) -> str:
    """The translated name of rule `code` (or of a manual or redemption posting)."""
    return str(RULE_LABELS.get(code or "", code or ""))


def _insert():
    return pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _ensure_default(code: str) -> None:
    default = DEFAULTS[code]
    db.session.execute(
        _insert()(Rule).values(code=code, version=1, amount=default.amount,
                               daily_cap=default.daily_cap, unit_seconds=default.unit_seconds,
                               enabled=True, effective_from=ALWAYS, created_at=ALWAYS)
        .on_conflict_do_nothing(index_elements=["code", "version"]))


def in_force(code: str, now: datetime) -> Rule:
    """The version of rule `code` in force at `now` (it may be disabled)."""
    query = (select(Rule).where(Rule.code == code, Rule.effective_from <= now)
             .order_by(Rule.version.desc()).limit(1))
    rule = db.session.scalar(query)
    if rule is None and code in DEFAULTS and db.session.scalar(
            select(func.count()).select_from(Rule).where(Rule.code == code)) == 0:
        _ensure_default(code)
        rule = db.session.scalar(query)
    if rule is None:
        raise LookupError(code)
    return rule


def all_in_force(now: datetime) -> list[Rule]:
    """Every rule's version in force at `now`, in page order."""
    return [in_force(code, now) for code in DEFAULTS]


def upcoming(now: datetime) -> list[Rule]:
    """Versions an admin scheduled to start after `now`, soonest first."""
    return list(db.session.scalars(select(Rule).where(Rule.effective_from > now)
                                   .order_by(Rule.effective_from, Rule.code)))


def history(code: str) -> list[Rule]:
    """Every version of rule `code`, newest first."""
    in_force(code, ALWAYS.replace(year=9999))
    return list(db.session.scalars(select(Rule).where(Rule.code == code)
                                   .order_by(Rule.version.desc())))


def change(code: str, *, amount: int, daily_cap: int | None, enabled: bool,
           unit_seconds: int | None = None, effective_from: datetime, actor: User | None,
           now: datetime) -> Rule:
    """Add a new version of rule `code` (audited); earlier transactions keep their version."""
    if code not in DEFAULTS:
        raise ValidationFailed(_l("Unknown rule."))
    if amount < 0 or (daily_cap is not None and daily_cap < 0):
        raise ValidationFailed(_l("Amounts and caps cannot be negative."))
    if code == "study" and (unit_seconds is None or unit_seconds <= 0):
        raise ValidationFailed(_l("Study time needs a positive number of seconds per award."))
    if code != "study":
        unit_seconds = None
    current = in_force(code, now)
    latest = db.session.scalar(select(func.max(Rule.version)).where(Rule.code == code)) or 0
    rule = Rule(code=code, version=latest + 1, amount=amount, daily_cap=daily_cap,
                unit_seconds=unit_seconds, enabled=enabled, effective_from=effective_from,
                created_at=now, created_by_id=actor.id if actor else None)
    try:
        with db.session.begin_nested():
            db.session.add(rule)
    except IntegrityError as exc:  # another admin saved a version of this rule just now
        if not is_unique_violation(exc):
            raise
        raise Conflict(_l("Someone else changed this rule just now; please look and try again.")) \
            from exc
    audit.record(actor, "points.rule", target=rule, summary=f"{code} v{rule.version}", now=now,
                 details={"before": _rule_dict(current), "after": _rule_dict(rule)})
    return rule


def _rule_dict(rule: Rule) -> dict:
    return {"amount": rule.amount, "daily_cap": rule.daily_cap, "unit_seconds": rule.unit_seconds,
            "enabled": rule.enabled, "effective_from": rule.effective_from.isoformat(),
            "version": rule.version}


def setting(key: str):
    """The value of ledger setting `key` (its default when never set)."""
    row = db.session.get(Setting, key)
    if row is None or not isinstance(row.value, dict) or "value" not in row.value:
        return SETTING_DEFAULTS[key]
    return row.value["value"]


def set_setting(key: str, value, *, actor: User | None, now: datetime) -> None:
    """Change ledger setting `key` (audited)."""
    if key not in SETTING_DEFAULTS:
        raise ValidationFailed()
    before = setting(key)
    statement = _insert()(Setting).values(key=key, value={"value": value})
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["key"], set_={"value": statement.excluded.value}))
    audit.record(actor, "points.setting", summary=key, now=now,
                 details={"before": {key: before}, "after": {key: value}})
