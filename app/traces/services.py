"""Recording traces (once per idempotency key) and reading timelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.accounts.models import User
from app.extensions import db
from app.traces.models import Trace
from app.traces.signals import trace_recorded


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
