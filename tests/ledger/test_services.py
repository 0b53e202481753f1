"""Posting, idempotency, append-only storage, manual adjustments, rewards and redemptions."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.accounts.models import AuditEntry
from app.errors import NotFound, PermissionDenied, ValidationFailed
from app.ledger import services
from app.ledger.models import Entry, Redemption, Reward, Transaction
from app.ledger.tasks import last_reconciliation, reconcile
from tests.ledger.conftest import NOW, check_invariants, points


def grant(user_id: int, n: int, key: str):
    return services.post(key=key, kind="award", at=NOW, user_id=user_id, rule_code="manual",
                         legs=[(services.system_account("issuance"), -n),
                               (services.user_account(user_id), n)])


def test_a_key_posts_once_and_a_reuse_with_other_content_is_refused(app, db, make_user):
    user = make_user()
    first = grant(user.id, 5, "k1")
    again = grant(user.id, 5, "k1")
    assert first.created and not again.created
    assert again.transaction.id == first.transaction.id
    with pytest.raises(services.IdempotencyConflict):
        grant(user.id, 6, "k1")
    assert points(user.id) == 5
    with pytest.raises(services.UnbalancedTransaction):
        services.post(key="k2", kind="award", at=NOW, legs=[(services.user_account(user.id), 1)])


def test_reversal_happens_once_and_restores_every_period(app, db, make_user):
    user = make_user()
    tx = grant(user.id, 5, "k1").transaction
    first = services.reverse(tx, "mistake", at=NOW.replace(month=12, day=30))
    second = services.reverse(tx, "another reason", at=NOW)
    assert first.created and not second.created
    for period in ("day", "week", "month", "quarter", "year", "all"):
        assert points(user.id, period) == 0
    db.session.commit()
    check_invariants()


def test_entries_and_transactions_cannot_be_updated(app, db, make_user):
    user = make_user()
    grant(user.id, 5, "k1")
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.update(Entry).values(points=50))
        db.session.flush()
    db.session.rollback()
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.update(Transaction).values(memo="x"))
    db.session.rollback()


@pytest.mark.postgresql_only
def test_postgresql_refuses_deletes_and_unbalanced_entries(app, db, make_user):
    user = make_user()
    tx = grant(user.id, 5, "k1").transaction
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.delete(Entry))
    db.session.rollback()
    db.session.execute(sa.insert(Entry).values(transaction_id=tx.id, account_id=tx.entries[0].account_id,
                                               points=3))
    with pytest.raises(sa.exc.IntegrityError, match="sum to zero"):
        db.session.commit()
    db.session.rollback()


def test_reconciliation_rebuilds_balances_and_stores_the_run(app, db, make_user):
    from app.ledger.models import Balance

    user = make_user()
    grant(user.id, 5, "k1")
    db.session.execute(sa.update(Balance).where(Balance.period_kind == "month").values(points=99))
    summary = reconcile(NOW)
    assert "1 corrected" in summary
    run = last_reconciliation()
    assert run.differences[0]["expected"] == 5 and run.differences[0]["actual"] == 99
    assert points(user.id, "month") == 5
    assert "0 corrected" in reconcile(NOW)


@pytest.fixture
def org(make_unit, make_user):
    root = make_unit("组织部")
    section, other = make_unit("干部科", parent=root), make_unit("乡镇", kind="town")
    manager = make_user(roles=("manager",), org_unit=section)
    inside = make_user(org_unit=section)
    outside = make_user(org_unit=other)
    return manager, inside, outside


def test_manager_grants_and_deducts_within_the_subtree_with_a_reason(app, db, org):
    manager, inside, outside = org
    services.adjust(manager, inside.id, 8, "协助组织活动", key="adj1", now=NOW)
    services.adjust(manager, inside.id, -3, "迟交", key="adj2", now=NOW)
    assert points(inside.id) == 5
    assert services.adjust(manager, inside.id, 8, "协助组织活动", key="adj1", now=NOW).created is False
    with pytest.raises(NotFound):
        services.adjust(manager, outside.id, 5, "x", key="adj3", now=NOW)
    with pytest.raises(ValidationFailed):
        services.adjust(manager, inside.id, 5, "  ", key="adj4", now=NOW)
    with pytest.raises(ValidationFailed):
        services.adjust(manager, inside.id, 0, "x", key="adj5", now=NOW)
    with pytest.raises(PermissionDenied):
        services.adjust(manager, manager.id, 5, "x", key="adj6", now=NOW)
    with pytest.raises(NotFound):
        services.adjust(inside, inside.id, 5, "x", key="adj7", now=NOW)
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.action.like("points.%")).order_by(AuditEntry.id)).all()
    assert actions == ["points.grant", "points.deduct"]
    memos = [t.memo for t in services.entries_for(inside.id)]
    assert memos == ["迟交", "协助组织活动"]


def test_redemption_checks_balance_and_stock_and_cancel_refunds(app, db, make_user):
    admin, user = make_user(roles=("admin",)), make_user()
    reward = services.create_reward("党建读本", 10, 1, actor=admin, now=NOW)
    with pytest.raises(services.InsufficientPoints):
        services.redeem(user, reward.id, "r1", now=NOW)
    grant(user.id, 25, "g")
    result = services.redeem(user, reward.id, "r1", now=NOW)
    assert result.created and result.balance == 15 and result.redemption.status == "pending"
    again = services.redeem(user, reward.id, "r1", now=NOW)
    assert not again.created and again.redemption.id == result.redemption.id
    with pytest.raises(services.OutOfStock):
        services.redeem(user, reward.id, "r2", now=NOW)
    other = services.create_reward("笔记本", 5, 3, actor=admin, now=NOW)
    with pytest.raises(services.IdempotencyConflict):
        services.redeem(user, other.id, "r1", now=NOW)
    with pytest.raises(NotFound):
        services.redeem(user, 99999, "r3", now=NOW)
    services.set_redemption_status(result.redemption, "cancelled", actor=admin, now=NOW)
    assert points(user.id) == 25
    assert db.session.get(Reward, reward.id).stock == 1
    from app.errors import Conflict

    with pytest.raises(Conflict):
        services.set_redemption_status(result.redemption, "fulfilled", actor=admin, now=NOW)
    second = services.redeem(user, reward.id, "r4", now=NOW)
    services.set_redemption_status(second.redemption, "fulfilled", actor=admin, now=NOW)
    assert db.session.get(Redemption, second.redemption.id).status == "fulfilled"
    db.session.commit()
    check_invariants()
