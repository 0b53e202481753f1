"""Account models: users and their roles, the org tree, posts and post history."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
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
    and_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import JSONType, UTCDateTime
from app.extensions import db
from app.timeutil import utcnow
from app.vocabulary import AREAS, sql_in

ROLES = {
    "cadre": _l("Cadre"),
    "trainer": _l("Trainer"),
    "manager": _l("Manager"),
    "admin": _l("Administrator"),
}

ORG_KINDS = {
    "department": _l("Department"),
    "section": _l("Section"),
    "town": _l("Town"),
    "committee": _l("Party committee"),
    "branch": _l("Party branch"),
    "other": _l("Other"),
}

class OrgUnit(db.Model):
    """A node of the org tree. `path` is the materialized id path, e.g. ``/1/7/``,
    so a subtree is one indexed prefix query."""

    __tablename__ = "org_units"
    __table_args__ = (
        UniqueConstraint("parent_id", "name"),
        Index(
            "uq_org_units_root_name",
            "name",
            unique=True,
            sqlite_where=text("parent_id IS NULL"),
            postgresql_where=text("parent_id IS NULL"),
        ),
        Index("ix_org_units_path", "path", postgresql_ops={"path": "text_pattern_ops"}),
        CheckConstraint(f"kind IN {sql_in(ORG_KINDS)}", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default="section")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"))
    path: Mapped[str] = mapped_column(String(400), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[OrgUnit]] = relationship(
        back_populates="parent", order_by="(OrgUnit.sort_order, OrgUnit.name)"
    )
    users: Mapped[list[User]] = relationship(back_populates="org_unit")

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def __repr__(self) -> str:
        return f"<OrgUnit {self.id} {self.name}>"


class Post(db.Model):
    """A post (岗位): a kind of job tied to one business area."""

    __tablename__ = "posts"
    __table_args__ = (CheckConstraint(f"area IN {sql_in(AREAS)}", name="area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    area: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<Post {self.code}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint(f"role IN {sql_in(ROLES)}", name="role"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class PostAssignment(db.Model):
    """One stretch of a user's post history: [start_date, end_date), open while end_date is null."""

    __tablename__ = "post_assignments"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),
        # At most one current post per user, kept by the database.
        Index(
            "uq_post_assignments_current",
            "user_id",
            unique=True,
            sqlite_where=text("end_date IS NULL"),
            postgresql_where=text("end_date IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="RESTRICT"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)

    post: Mapped[Post] = relationship(lazy="joined")
    user: Mapped[User] = relationship(back_populates="post_history")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("username = lower(username)", name="username_lower"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped when the password changes or the account is deactivated, which ends every
    # session that carries the old value (see get_id).
    auth_version: Mapped[int] = mapped_column(Integer, default=1)
    joined_on: Mapped[date | None] = mapped_column(Date)
    org_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_units.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org_unit: Mapped[OrgUnit | None] = relationship(back_populates="users", lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    post_history: Mapped[list[PostAssignment]] = relationship(
        back_populates="user",
        order_by="PostAssignment.start_date",
        cascade="all, delete-orphan",
    )
    current_assignment: Mapped[PostAssignment | None] = relationship(
        primaryjoin=lambda: and_(
            PostAssignment.user_id == User.id, PostAssignment.end_date.is_(None)
        ),
        viewonly=True,
        uselist=False,
        lazy="selectin",
    )

    @property
    def roles(self) -> list[str]:
        """Role codes in a stable order."""
        held = {r.role for r in self.role_rows}
        return [code for code in ROLES if code in held]

    def has_role(self, *roles: str) -> bool:
        held = {r.role for r in self.role_rows}
        return any(role in held for role in roles)

    @property
    def current_post(self) -> Post | None:
        return self.current_assignment.post if self.current_assignment else None

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}.{self.auth_version}"

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class AuditEntry(db.Model):
    """One privileged act: who did what to which object, when and from where."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32), default="")
    target_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSONType, default=dict)
    ip: Mapped[str] = mapped_column(String(45), default="")

    actor: Mapped[User | None] = relationship(lazy="joined")
