"""Scheduled ledger jobs: study streaks and reconciliation (see app/scheduler.py JOBS)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.ledger import rules, services
from app.ledger.models import Account, Balance, Entry, Reconciliation, StudyDay, Transaction
from app.timeutil import local_today, period_keys, utcnow

STREAK_LOOKBACK_DAYS = 400


def settle_streaks(now: datetime) -> str:
    """Award study_streak to each user whose run of study days ending yesterday (Asia/
    Shanghai) reached a multiple of 7; idempotent per user and streak end day."""
    end_day = local_today(now) - timedelta(days=1)
    studied = select(StudyDay.user_id).where(StudyDay.day == end_day, StudyDay.seconds > 0)
    days: dict[int, set] = defaultdict(set)
    for user_id, day in db.session.execute(
            select(StudyDay.user_id, StudyDay.day).where(
                StudyDay.user_id.in_(studied), StudyDay.seconds > 0,
                StudyDay.day > end_day - timedelta(days=STREAK_LOOKBACK_DAYS),
                StudyDay.day <= end_day)):
        days[user_id].add(day)
    awarded = 0
    for user_id, studied_days in sorted(days.items()):
        run, day = 0, end_day
        while day in studied_days:
            run, day = run + 1, day - timedelta(days=1)
        if run and run % rules.STREAK_DAYS == 0:
            posting = services.award(user_id, "study_streak", key=f"streak:{user_id}:{end_day}",
                                     at=now, subject=f"streak:{end_day}",
                                     memo=f"{end_day - timedelta(days=run - 1)} – {end_day}")
            awarded += bool(posting and posting.created)
    return f"{awarded} streak awards for runs ending {end_day}"


def expected_balances() -> dict[tuple[int, str, str], int]:
    """Every user account's balance per period, rebuilt from the entries."""
    rows = db.session.execute(
        select(Entry.account_id, Transaction.period_at, func.sum(Entry.points))
        .join(Transaction, Transaction.id == Entry.transaction_id)
        .join(Account, Account.id == Entry.account_id)
        .where(Account.kind == "user")
        .group_by(Entry.account_id, Transaction.period_at))
    expected: dict[tuple[int, str, str], int] = defaultdict(int)
    for account_id, period_at, points in rows:
        for kind, key in period_keys(period_at).items():
            expected[(account_id, kind, key)] += int(points)
    return dict(expected)


def reconcile(now: datetime) -> str:
    """Rebuild every balance from the entries, correct and store any difference."""
    started = utcnow()
    expected = expected_balances()
    actual = {(b.account_id, b.period_kind, b.period_key): b
              for b in db.session.scalars(select(Balance))}
    owners = dict(db.session.execute(select(Account.id, Account.user_id)
                                     .where(Account.kind == "user")).all())
    differences = []
    for key in sorted(set(expected) | set(actual)):
        want = expected.get(key, 0)
        row = actual.get(key)
        have = row.points if row is not None else 0
        if want == have:
            continue
        differences.append({"account_id": key[0], "period_kind": key[1], "period_key": key[2],
                            "expected": want, "actual": have})
        if row is None:
            db.session.add(Balance(account_id=key[0], period_kind=key[1], period_key=key[2],
                                   user_id=owners[key[0]], points=want, reached_at=now))
        else:
            row.points = want
    unbalanced = db.session.scalar(select(func.count()).select_from(
        select(Entry.transaction_id).group_by(Entry.transaction_id)
        .having(func.sum(Entry.points) != 0).subquery()))
    db.session.add(Reconciliation(started_at=started, finished_at=utcnow(),
                                  balances_checked=len(set(expected) | set(actual)),
                                  unbalanced_transactions=unbalanced, differences=differences[:1000]))
    db.session.flush()
    return (f"{len(set(expected) | set(actual))} balances checked, {len(differences)} corrected, "
            f"{unbalanced} unbalanced transactions")


def last_reconciliation() -> Reconciliation | None:
    return db.session.scalar(select(Reconciliation).order_by(Reconciliation.id.desc()).limit(1))
