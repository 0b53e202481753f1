"""Scheduled jobs of the exams package (wired in app/scheduler.py)."""

from __future__ import annotations

from datetime import datetime

from app.exams import services


def submit_overdue(now: datetime) -> str:
    """Submit every attempt whose deadline and grace period passed, with its saved answers.

    Idempotent by construction: a submit is a compare-and-swap on the attempt's status,
    and an attempt finishes at its deadline whenever this runs."""
    return f"{services.submit_overdue(now)} overdue attempts submitted"
