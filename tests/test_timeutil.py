"""Periods cut in Asia/Shanghai: keys for an instant and each period's UTC bounds."""

from datetime import UTC, datetime

import pytest

from app.timeutil import PERIOD_KINDS, period_bounds, period_key, period_keys


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_keys_of_an_instant():
    # 2026-11-30 16:00 UTC is midnight, 1 December, in Shanghai.
    assert period_keys(utc(2026, 11, 30, 16, 0)) == {
        "day": "2026-12-01", "week": "2026-W49", "month": "2026-12", "quarter": "2026-Q4",
        "year": "2026", "all": "all"}


def test_midnight_edge():
    assert period_key("day", utc(2026, 11, 30, 15, 59, 59)) == "2026-11-30"
    assert period_key("day", utc(2026, 11, 30, 16, 0, 0)) == "2026-12-01"


def test_iso_week_and_year_edges():
    # 2027-01-01 (a Friday) belongs to ISO week 53 of 2026; 2027-01-04 starts 2027-W01.
    assert period_key("week", utc(2027, 1, 1, 4)) == "2026-W53"
    assert period_key("year", utc(2027, 1, 1, 4)) == "2027"
    assert period_key("week", utc(2027, 1, 3, 15, 59)) == "2026-W53"
    assert period_key("week", utc(2027, 1, 3, 16, 0)) == "2027-W01"
    # 2024-12-30 (Monday) is in 2025-W01.
    assert period_key("week", utc(2024, 12, 30, 1)) == "2025-W01"
    assert period_bounds("week", "2025-W01") == (utc(2024, 12, 29, 16), utc(2025, 1, 5, 16))


def test_quarter_edges():
    assert period_key("quarter", utc(2026, 3, 31, 15, 59)) == "2026-Q1"
    assert period_key("quarter", utc(2026, 3, 31, 16, 0)) == "2026-Q2"
    assert period_key("quarter", utc(2026, 12, 31, 16, 0)) == "2027-Q1"
    assert period_bounds("quarter", "2026-Q4") == (utc(2026, 9, 30, 16), utc(2026, 12, 31, 16))


@pytest.mark.parametrize("kind", [k for k in PERIOD_KINDS if k != "all"])
@pytest.mark.parametrize("instant", [utc(2026, 11, 30, 16), utc(2026, 12, 31, 15, 59, 59),
                                     utc(2027, 1, 3, 16), utc(2024, 2, 29, 3)])
def test_bounds_contain_the_instant(kind, instant):
    start, end = period_bounds(kind, period_key(kind, instant))
    assert start <= instant < end
    assert period_key(kind, start) == period_key(kind, instant)
    assert period_key(kind, end) != period_key(kind, instant)


def test_all_and_bad_keys():
    assert period_bounds("all", "all") == (None, None)
    for kind, key in [("day", "2026-13-01"), ("quarter", "2026-Q5"), ("week", "x"), ("all", "x"),
                      ("fortnight", "1")]:
        with pytest.raises(ValueError):
            period_bounds(kind, key)
