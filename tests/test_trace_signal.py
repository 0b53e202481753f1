"""The trace signal fires once per new idempotency key, inside the recording transaction."""

from datetime import UTC, datetime

from app.traces.models import Trace
from app.traces.services import Event, record
from app.traces.signals import trace_recorded


def test_fires_once_per_new_key_and_never_for_a_repeat(app, db, make_user):
    user = make_user()
    seen: list[Trace] = []

    def receiver(trace):
        # Inside the transaction: the row is visible to this session, not yet committed.
        assert db.session.get(Trace, trace.id) is trace
        seen.append(trace)

    event = Event(key="opened:signal:1", actor=user, verb="opened", object_type="lesson",
                  object_id=1, object_name="L", at=datetime(2026, 12, 1, tzinfo=UTC))
    with trace_recorded.connected_to(receiver):
        first = record(event)
        assert record(event) is None
        record(Event(**{**event.__dict__, "key": "opened:signal:2"}))
    db.session.commit()
    assert [t.idempotency_key for t in seen] == ["opened:signal:1", "opened:signal:2"]
    assert seen[0] is first
