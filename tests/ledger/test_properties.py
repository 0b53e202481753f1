"""Property tests: random sequences of postings with duplicates, retries, reversals and
cap and period boundaries keep the ledger's invariants."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from datetime import UTC, datetime

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db as _db
from app.ledger import rules, services
from app.ledger.models import Balance, CapUsage, Entry, Reward, Transaction
from app.timeutil import local_today
from app.traces.services import Event, record
from tests.ledger.conftest import check_invariants

# Instants on either side of Shanghai midnight, an ISO week, a quarter and a year.
INSTANTS = [
    datetime(2026, 11, 29, 15, 59, 59, tzinfo=UTC), datetime(2026, 11, 29, 16, 0, tzinfo=UTC),
    datetime(2026, 9, 30, 15, 59, 59, tzinfo=UTC), datetime(2026, 9, 30, 16, 0, tzinfo=UTC),
    datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC), datetime(2026, 12, 31, 16, 0, tzinfo=UTC),
]
CODES = ["lesson_completed", "daily_quiz_correct", "study_streak"]
LEDGER_TABLES = ["ledger_redemptions", "ledger_entries", "ledger_transactions", "ledger_balances",
                 "ledger_cap_usage", "ledger_study_days", "ledger_settings", "ledger_rewards",
                 "traces"]

award_op = st.tuples(st.just("award"), st.integers(0, 1), st.sampled_from(CODES),
                     st.integers(0, 12), st.integers(0, len(INSTANTS) - 1))
study_op = st.tuples(st.just("study"), st.integers(0, 1), st.integers(1, 900),
                     st.integers(0, 12), st.integers(0, len(INSTANTS) - 1))
reverse_op = st.tuples(st.just("reverse"), st.integers(0, 50))
redeem_op = st.tuples(st.just("redeem"), st.integers(0, 1), st.integers(0, 6))
cancel_op = st.tuples(st.just("cancel"), st.integers(0, 50))


def _wipe() -> None:
    session = _db.session
    session.rollback()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text(f"TRUNCATE {', '.join(LEDGER_TABLES)} RESTART IDENTITY CASCADE"))
    else:
        for table in LEDGER_TABLES:
            session.execute(sa.text(f"DELETE FROM {table}"))
    session.commit()


def _apply(op, users) -> None:
    kind = op[0]
    if kind == "award":
        _, who, code, key, at = op
        # The key names the code, as real keys do: a repeat is a retry of the same award.
        services.award(users[who].id, code, key=f"p:{who}:{code}:{key}", at=INSTANTS[at])
    elif kind == "study":
        # Study arrives as traces; a repeated trace key is a retried heartbeat.
        _, who, seconds, key, at = op
        record(Event(key=f"studied:{who}:{key}", actor=users[who], verb="studied",
                     object_type="lesson", object_id=1, object_name="L", at=INSTANTS[at],
                     duration_s=seconds))
    elif kind == "reverse":
        candidates = services.unreversed(Transaction.kind == "award")
        if candidates:
            services.reverse(candidates[op[1] % len(candidates)], "test", at=INSTANTS[0])


def _check_caps() -> None:
    for usage in _db.session.scalars(select(CapUsage)):
        cap = rules.in_force(usage.rule_code, INSTANTS[0]).daily_cap
        assert cap is None or usage.used <= cap
    # Gross awards per user, rule and local day never exceed the rule's cap.
    gross: dict = defaultdict(int)
    rows = _db.session.execute(
        select(Transaction.user_id, Transaction.rule_code, Transaction.at, Entry.points)
        .join(Entry, Entry.transaction_id == Transaction.id)
        .where(Transaction.kind == "award", Entry.points > 0))
    for user_id, code, at, pts in rows:
        gross[(user_id, code, local_today(at))] += pts
    for (_, code, _), total in gross.items():
        cap = rules.in_force(code, INSTANTS[0]).daily_cap
        assert cap is None or total <= cap


@settings(max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(st.one_of(award_op, study_op, reverse_op), min_size=1, max_size=20))
def test_random_postings_keep_the_invariants(app, db, make_user, ops):
    _wipe()
    users = [make_user(), make_user()] if not hasattr(app, "_prop_users") else app._prop_users
    app._prop_users = users
    for op in ops:
        _apply(op, users)
        if op[0] == "award" and op[3] % 4 == 0:
            db.session.commit()  # some postings commit between steps, some batch up
    db.session.commit()
    check_invariants()
    _check_caps()


@settings(max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(st.one_of(award_op, redeem_op, cancel_op), min_size=1, max_size=20))
def test_redemptions_never_overdraw_or_oversell(app, db, make_user, ops):
    _wipe()
    users = [make_user(), make_user()] if not hasattr(app, "_prop_users") else app._prop_users
    app._prop_users = users
    admin = users[0]
    reward = services.create_reward("读本", 3, 2, actor=None, now=INSTANTS[0])
    for op in ops:
        if op[0] == "redeem":
            _, who, key = op
            with contextlib.suppress(services.InsufficientPoints, services.OutOfStock,
                                     services.IdempotencyConflict):
                services.redeem(users[who], reward.id, f"k{key}", now=INSTANTS[1])
        elif op[0] == "cancel":
            from app.ledger.models import Redemption

            pending = db.session.scalars(select(Redemption).where(
                Redemption.status == "pending").order_by(Redemption.id)).all()
            if pending:
                services.set_redemption_status(pending[op[1] % len(pending)], "cancelled",
                                               actor=admin, now=INSTANTS[1])
        else:
            _apply(op, users)
        assert db.session.get(Reward, reward.id).stock >= 0
        assert all(b.points >= 0 for b in db.session.scalars(
            select(Balance).where(Balance.period_kind == "all")))
    db.session.commit()
    check_invariants()
