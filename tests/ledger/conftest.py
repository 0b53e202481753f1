"""Helpers for ledger tests: record traces with the shared vocabulary directly."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db as _db
from app.ledger.models import Balance, Entry, Transaction
from app.traces.services import Event, record

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
_keys = itertools.count(1)


@pytest.fixture
def trace(db):
    """Record a trace: trace(user, verb, object_type, object_id, key=..., **fields)."""

    def make(user, verb, object_type, object_id=1, *, key=None, at=NOW, context=None, **fields):
        event = Event(key=key or f"{verb}:test:{next(_keys)}", actor=user, verb=verb,
                      object_type=object_type, object_id=object_id, object_name=f"{object_type} {object_id}",
                      at=at, context=context or {}, **fields)
        return record(event)

    return make


def points(user_id: int, period: str = "all", at=NOW) -> int:
    from app.ledger.services import balance

    return balance(user_id, period, at)


def check_invariants() -> None:
    """Every transaction sums to zero; every balance equals the sum of its entries."""
    unbalanced = _db.session.execute(
        select(Entry.transaction_id).group_by(Entry.transaction_id)
        .having(func.sum(Entry.points) != 0)).all()
    assert unbalanced == []
    from app.ledger.tasks import expected_balances

    expected = expected_balances()
    actual = {(b.account_id, b.period_kind, b.period_key): b.points
              for b in _db.session.scalars(select(Balance))}
    assert {k: v for k, v in actual.items() if v} == {k: v for k, v in expected.items() if v}
    keys = _db.session.scalars(select(Transaction.idempotency_key)).all()
    assert len(keys) == len(set(keys))
