"""Small helpers shared by the WTForms of every feature."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import SelectChoice


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


DB_INT_MAX = 2**31 - 1  # PostgreSQL `integer`; ids and page numbers never exceed it


def db_int(value: str) -> int:
    """A positive id or page number from a query string; ValueError otherwise, so that
    `request.args.get(name, type=db_int)` answers None for junk and out-of-range values."""
    number = int(value)
    if not 1 <= number <= DB_INT_MAX:
        raise ValueError(value)
    return number
