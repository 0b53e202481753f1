"""The points ledger: double-entry accounts, transactions and entries, period balances,
cap usage, rules, rewards and redemptions.

Transactions and entries are append-only (PostgreSQL refuses UPDATE and DELETE with
triggers, SQLite refuses UPDATE); a correction is a reversing transaction. Balances and
cap usage are derived rows kept beside the entries in the same database transaction.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import JSONType, UTCDateTime
from app.extensions import db
from app.timeutil import utcnow
from app.vocabulary import sql_in

ACCOUNT_KINDS = ("user", "issuance", "redemption", "adjustment")
SYSTEM_ACCOUNTS = ("issuance", "redemption", "adjustment")
TRANSACTION_KINDS = ("award", "grant", "deduction", "redemption", "reversal")
REDEMPTION_STATUSES = ("pending", "fulfilled", "cancelled")
TOTAL_CAP = "*"  # the cap-usage row of a user's total for a day


class Account(db.Model):
    """One per user (kind user) and one per system account (issuance, redemption, adjustment)."""

    __tablename__ = "ledger_accounts"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(ACCOUNT_KINDS)}", name="kind"),
        CheckConstraint("(kind = 'user') = (user_id IS NOT NULL)", name="user_iff_kind_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)  # "issuance", "user:12"
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"),
                                                unique=True)


class Transaction(db.Model):
    __tablename__ = "ledger_transactions"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(TRANSACTION_KINDS)}", name="kind"),
        Index("ix_ledger_transactions_user_at", "user_id", "at"),
        Index("ix_ledger_transactions_subject", "subject"),
        Index("ix_ledger_transactions_trace_id", "trace_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A retry finds its key taken and posts nothing twice; the hash tells a retry from a
    # different posting that reuses the key by mistake.
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    rule_code: Mapped[str | None] = mapped_column(String(40))
    rule_version: Mapped[int | None] = mapped_column(Integer)
    trace_id: Mapped[int | None] = mapped_column(ForeignKey("traces.id", ondelete="RESTRICT"))
    # What the points are about, across traces: "attempt:12", "certificate:3", "redemption:4".
    subject: Mapped[str | None] = mapped_column(String(80))
    # A transaction is reversed at most once: the unique constraint holds it under races.
    reverses_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id", ondelete="RESTRICT"), unique=True)
    memo: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The instant whose periods the points count in: `at`, or for a reversal the reversed
    # transaction's, so a corrected quarter loses exactly what it had gained.
    period_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entries: Mapped[list[Entry]] = relationship(back_populates="transaction",
                                                order_by="Entry.id")
    reverses: Mapped[Transaction | None] = relationship(remote_side=[id], foreign_keys=[reverses_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


class Entry(db.Model):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("points <> 0", name="points_nonzero"),
        Index("ix_ledger_entries_account_id", "account_id"),
        Index("ix_ledger_entries_transaction_id", "transaction_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("ledger_transactions.id", ondelete="RESTRICT"))
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id", ondelete="RESTRICT"))
    points: Mapped[int] = mapped_column(Integer)

    transaction: Mapped[Transaction] = relationship(back_populates="entries")


class Balance(db.Model):
    """A user account's points in one period; `reached_at` is when it last changed (ties
    on a leaderboard go to whoever reached the score first)."""

    __tablename__ = "ledger_balances"
    __table_args__ = (
        Index("ix_ledger_balances_board", "period_kind", "period_key", "points"),
    )

    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id", ondelete="RESTRICT"),
                                            primary_key=True)
    period_kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    period_key: Mapped[str] = mapped_column(String(12), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    points: Mapped[int] = mapped_column(Integer, default=0)
    reached_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CapUsage(db.Model):
    """Points a user got from one rule (or in total, rule "*") on one local day.

    Incremented by a single compare-and-swap UPDATE, so a cap holds under concurrency;
    `last_grant` is what the latest increment actually granted (the capped remainder).
    """

    __tablename__ = "ledger_cap_usage"
    __table_args__ = (CheckConstraint("used >= 0", name="used"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    rule_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    used: Mapped[int] = mapped_column(Integer, default=0)
    last_grant: Mapped[int] = mapped_column(Integer, default=0)


class StudyDay(db.Model):
    """Credited study seconds per user and local day: the study rule's carried remainder
    and the days a streak counts."""

    __tablename__ = "ledger_study_days"
    __table_args__ = (CheckConstraint("seconds >= 0", name="seconds"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    seconds: Mapped[int] = mapped_column(Integer, default=0)


class Rule(db.Model):
    """One version of a points rule. A change adds a version; the newest version whose
    `effective_from` has come is in force, and past transactions keep theirs."""

    __tablename__ = "ledger_rules"
    __table_args__ = (
        UniqueConstraint("code", "version"),
        CheckConstraint("amount >= 0", name="amount"),
        CheckConstraint("daily_cap IS NULL OR daily_cap >= 0", name="daily_cap"),
        CheckConstraint("unit_seconds IS NULL OR unit_seconds > 0", name="unit_seconds"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Integer)
    daily_cap: Mapped[int | None] = mapped_column(Integer)
    unit_seconds: Mapped[int | None] = mapped_column(Integer)  # study: seconds per `amount`
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Setting(db.Model):
    """Ledger settings an admin changes: the total daily cap, whether boards show names."""

    __tablename__ = "ledger_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[dict] = mapped_column(JSONType, default=dict)


class Reconciliation(db.Model):
    """One run of the reconciliation job: balances rebuilt from the entries."""

    __tablename__ = "ledger_reconciliations"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    balances_checked: Mapped[int] = mapped_column(Integer, default=0)
    unbalanced_transactions: Mapped[int] = mapped_column(Integer, default=0)
    differences: Mapped[list] = mapped_column(JSONType, default=list)


class Reward(db.Model):
    __tablename__ = "ledger_rewards"
    __table_args__ = (
        CheckConstraint("price > 0", name="price"),
        CheckConstraint("stock >= 0", name="stock"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Redemption(db.Model):
    __tablename__ = "ledger_redemptions"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(REDEMPTION_STATUSES)}", name="status"),
        UniqueConstraint("user_id", "idempotency_key"),
        Index("ix_ledger_redemptions_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reward_id: Mapped[int] = mapped_column(ForeignKey("ledger_rewards.id", ondelete="RESTRICT"))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    price: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("ledger_transactions.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    reward: Mapped[Reward] = relationship(lazy="joined")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
