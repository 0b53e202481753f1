"""Trace rows. Nothing updates or deletes them; the database refuses updates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import JSONType, UTCDateTime
from app.extensions import db
from app.timeutil import utcnow
from app.vocabulary import sql_in

# Our verbs and the xAPI verb IRIs they export as.
VERBS = {
    "opened": "http://activitystrea.ms/schema/1.0/open",
    "studied": "http://adlnet.gov/expapi/verbs/progressed",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "attended": "http://adlnet.gov/expapi/verbs/attended",
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "attempted": "http://adlnet.gov/expapi/verbs/attempted",
    "certified": "http://id.tincanapi.com/verb/earned",
    "regraded": "http://adlnet.gov/expapi/verbs/scored",
    "withdrawn": "http://activitystrea.ms/schema/1.0/retract",
    "voided": "http://adlnet.gov/expapi/verbs/voided",
}
OBJECT_TYPES = ("lesson", "course", "collective_session", "exam", "question", "certificate")


class Trace(db.Model):
    __tablename__ = "traces"
    __table_args__ = (
        CheckConstraint(f"verb IN {sql_in(VERBS)}", name="verb"),
        CheckConstraint(f"object_type IN {sql_in(OBJECT_TYPES)}", name="object_type"),
        CheckConstraint("duration_s IS NULL OR duration_s >= 0", name="duration"),
        Index("ix_traces_actor_at", "actor_id", "at"),
        Index("ix_traces_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A retried request finds its key taken and records nothing twice.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    verb: Mapped[str] = mapped_column(String(20))
    object_type: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[int] = mapped_column(Integer)
    object_name: Mapped[str] = mapped_column(String(200), default="")
    score_raw: Mapped[float | None] = mapped_column(Float)
    score_max: Mapped[float | None] = mapped_column(Float)
    success: Mapped[bool | None] = mapped_column(Boolean)
    completion: Mapped[bool | None] = mapped_column(Boolean)
    duration_s: Mapped[int | None] = mapped_column(Integer)
    context: Mapped[dict] = mapped_column(JSONType, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User] = relationship(lazy="joined")


def verb_labels() -> dict:
    """Verb codes to translated labels, for pages."""
    from flask_babel import lazy_gettext as _l

    return {
        "opened": _l("Opened"), "studied": _l("Studied"), "completed": _l("Completed"),
        "attended": _l("Attended collective study"), "answered": _l("Answered"),
        "passed": _l("Passed"), "failed": _l("Failed"), "attempted": _l("Started"),
        "certified": _l("Certified"), "regraded": _l("Regraded"), "withdrawn": _l("Withdrawn"),
        "voided": _l("Voided"),
    }
