"""Recording traces (once per idempotency key) and reading timelines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from blinker import signal
from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.accounts.models import User
from app.extensions import db
from app.timeutil import LOCAL_TZ, local_today
from app.traces.models import Trace

# Sent after a trace is recorded, inside the same transaction; the points ledger listens.
trace_recorded = signal("trace-recorded")


@dataclass(frozen=True)
class Event:
    """What happened, before it becomes a Trace row."""

    key: str
    actor: User
    verb: str
    object_type: str
    object_id: int
    object_name: str
    at: datetime
    duration_s: int | None = None
    completion: bool | None = None
    success: bool | None = None
    score_raw: float | None = None
    score_max: float | None = None
    context: dict = field(default_factory=dict)


def record(event: Event) -> Trace | None:
    """Append `event` unless its idempotency key is taken; return the new trace or None."""
    values = {
        "idempotency_key": event.key,
        "actor_id": event.actor.id,
        "verb": event.verb,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_name": event.object_name[:200],
        "at": event.at,
        "duration_s": event.duration_s,
        "completion": event.completion,
        "success": event.success,
        "score_raw": event.score_raw,
        "score_max": event.score_max,
        "context": event.context,
    }
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(Trace).values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(Trace.id)
    )
    trace_id = db.session.execute(statement).scalar()
    if trace_id is None:
        return None
    trace = db.session.get(Trace, trace_id)
    trace_recorded.send(trace)
    return trace


def timeline(actor: User, *, before_id: int | None = None) -> Select:
    """A query of `actor`'s traces, newest first."""
    query = select(Trace).where(Trace.actor_id == actor.id)
    if before_id:
        query = query.where(Trace.id < before_id)
    return query.order_by(Trace.at.desc(), Trace.id.desc())


def daily_study(actor: User, days: Iterable[date]) -> dict[date, int]:
    """Seconds of credited study per Asia/Shanghai day, for the given days, in one query."""
    days = sorted(set(days))
    if not days:
        return {}
    start = datetime.combine(days[0], time.min, LOCAL_TZ)
    end = datetime.combine(days[-1] + timedelta(days=1), time.min, LOCAL_TZ)
    totals: dict[date, int] = dict.fromkeys(days, 0)
    for at, seconds in db.session.execute(select(Trace.at, Trace.duration_s).where(
            Trace.actor_id == actor.id, Trace.verb == "studied", Trace.at >= start, Trace.at < end)):
        day = local_today(at)
        if day in totals:
            totals[day] += seconds or 0
    return totals
