"""From traces to points: the trace signal's receiver, per the trace vocabulary.

Runs inside the transaction that recorded the trace, so the points commit or roll back
with it. Only listens to traces: it never imports courses or exams.

- studied lesson: its credited seconds toward the study rule (per local day, capped);
- completed lesson / course: lesson_completed / course_completed;
- passed exam (kinds exam and certification; practice and daily quizzes earn per answer):
  exam_passed, and exam_excellent at 90 % or more on the first attempt;
- answered question in the daily quiz, correct: daily_quiz_correct (capped);
- certified certificate: the certificate rule of its tier;
- regraded exam: passed before and not after reverses the attempt's exam points; the
  reverse awards them (the bonus needs the first attempt, read from the failed trace);
- withdrawn certificate: reverses the certificate's points;
- voided trace: reverses every transaction the voided trace made.

A reversal does not give the day's cap room back.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from app.extensions import db
from app.ledger import rules, services
from app.ledger.models import Transaction
from app.traces.models import Trace
from app.traces.signals import trace_recorded

EXAM_KINDS = ("exam", "certification")
EXAM_RULES = ("exam_passed", "exam_excellent")


def _percent(value) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except (InvalidOperation, ValueError):
        return None


def _award(trace: Trace, code: str, *, subject: str | None = None, points: int | None = None):
    return services.award(trace.actor_id, code, points, key=f"trace:{trace.id}:{code}",
                          at=trace.at, trace_id=trace.id, subject=subject)


def _award_pass(trace: Trace, attempt_id, *, first_attempt: bool, percent) -> None:
    subject = f"attempt:{attempt_id}"
    _award(trace, "exam_passed", subject=subject)
    pct = _percent(percent)
    if first_attempt and pct is not None and pct >= rules.EXCELLENT_PERCENT:
        _award(trace, "exam_excellent", subject=subject)


def _reverse_all(transactions, trace: Trace, reason: str) -> None:
    # `reason` is a code of rules.REVERSAL_REASONS, shown translated in the reader's language.
    for transaction in transactions:
        services.reverse(transaction, reason, at=trace.at, trace_id=trace.id)


def on_trace(trace: Trace, **_kwargs) -> None:
    """Post the points `trace` earns or reverses (the receiver of `trace_recorded`)."""
    verb, kind, ctx = trace.verb, trace.object_type, trace.context or {}
    if verb == "studied" and kind == "lesson":
        services.add_study(trace.actor_id, trace.duration_s or 0, key=f"trace:{trace.id}:study",
                           at=trace.at, trace_id=trace.id)
    elif verb == "completed" and kind == "lesson":
        _award(trace, "lesson_completed", subject=f"lesson:{trace.object_id}")
    elif verb == "completed" and kind == "course":
        _award(trace, "course_completed", subject=f"course:{trace.object_id}")
    elif verb == "passed" and kind == "exam":
        if ctx.get("kind", "exam") in EXAM_KINDS:
            _award_pass(trace, ctx.get("attempt_id"), first_attempt=bool(ctx.get("first_attempt")),
                        percent=ctx.get("percent"))
    elif verb == "answered" and kind == "question":
        if ctx.get("mode") == "daily" and trace.success:
            _award(trace, "daily_quiz_correct")
    elif verb == "certified" and kind == "certificate":
        code = rules.CERTIFICATE_RULES.get(ctx.get("tier"))
        if code:
            _award(trace, code, subject=f"certificate:{trace.object_id}")
    elif verb == "regraded" and kind == "exam":
        _regraded(trace, ctx)
    elif verb == "withdrawn" and kind == "certificate":
        _reverse_all(services.unreversed(Transaction.subject == f"certificate:{trace.object_id}"),
                     trace, "certificate_withdrawn")
    elif verb == "voided":
        voided = ctx.get("voided_trace_id")
        if isinstance(voided, str) and voided.isdigit():
            voided = int(voided)
        if isinstance(voided, int) and not isinstance(voided, bool):
            _reverse_all(services.unreversed(Transaction.trace_id == voided), trace, "trace_voided")


def _regraded(trace: Trace, ctx: dict) -> None:
    attempt_id = ctx.get("attempt_id")
    subject = f"attempt:{attempt_id}"
    before, after = bool(ctx.get("passed_before")), bool(ctx.get("passed_after"))
    if before and not after:
        _reverse_all(services.unreversed(Transaction.subject == subject,
                                         Transaction.rule_code.in_(EXAM_RULES)),
                     trace, "exam_regraded")
    elif after and not before:
        if services.unreversed(Transaction.subject == subject,
                               Transaction.rule_code == "exam_passed"):
            return
        failed = db.session.scalar(select(Trace).where(
            Trace.idempotency_key == f"failed:attempt:{attempt_id}"))
        failed_ctx = (failed.context or {}) if failed is not None else {}
        if failed_ctx.get("kind", "exam") not in EXAM_KINDS:
            return
        _award_pass(trace, attempt_id, first_attempt=bool(failed_ctx.get("first_attempt")),
                    percent=ctx.get("percent"))


def connect() -> None:
    """Subscribe the ledger to the trace signal (idempotent)."""
    trace_recorded.connect(on_trace, weak=False)
