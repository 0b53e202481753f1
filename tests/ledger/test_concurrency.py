"""Concurrent postings on PostgreSQL: threads released together by a barrier."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from app.accounts.models import User
from app.extensions import db as _db
from app.ledger import rules, services
from app.ledger.models import Redemption, Reward, Transaction
from tests.conftest import all_at_once
from tests.ledger.conftest import NOW, check_invariants, points

# Real concurrency needs PostgreSQL: SQLite serializes every writer.
pytestmark = pytest.mark.postgresql_only
N = 50


@pytest.fixture
def app_config():
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 5, "max_overflow": N}}


@pytest.fixture(autouse=True)
def default_rules(app, db):
    """The rules rows the migration inserts (the test teardown empties every table)."""
    rules.all_in_force(NOW)
    db.session.commit()


def in_thread(app, work, outcomes):
    def call():
        with app.app_context():
            try:
                outcomes.append(work())
                _db.session.commit()
            except Exception as exc:  # noqa: BLE001 - recorded for the assertions
                _db.session.rollback()
                outcomes.append(exc)
            finally:
                _db.session.remove()
    return call


def test_fifty_identical_awards_post_once(app, db, make_user):
    user = make_user()
    services.user_account(user.id)
    db.session.commit()
    outcomes: list = []
    all_at_once([in_thread(app, lambda: services.award(user.id, "exam_passed", key="same",
                                                       at=NOW, subject="attempt:1").created,
                           outcomes) for _ in range(N)])
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert outcomes.count(True) == 1
    db.session.expire_all()
    assert points(user.id) == 10
    assert db.session.scalar(select(func.count()).select_from(Transaction)) == 1


def test_fifty_different_awards_to_one_account_all_land(app, db, make_user):
    user = make_user()
    services.user_account(user.id)
    db.session.commit()
    outcomes: list = []
    all_at_once([in_thread(app, lambda n=n: services.award(
        user.id, "lesson_completed", key=f"lesson:{n}", at=NOW).created, outcomes)
        for n in range(N)])
    assert outcomes.count(True) == N, [o for o in outcomes if o is not True][:3]
    db.session.expire_all()
    for period in ("day", "week", "month", "quarter", "year", "all"):
        assert points(user.id, period) == 2 * N
    check_invariants()


def test_concurrent_capped_awards_never_exceed_the_cap(app, db, make_user):
    user = make_user()
    services.user_account(user.id)
    db.session.commit()
    outcomes: list = []
    all_at_once([in_thread(app, lambda n=n: services.award(
        user.id, "daily_quiz_correct", key=f"quiz:{n}", at=NOW), outcomes) for n in range(30)])
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    db.session.expire_all()
    assert points(user.id) == 5
    assert services.cap_used(user.id, NOW.date(), ["daily_quiz_correct"]) == {
        "daily_quiz_correct": 5}


def test_concurrent_redemptions_never_oversell_or_overdraw(app, db, make_user):
    rich, poor = make_user(), make_user()
    for user, n in ((rich, 100), (poor, 25)):
        services.post(key=f"seed:{user.id}", kind="grant", at=NOW, user_id=user.id,
                      rule_code="manual", legs=[(services.system_account("adjustment"), -n),
                                                (services.user_account(user.id), n)])
    reward = services.create_reward("读本", 10, 5, actor=None, now=NOW)
    db.session.commit()
    outcomes: list = []

    def redeem(user_id, key):
        return lambda: services.redeem(_db.session.get(User, user_id), reward.id, key,
                                       now=NOW).created

    calls = [in_thread(app, redeem(poor.id, f"p{n}"), outcomes) for n in range(10)]
    calls += [in_thread(app, redeem(rich.id, f"r{n}"), outcomes) for n in range(10)]
    calls += [in_thread(app, redeem(rich.id, "same"), outcomes) for _ in range(5)]
    all_at_once(calls)
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(
        o, services.InsufficientPoints | services.OutOfStock)]
    assert unexpected == []
    db.session.expire_all()
    sold = db.session.scalar(select(func.count()).select_from(Redemption))
    assert db.session.get(Reward, reward.id).stock == 5 - sold >= 0
    assert points(poor.id) >= 0 and points(poor.id) == 25 - 10 * db.session.scalar(
        select(func.count()).select_from(Redemption).where(Redemption.user_id == poor.id))
    assert points(poor.id) == 5 or sold == 5
    assert db.session.scalar(select(func.count()).select_from(Redemption).where(
        Redemption.idempotency_key == "same")) <= 1
    check_invariants()
    # Nothing was left locked or half-done.
    assert db.session.execute(sa.text("select 1")).scalar() == 1


def test_awards_and_redemptions_of_one_user_at_once_neither_deadlock_nor_lose_points(
        app, db, make_user):
    user = make_user()
    services.post(key="seed", kind="grant", at=NOW, user_id=user.id, rule_code="manual",
                  legs=[(services.system_account("adjustment"), -50),
                        (services.user_account(user.id), 50)])
    reward = services.create_reward("读本", 10, 100, actor=None, now=NOW)
    db.session.commit()
    outcomes: list = []
    calls = [in_thread(app, lambda n=n: services.award(
        user.id, "lesson_completed", key=f"l{n}", at=NOW).created, outcomes) for n in range(20)]
    calls += [in_thread(app, lambda n=n: services.redeem(
        _db.session.get(User, user.id), reward.id, f"r{n}", now=NOW).created, outcomes)
        for n in range(10)]
    all_at_once(calls)
    errors = [o for o in outcomes if isinstance(o, Exception)
              and not isinstance(o, services.InsufficientPoints)]
    assert errors == []
    db.session.expire_all()
    sold = db.session.scalar(select(func.count()).select_from(Redemption))
    assert points(user.id) == 50 + 40 - 10 * sold >= 0
    check_invariants()
