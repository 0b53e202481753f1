"""Clock helpers: UTC is stored, Asia/Shanghai is shown and used to cut periods."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def local_today(now: datetime | None = None) -> date:
    """The calendar date in Asia/Shanghai at `now`."""
    return (now or utcnow()).astimezone(LOCAL_TZ).date()


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the end of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# Periods of the points ledger and its leaderboards, cut in Asia/Shanghai.
PERIOD_KINDS = ("day", "week", "month", "quarter", "year", "all")


def period_key(kind: str, instant: datetime) -> str:
    """The key of the `kind` period that `instant` falls in, in Asia/Shanghai.

    day "2026-12-01", week (ISO) "2026-W49", month "2026-12", quarter "2026-Q4",
    year "2026", all "all".
    """
    day = instant.astimezone(LOCAL_TZ).date()
    if kind == "day":
        return day.isoformat()
    if kind == "week":
        iso_year, iso_week, _ = day.isocalendar()
        return f"{iso_year}-W{iso_week:02d}"
    if kind == "month":
        return f"{day.year}-{day.month:02d}"
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if kind == "year":
        return str(day.year)
    if kind == "all":
        return "all"
    raise ValueError(f"unknown period kind {kind!r}")


def period_keys(instant: datetime) -> dict[str, str]:
    """Every period kind's key for `instant`."""
    return {kind: period_key(kind, instant) for kind in PERIOD_KINDS}


def period_bounds(kind: str, key: str) -> tuple[datetime | None, datetime | None]:
    """The UTC start (inclusive) and end (exclusive) of the period `kind`/`key`.

    "all" has no bounds: (None, None). A malformed key raises ValueError.
    """
    from datetime import timedelta

    if kind == "all":
        if key != "all":
            raise ValueError(key)
        return None, None
    if kind == "day":
        start = date.fromisoformat(key)
        end = start + timedelta(days=1)
    elif kind == "week":
        year, _, week = key.partition("-W")
        start = date.fromisocalendar(int(year), int(week), 1)
        end = start + timedelta(days=7)
    elif kind == "month":
        year, _, month = key.partition("-")
        start = date(int(year), int(month), 1)
        end = add_months(start, 1)
    elif kind == "quarter":
        year, _, quarter = key.partition("-Q")
        if not 1 <= int(quarter) <= 4:
            raise ValueError(key)
        start = date(int(year), 3 * (int(quarter) - 1) + 1, 1)
        end = add_months(start, 3)
    elif kind == "year":
        start = date(int(key), 1, 1)
        end = date(int(key) + 1, 1, 1)
    else:
        raise ValueError(f"unknown period kind {kind!r}")
    return local_midnight(start), local_midnight(end)


def local_midnight(day: date) -> datetime:
    """The UTC instant at which `day` begins in Asia/Shanghai."""
    from datetime import time

    return datetime.combine(day, time(), LOCAL_TZ).astimezone(UTC)
