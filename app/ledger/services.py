"""Posting to the points ledger: idempotent double-entry transactions, reversals, caps,
balances per period, manual adjustments, and redemptions of rewards.

Every posting is one `ledger_transactions` row (its idempotency key unique in the
database) and entries that sum to zero, written with the period balances of the user in
the same database transaction. Balances are incremented by an atomic upsert
(`INSERT ... ON CONFLICT DO UPDATE SET points = points + excluded.points`), so two
postings to one account at once never lose an update; daily caps are taken by one
compare-and-swap UPDATE, so they hold under concurrency. System accounts (issuance,
redemption, adjustment) keep no balance rows: every posting would otherwise queue on one
hot row; their totals are the sums of their entries.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from app.accounts import audit
from app.accounts.models import User
from app.accounts.permissions import visible_users
from app.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from app.ledger import rules
from app.ledger.models import (
    TOTAL_CAP,
    Account,
    Balance,
    CapUsage,
    Entry,
    Redemption,
    Reward,
    Rule,
    StudyDay,
    Transaction,
)
from app.timeutil import local_today, period_keys, utcnow


class IdempotencyConflict(DomainError):
    code = "idempotency_conflict"
    status = 409
    default_message = _l("This idempotency key was already used for a different request.")


class InsufficientPoints(DomainError):
    code = "insufficient_points"
    status = 409
    default_message = _l("You do not have enough points for this reward.")


class OutOfStock(DomainError):
    code = "out_of_stock"
    status = 409
    default_message = _l("This reward is out of stock.")


class UnbalancedTransaction(ValueError):
    """A programming error: entries that do not sum to zero, or a zero entry."""


@dataclass(frozen=True)
class Posting:
    transaction: Transaction
    created: bool


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _insert():
    return pg_insert if _dialect() == "postgresql" else sqlite_insert


# ---------------------------------------------------------------- accounts


def system_account(kind: str) -> int:
    """The id of system account `kind` (issuance, redemption, adjustment), created if missing."""
    return _account(kind, kind, None)


def user_account(user_id: int) -> int:
    """The id of the points account of user `user_id`, created if missing."""
    return _account(f"user:{user_id}", "user", user_id)


def find_user_account(user_id: int) -> int | None:
    """The id of the user's points account, or None before their first posting."""
    return db.session.scalar(select(Account.id).where(Account.key == f"user:{user_id}"))


def _account(key: str, kind: str, user_id: int | None) -> int:
    found = db.session.scalar(select(Account.id).where(Account.key == key))
    if found is not None:
        return found
    db.session.execute(_insert()(Account).values(key=key, kind=kind, user_id=user_id)
                       .on_conflict_do_nothing(index_elements=["key"]))
    return db.session.scalar(select(Account.id).where(Account.key == key))


# ---------------------------------------------------------------- posting


def content_hash(content: dict) -> str:
    """A stable hash of what a posting asks for, to tell a retry from a reused key."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def post(*, key: str, kind: str, legs: list[tuple[int, int]], at: datetime,
         user_id: int | None = None, rule: Rule | None = None, rule_code: str | None = None,
         trace_id: int | None = None, subject: str | None = None,
         reverses: Transaction | None = None, memo: str = "", actor_id: int | None = None,
         content: dict | None = None) -> Posting:
    """Post a transaction of `legs` (account id, points) once per idempotency `key`.

    A repeat with the same content returns the existing transaction (created False); a
    repeat with different content raises IdempotencyConflict. `content` is what the hash
    covers (by default the legs and references).
    """
    if not legs or any(points == 0 for _, points in legs) or sum(p for _, p in legs) != 0:
        raise UnbalancedTransaction(f"{key}: {legs}")
    if rule is not None:
        rule_code = rule.code
    digest = content_hash(content if content is not None else {
        "kind": kind, "legs": sorted(legs), "user": user_id, "rule": rule_code,
        "trace": trace_id, "subject": subject, "reverses": reverses.id if reverses else None,
        "memo": memo})
    period_at = reverses.period_at if reverses is not None else at
    new_id = db.session.execute(
        _insert()(Transaction).values(
            idempotency_key=key, content_hash=digest, kind=kind, user_id=user_id,
            rule_code=rule_code, rule_version=rule.version if rule is not None else (
                reverses.rule_version if reverses is not None else None),
            trace_id=trace_id, subject=subject, reverses_id=reverses.id if reverses else None,
            memo=memo, actor_id=actor_id, at=at, period_at=period_at, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(Transaction.id)).scalar()
    if new_id is None:
        existing = db.session.scalar(select(Transaction).where(Transaction.idempotency_key == key))
        if existing is None or existing.content_hash != digest:
            raise IdempotencyConflict()
        return Posting(existing, False)
    db.session.execute(_insert()(Entry), [
        {"transaction_id": new_id, "account_id": account_id, "points": points}
        for account_id, points in legs])
    _add_to_balances(legs, period_at, at)
    return Posting(db.session.get(Transaction, new_id), True)


def _add_to_balances(legs: list[tuple[int, int]], period_at: datetime, at: datetime) -> None:
    owners = dict(db.session.execute(
        select(Account.id, Account.user_id).where(Account.id.in_([a for a, _ in legs]),
                                                  Account.kind == "user")).all())
    # Rows are locked in one order everywhere (account, then "all" first, as a redemption
    # locks it before posting), so concurrent postings queue instead of deadlocking.
    keys = period_keys(period_at)
    ordered = [("all", keys["all"])] + [(k, v) for k, v in keys.items() if k != "all"]
    rows = [
        {"account_id": account_id, "period_kind": kind, "period_key": period_key,
         "user_id": owners[account_id], "points": points, "reached_at": at}
        for account_id, points in sorted(legs) if account_id in owners
        for kind, period_key in ordered
    ]
    if not rows:
        return
    statement = _insert()(Balance).values(rows)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["account_id", "period_kind", "period_key"],
        set_={"points": Balance.points + statement.excluded.points,
              "reached_at": statement.excluded.reached_at}))


def is_reversed(transaction: Transaction) -> bool:
    return db.session.scalar(select(Transaction.id).where(
        Transaction.reverses_id == transaction.id)) is not None


def reverse(transaction: Transaction, reason: str, *, at: datetime, actor_id: int | None = None,
            trace_id: int | None = None) -> Posting:
    """Post the mirror of `transaction` (once: a second call returns the same reversal)."""
    if transaction.kind == "reversal":
        raise Conflict(_l("A reversal cannot be reversed; post a new transaction instead."))
    legs = [(entry.account_id, -entry.points) for entry in transaction.entries]
    return post(key=f"reverse:{transaction.id}", kind="reversal", legs=legs, at=at,
                user_id=transaction.user_id, rule_code=transaction.rule_code,
                trace_id=trace_id, subject=transaction.subject, reverses=transaction,
                memo=reason, actor_id=actor_id, content={"reverses": transaction.id})


def unreversed(*conditions) -> list[Transaction]:
    """Transactions matching `conditions` that are not reversals and not yet reversed."""
    reversal = aliased(Transaction)
    return list(db.session.scalars(
        select(Transaction).where(Transaction.kind != "reversal", *conditions,
                                  ~select(reversal.id).where(reversal.reverses_id == Transaction.id)
                                  .exists())
        .order_by(Transaction.id)))


# ---------------------------------------------------------------- caps and awards


def _least(a, b):
    return func.least(a, b) if _dialect() == "postgresql" else func.min(a, b)


def take_cap(user_id: int, day, code: str, points: int, cap: int) -> int:
    """Take up to `points` of the day's room under `cap`; what was granted (maybe 0)."""
    if points <= 0 or cap <= 0:
        return 0
    db.session.execute(_insert()(CapUsage).values(user_id=user_id, day=day, rule_code=code,
                                                  used=0, last_grant=0)
                       .on_conflict_do_nothing(index_elements=["user_id", "day", "rule_code"]))
    # One statement: every SET expression reads the row as it was, so last_grant is
    # exactly what this increment added, whatever ran concurrently.
    granted = db.session.execute(
        update(CapUsage).where(CapUsage.user_id == user_id, CapUsage.day == day,
                               CapUsage.rule_code == code, CapUsage.used < cap)
        .values(last_grant=_least(cap, CapUsage.used + points) - CapUsage.used,
                used=_least(cap, CapUsage.used + points))
        .returning(CapUsage.last_grant)).scalar()
    return granted or 0


def give_back_cap(user_id: int, day, code: str, points: int) -> None:
    """Return `points` of room taken by `take_cap` that no posting used."""
    if points > 0:
        db.session.execute(update(CapUsage).where(
            CapUsage.user_id == user_id, CapUsage.day == day, CapUsage.rule_code == code)
            .values(used=CapUsage.used - points))


def cap_used(user_id: int, day, codes) -> dict[str, int]:
    """The room used on `day` per rule code (and "*", the total)."""
    return dict(db.session.execute(select(CapUsage.rule_code, CapUsage.used).where(
        CapUsage.user_id == user_id, CapUsage.day == day, CapUsage.rule_code.in_(list(codes)))).all())


def award(user_id: int, code: str, points: int | None = None, *, key: str, at: datetime,
          trace_id: int | None = None, subject: str | None = None, memo: str = "") -> Posting | None:
    """Award rule `code` (its amount, or `points`) to a user within the daily caps.

    Returns None when the rule is disabled or the caps leave no room.
    """
    rule = rules.in_force(code, at)
    requested = rule.amount if points is None else points
    if not rule.enabled or requested <= 0:
        return None
    content = {"kind": "award", "user": user_id, "rule": code, "requested": requested,
               "trace": trace_id, "subject": subject}
    existing = db.session.scalar(select(Transaction).where(Transaction.idempotency_key == key))
    if existing is not None:
        if existing.content_hash != content_hash(content):
            raise IdempotencyConflict()
        return Posting(existing, False)
    day = local_today(at)
    granted = requested
    if rule.daily_cap is not None:
        granted = take_cap(user_id, day, code, requested, rule.daily_cap)
    total_cap = rules.setting("total_daily_cap")
    if granted and total_cap is not None:
        in_total = take_cap(user_id, day, TOTAL_CAP, granted, int(total_cap))
        if rule.daily_cap is not None:
            give_back_cap(user_id, day, code, granted - in_total)
        granted = in_total
    if not granted:
        return None
    posting = post(key=key, kind="award", at=at, user_id=user_id, rule=rule, trace_id=trace_id,
                   subject=subject, memo=memo, content=content,
                   legs=[(system_account("issuance"), -granted), (user_account(user_id), granted)])
    if not posting.created:  # a concurrent twin posted first: its caps count, not ours
        if rule.daily_cap is not None:
            give_back_cap(user_id, day, code, granted)
        if total_cap is not None:
            give_back_cap(user_id, day, TOTAL_CAP, granted)
    return posting


def add_study(user_id: int, seconds: int, *, key: str, at: datetime,
              trace_id: int | None = None, subject: str | None = None) -> Posting | None:
    """Credit `seconds` of study on the local day of `at`; award the units completed.

    Seconds add up across beats within a local day, so the remainder below a unit carries
    to the next beat (not past midnight).
    """
    if seconds <= 0:
        return None
    day = local_today(at)
    statement = _insert()(StudyDay).values(user_id=user_id, day=day, seconds=seconds)
    total = db.session.execute(statement.on_conflict_do_update(
        index_elements=["user_id", "day"],
        set_={"seconds": StudyDay.seconds + statement.excluded.seconds})
        .returning(StudyDay.seconds)).scalar()
    rule = rules.in_force("study", at)
    unit = rule.unit_seconds or 300
    units = total // unit - (total - seconds) // unit
    if units <= 0:
        return None
    return award(user_id, "study", units * rule.amount, key=key, at=at, trace_id=trace_id,
                 subject=subject)


# ---------------------------------------------------------------- manual adjustments


MAX_ADJUSTMENT = 100_000


def adjust(actor: User, target_id: int, points: int, reason: str, *, key: str,
           now: datetime) -> Posting:
    """A manager's grant (points > 0) or deduction (< 0) for someone in their subtree."""
    target = db.session.scalar(visible_users(actor).where(User.id == target_id))
    if target is None or not (actor.has_role("manager") or actor.has_role("admin")):
        raise NotFound()
    if target.id == actor.id:
        raise PermissionDenied(_l("You cannot grant or deduct your own points."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("A reason is required."))
    if not points or abs(points) > MAX_ADJUSTMENT:
        raise ValidationFailed(_l("Points must be a whole number other than zero, at most %(n)s.",
                                  n=MAX_ADJUSTMENT))
    kind = "grant" if points > 0 else "deduction"
    adjustment, account = system_account("adjustment"), user_account(target.id)
    posting = post(key=key, kind=kind, at=now, user_id=target.id, rule_code="manual",
                   memo=reason[:500], actor_id=actor.id,
                   legs=[(adjustment, -points), (account, points)])
    if posting.created:
        audit.record(actor, "points.grant" if points > 0 else "points.deduct", target=target,
                     summary=f"{target.username} {points:+d}", now=now,
                     details={"points": points, "reason": reason[:500],
                              "transaction_id": posting.transaction.id})
    return posting


# ---------------------------------------------------------------- balances and entries


def balance(user_id: int, period: str = "all", at: datetime | None = None) -> int:
    """The user's points in the `period` kind containing `at` (all time by default)."""
    key = "all" if period == "all" else period_keys(at)[period]
    return db.session.scalar(select(Balance.points).join(Account, Account.id == Balance.account_id)
                             .where(Account.user_id == user_id, Balance.period_kind == period,
                                    Balance.period_key == key)) or 0


# ---------------------------------------------------------------- rewards and redemptions


@dataclass(frozen=True)
class RedemptionResult:
    redemption: Redemption
    created: bool
    balance: int


def redeem(user: User, reward_id: int, client_key: str, *, now: datetime) -> RedemptionResult:
    """Redeem reward `reward_id` for `user` once per their `client_key`.

    The user's all-time balance row is locked (SELECT ... FOR UPDATE) before it is
    checked, and stock is taken by a compare-and-swap, so concurrent redemptions never
    overdraw the balance or oversell the stock.
    """
    client_key = (client_key or "").strip()
    if not client_key or len(client_key) > 100:
        raise ValidationFailed(_l("An idempotency key of 1 to 100 characters is required."))
    account = user_account(user.id)
    db.session.execute(select(Balance.points).where(
        Balance.account_id == account, Balance.period_kind == "all", Balance.period_key == "all")
        .with_for_update())
    # Checked after the lock: a twin request holding it has committed by now.
    existing = db.session.scalar(select(Redemption).where(
        Redemption.user_id == user.id, Redemption.idempotency_key == client_key))
    if existing is not None:
        if existing.reward_id != reward_id:
            raise IdempotencyConflict()
        return RedemptionResult(existing, False, balance(user.id))
    reward = db.session.get(Reward, reward_id)
    if reward is None or not reward.active:
        raise NotFound()
    points = balance(user.id)
    if points < reward.price:
        raise InsufficientPoints(_l("This reward costs %(price)s points; you have %(points)s.",
                                    price=reward.price, points=points))
    taken = db.session.execute(update(Reward).where(Reward.id == reward.id, Reward.stock > 0)
                               .values(stock=Reward.stock - 1)).rowcount
    if not taken:
        raise OutOfStock()
    posting = post(key=f"redemption:{user.id}:{client_key}", kind="redemption", at=now,
                   user_id=user.id, rule_code="redemption", subject=f"reward:{reward.id}",
                   memo=reward.title, actor_id=user.id,
                   legs=[(account, -reward.price), (system_account("redemption"), reward.price)])
    redemption = Redemption(user_id=user.id, reward_id=reward.id, idempotency_key=client_key,
                            price=reward.price, status="pending",
                            transaction_id=posting.transaction.id, created_at=now, updated_at=now)
    db.session.add(redemption)
    db.session.flush()
    db.session.refresh(reward)
    return RedemptionResult(redemption, True, balance(user.id))


def set_redemption_status(redemption: Redemption, status: str, *, actor: User,
                          now: datetime) -> Redemption:
    """Fulfil or cancel a pending redemption; cancelling refunds the points and the stock."""
    if status not in ("fulfilled", "cancelled"):
        raise ValidationFailed()
    changed = db.session.execute(
        update(Redemption).where(Redemption.id == redemption.id, Redemption.status == "pending")
        .values(status=status, updated_at=now, handled_by_id=actor.id)).rowcount
    if not changed:
        raise Conflict(_l("Only a pending redemption can be fulfilled or cancelled."))
    if status == "cancelled":
        reverse(db.session.get(Transaction, redemption.transaction_id),
                "redemption_cancelled", at=now, actor_id=actor.id)
        db.session.execute(update(Reward).where(Reward.id == redemption.reward_id)
                           .values(stock=Reward.stock + 1))
    audit.record(actor, f"redemption.{status}", target=redemption,
                 summary=f"{redemption.user.username}: {redemption.reward.title}", now=now)
    db.session.refresh(redemption)
    return redemption


def create_reward(title: str, price: int, stock: int, description: str = "", *,
                  actor: User, now: datetime) -> Reward:
    """Add a reward to the catalogue (audited)."""
    _check_reward(title, price, stock)
    reward = Reward(title=title.strip(), price=price, stock=stock, description=description,
                    active=True, created_at=now)
    db.session.add(reward)
    db.session.flush()
    audit.record(actor, "reward.create", target=reward, summary=reward.title, now=now)
    return reward


def update_reward(reward: Reward, *, title: str, price: int, stock: int, active: bool,
                  description: str = "", actor: User, now: datetime) -> Reward:
    """Change a reward (audited); redemptions already made keep their price."""
    _check_reward(title, price, stock)
    before = {"title": reward.title, "price": reward.price, "stock": reward.stock,
              "active": reward.active}
    reward.title, reward.price, reward.stock = title.strip(), price, stock
    reward.active, reward.description = active, description
    db.session.flush()
    audit.record(actor, "reward.update", target=reward, summary=reward.title, now=now,
                 details={"before": before, "after": {"title": reward.title, "price": price,
                                                      "stock": stock, "active": active}})
    return reward


def _check_reward(title: str, price: int, stock: int) -> None:
    if not (title or "").strip():
        raise ValidationFailed(_l("A title is required."))
    if price is None or price <= 0 or stock is None or stock < 0:
        raise ValidationFailed(_l("The price must be positive and the stock not negative."))


def entries_for(user_id: int, *, since: datetime | None = None, until: datetime | None = None,
                limit: int = 200) -> list[Transaction]:
    """The user's transactions (newest first), whose periods fall from `since` to `until`."""
    query = select(Transaction).where(Transaction.user_id == user_id)
    if since is not None:
        query = query.where(Transaction.period_at >= since)
    if until is not None:
        query = query.where(Transaction.period_at < until)
    return list(db.session.scalars(query.order_by(Transaction.at.desc(), Transaction.id.desc())
                                   .limit(limit)))


def points_of(transactions: list[Transaction], user_id: int) -> dict[int, int]:
    """Each transaction's points for the user's account (one query)."""
    account = find_user_account(user_id)
    if not transactions or account is None:
        return {}
    return dict(db.session.execute(
        select(Entry.transaction_id, func.sum(Entry.points)).where(
            and_(Entry.transaction_id.in_([t.id for t in transactions]),
                 Entry.account_id == account)).group_by(Entry.transaction_id)).all())


def recent_adjustments(actor: User, limit: int = 30) -> list[tuple[Transaction, User, int]]:
    """The latest manual grants and deductions `actor` made (all of them for an admin)."""
    query = (select(Transaction, User).join(User, User.id == Transaction.user_id)
             .where(Transaction.kind.in_(("grant", "deduction"))))
    if not actor.has_role("admin"):
        query = query.where(Transaction.actor_id == actor.id)
    rows = db.session.execute(query.order_by(Transaction.id.desc()).limit(limit)).all()
    points = dict(db.session.execute(
        select(Entry.transaction_id, Entry.points).join(Account, Account.id == Entry.account_id)
        .where(Entry.transaction_id.in_([t.id for t, _ in rows]), Account.kind == "user")).all()) \
        if rows else {}
    return [(t, u, points.get(t.id, 0)) for t, u in rows]
