"""Reading the ledger: my points with every entry explained, today's task cards, and the
leaderboards (set-based: a fixed number of queries whatever the number of rows)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal, select

from app.accounts.models import OrgUnit, User
from app.accounts.org import subtree_ids
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.ledger import rules, services
from app.ledger.models import Balance, Entry, Transaction
from app.timeutil import PERIOD_KINDS, local_today, period_bounds, period_key
from app.traces.models import Trace

PERIOD_LABELS = {"day": _l("Today"), "week": _l("This week"), "month": _l("This month"),
                 "quarter": _l("This quarter"), "year": _l("This year"), "all": _l("All time")}
MAX_LIMIT = 200
_SCOPE = re.compile(r"^org:(\d{1,9})$")


def check_period(period: str | None, default: str = "all") -> str:
    """`period` if it is a period kind (422 otherwise); `default` when absent."""
    if period is None or period == "":
        return default
    if period not in PERIOD_KINDS:
        raise ValidationFailed(_l("period must be one of: %(kinds)s.", kinds=", ".join(PERIOD_KINDS)))
    return period


@dataclass(frozen=True)
class Scope:
    unit: OrgUnit | None  # None: everyone

    @property
    def code(self) -> str:
        return f"org:{self.unit.id}" if self.unit is not None else "all"


def parse_scope(raw: str | None) -> Scope:
    """`all` or `org:{id}` (422 if malformed, 404 for an unknown unit)."""
    if raw in (None, "", "all"):
        return Scope(None)
    match = _SCOPE.match(raw)
    if not match:
        raise ValidationFailed(_l("scope must be all or org:{id}."))
    unit = db.session.get(OrgUnit, int(match.group(1)))
    if unit is None:
        raise NotFound()
    return Scope(unit)


def parse_limit(raw: str | None, default: int = 50) -> int:
    if raw in (None, ""):
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ValidationFailed(_l("limit must be a whole number from 1 to %(n)s.", n=MAX_LIMIT))
    return int(raw)


# ---------------------------------------------------------------- my points


@dataclass(frozen=True)
class EntryView:
    id: int
    at: datetime
    points: int
    kind: str
    rule: str | None
    rule_name: str
    reason: str
    source: dict | None
    reversed: bool
    reverses_id: int | None


@dataclass(frozen=True)
class MyPoints:
    balance: int
    period: str
    period_key: str
    period_points: int
    entries: list[EntryView]


def _source(transaction: Transaction, trace: Trace | None) -> dict | None:
    if trace is not None:
        return {"type": trace.object_type, "id": trace.object_id, "name": trace.object_name,
                "verb": trace.verb}
    if transaction.kind in ("grant", "deduction"):
        return {"type": "manual", "by": transaction.actor.name if transaction.actor else None}
    if transaction.subject and transaction.subject.startswith("reward:"):
        return {"type": "reward", "id": int(transaction.subject.split(":")[1]),
                "name": transaction.memo}
    if transaction.subject and transaction.subject.startswith("streak:"):
        return {"type": "streak", "name": transaction.memo}
    return None


def _reason(transaction: Transaction, trace: Trace | None) -> str:
    if transaction.kind == "reversal":
        return str(rules.REVERSAL_REASONS.get(transaction.memo, transaction.memo))
    if transaction.kind in ("grant", "deduction"):
        return transaction.memo
    if trace is not None and trace.object_name:
        return _("%(rule)s: %(what)s", rule=rules.rule_label(transaction.rule_code),
                 what=trace.object_name)
    if transaction.memo:
        return _("%(rule)s: %(what)s", rule=rules.rule_label(transaction.rule_code),
                 what=transaction.memo)
    return rules.rule_label(transaction.rule_code)


def explain(transactions: list[Transaction], user_id: int) -> list[EntryView]:
    """Each of the user's transactions with its points, rule, reason and source (4 queries)."""
    points = services.points_of(transactions, user_id)
    trace_ids = {t.trace_id for t in transactions if t.trace_id}
    # A reversal's source is what the reversed transaction came from.
    reversed_of = {t.reverses_id for t in transactions if t.reverses_id}
    originals = {t.id: t for t in db.session.scalars(
        select(Transaction).where(Transaction.id.in_(reversed_of)))} if reversed_of else {}
    trace_ids |= {t.trace_id for t in originals.values() if t.trace_id}
    traces = {t.id: t for t in db.session.scalars(select(Trace).where(Trace.id.in_(trace_ids)))} \
        if trace_ids else {}
    reversed_ids = set(db.session.scalars(select(Transaction.reverses_id).where(
        Transaction.reverses_id.in_([t.id for t in transactions])))) if transactions else set()
    views = []
    for tx in transactions:
        origin = originals.get(tx.reverses_id, tx)
        trace = traces.get(origin.trace_id) if origin.trace_id else None
        views.append(EntryView(
            id=tx.id, at=tx.at, points=points.get(tx.id, 0), kind=tx.kind, rule=tx.rule_code,
            rule_name=rules.rule_label(tx.rule_code), reason=_reason(tx, trace),
            source=_source(origin, trace), reversed=tx.id in reversed_ids,
            reverses_id=tx.reverses_id))
    return views


def my_points(user_id: int, period: str, now: datetime, limit: int = 100) -> MyPoints:
    """The user's balance, the points of the `period` containing `now`, and its entries."""
    key = period_key(period, now)
    since, until = period_bounds(period, key)
    transactions = services.entries_for(user_id, since=since, until=until, limit=limit)
    return MyPoints(balance=services.balance(user_id), period=period, period_key=key,
                    period_points=services.balance(user_id, period, now),
                    entries=explain(transactions, user_id))


@dataclass(frozen=True)
class TaskCard:
    code: str
    name: str
    amount: int
    earned: int
    cap: int | None
    enabled: bool


def task_cards(user_id: int, now: datetime) -> tuple[list[TaskCard], int, int | None]:
    """Per rule, today's points and its daily cap ("已获 x 分 / 每日上限 y 分"); today's total
    and the total daily cap."""
    day = local_today(now)
    start, end = period_bounds("day", day.isoformat())
    account = services.find_user_account(user_id) or 0
    earned = dict(db.session.execute(
        select(Transaction.rule_code, func.sum(Entry.points))
        .join(Entry, and_(Entry.transaction_id == Transaction.id, Entry.account_id == account))
        .where(Transaction.user_id == user_id, Transaction.period_at >= start,
               Transaction.period_at < end)
        .group_by(Transaction.rule_code)).all())
    cards = [TaskCard(rule.code, rules.rule_label(rule.code), rule.amount,
                      int(earned.get(rule.code) or 0), rule.daily_cap, rule.enabled)
             for rule in rules.all_in_force(now)]
    total = services.balance(user_id, "day", now)
    total_cap = rules.setting("total_daily_cap")
    return cards, total, total_cap


def daily_series(user_id: int, days: int, now: datetime) -> list[tuple[str, int]]:
    """The user's points per local day over the last `days` days (for the chart)."""
    from datetime import timedelta

    today = local_today(now)
    keys = [(today - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]
    found = dict(db.session.execute(
        select(Balance.period_key, Balance.points).where(
            Balance.user_id == user_id, Balance.period_kind == "day",
            Balance.period_key.in_(keys))).all())
    return [(key, int(found.get(key, 0))) for key in keys]


# ---------------------------------------------------------------- leaderboards


@dataclass(frozen=True)
class UserRow:
    rank: int
    user_id: int
    name: str
    org_unit_id: int | None
    org_name: str | None
    points: int


@dataclass(frozen=True)
class OrgRow:
    rank: int
    unit_id: int
    name: str
    points: int
    members: int
    participants: int

    @property
    def per_capita(self) -> float:
        return round(self.points / self.members, 2) if self.members else 0.0

    @property
    def participation(self) -> float:
        return round(self.participants / self.members, 4) if self.members else 0.0


def _ranked(period: str, scope: Scope, now: datetime):
    """A subquery of the board's users with a strict rank: points, then who got there first."""
    key = period_key(period, now)
    rank = func.row_number().over(order_by=(Balance.points.desc(), Balance.reached_at.asc(),
                                            Balance.user_id.asc()))
    query = (select(Balance.user_id, Balance.points, User.name, User.org_unit_id,
                    OrgUnit.name.label("org_name"), rank.label("rank"))
             .join(User, User.id == Balance.user_id)
             .outerjoin(OrgUnit, OrgUnit.id == User.org_unit_id)
             .where(Balance.period_kind == period, Balance.period_key == key,
                    Balance.points > 0, User.active.is_(True)))
    if scope.unit is not None:
        query = query.where(User.org_unit_id.in_(subtree_ids(scope.unit)))
    return query.subquery()


def _rows(query) -> list[UserRow]:
    return [UserRow(int(r.rank), r.user_id, r.name, r.org_unit_id, r.org_name, int(r.points))
            for r in db.session.execute(query)]


def user_board(period: str, scope: Scope, limit: int, now: datetime) -> list[UserRow]:
    """The top `limit` people of the period and scope (one query)."""
    ranked = _ranked(period, scope, now)
    return _rows(select(ranked).where(ranked.c.rank <= limit).order_by(ranked.c.rank))


def my_rank(user_id: int, period: str, scope: Scope, now: datetime) -> tuple[int | None, int]:
    """The user's rank (None when they have no points there) and points (one query)."""
    ranked = _ranked(period, scope, now)
    row = db.session.execute(select(ranked.c.rank, ranked.c.points)
                             .where(ranked.c.user_id == user_id)).first()
    if row is None:
        return None, services.balance(user_id, period, now)
    return int(row.rank), int(row.points)


def around_me(user_id: int, period: str, scope: Scope, now: datetime,
              width: int = 2) -> list[UserRow]:
    """My row and up to `width` on each side: the five around me (one query)."""
    ranked = _ranked(period, scope, now)
    mine = select(ranked.c.rank).where(ranked.c.user_id == user_id).scalar_subquery()
    return _rows(select(ranked).where(ranked.c.rank.between(mine - width, mine + width))
                 .order_by(ranked.c.rank))


def org_board(period: str, scope: Scope, limit: int, now: datetime) -> list[OrgRow]:
    """Org units by points per member (then total points), with participation (one query).

    Each person counts in their own unit; per capita keeps small units from being buried.
    """
    key = period_key(period, now)
    balance = (select(Balance.user_id, Balance.points)
               .where(Balance.period_kind == period, Balance.period_key == key).subquery())
    points = func.coalesce(func.sum(balance.c.points), 0)
    query = (select(OrgUnit.id, OrgUnit.name, points.label("points"),
                    func.count(User.id).label("members"),
                    func.sum(case((balance.c.points > 0, literal(1)), else_=literal(0)))
                    .label("participants"))
             .join(User, and_(User.org_unit_id == OrgUnit.id, User.active.is_(True)))
             .outerjoin(balance, balance.c.user_id == User.id)
             .group_by(OrgUnit.id, OrgUnit.name))
    if scope.unit is not None:
        query = query.where(OrgUnit.id.in_(subtree_ids(scope.unit)))
    rows = [(int(r.points), int(r.members), int(r.participants or 0), r.id, r.name)
            for r in db.session.execute(query)]
    rows.sort(key=lambda r: (-(r[0] / r[1] if r[1] else 0), -r[0], r[3]))
    return [OrgRow(n, unit_id, name, pts, members, participants)
            for n, (pts, members, participants, unit_id, name) in enumerate(rows[:limit], start=1)]


def my_org_row(user: User, period: str, scope: Scope, now: datetime) -> OrgRow | None:
    """The row of the user's own unit on the org board."""
    if user.org_unit_id is None:
        return None
    for row in org_board(period, scope, 10_000, now):
        if row.unit_id == user.org_unit_id:
            return row
    return None


def names_visible(viewer: User) -> bool:
    """Whether `viewer` sees other people's names on boards (the admin setting)."""
    return bool(rules.setting("show_names")) or viewer.has_role("manager") or \
        viewer.has_role("admin")

