"""One service test per rule and cap: traces recorded with the shared vocabulary."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.ledger import rules, services
from app.ledger.models import Transaction
from tests.ledger.conftest import NOW, check_invariants, points


def rule_points(user_id: int, code: str) -> int:
    txs = services.unreversed(Transaction.user_id == user_id, Transaction.rule_code == code)
    return sum(services.points_of(txs, user_id).values())


def beats(trace, user, seconds_each: int, count: int, start=NOW, lesson=1):
    for n in range(count):
        trace(user, "studied", "lesson", lesson, at=start + timedelta(seconds=n * seconds_each),
              duration_s=seconds_each)


def test_study_one_point_per_five_minutes_with_the_remainder_carried(app, db, make_user, trace):
    user = make_user()
    beats(trace, user, 15, 19)  # 285 s
    assert points(user.id) == 0
    beats(trace, user, 15, 1, start=NOW + timedelta(minutes=10))  # 300 s
    assert points(user.id) == 1
    beats(trace, user, 100, 5, start=NOW + timedelta(minutes=20))  # 800 s
    assert points(user.id) == 2
    db.session.commit()
    check_invariants()


def test_study_cap_twelve_a_day_and_a_new_day_starts_fresh(app, db, make_user, trace):
    user = make_user()
    beats(trace, user, 600, 10)  # 6000 s = 20 units
    assert points(user.id) == 12
    assert services.cap_used(user.id, NOW.date(), ["study"]) == {"study": 12}
    # 16:00 UTC is midnight in Shanghai.
    beats(trace, user, 300, 1, start=NOW.replace(hour=16))
    assert points(user.id) == 13
    assert points(user.id, "day", NOW.replace(hour=16)) == 1


def test_lesson_and_course_completed(app, db, make_user, trace):
    user = make_user()
    trace(user, "completed", "lesson", 5, key=f"completed:lesson:{user.id}:5", completion=True)
    trace(user, "completed", "course", 2, key=f"completed:course:{user.id}:2", completion=True)
    assert rule_points(user.id, "lesson_completed") == 2
    assert rule_points(user.id, "course_completed") == 10
    assert points(user.id) == 12


def test_daily_quiz_correct_answers_capped_at_five(app, db, make_user, trace):
    user = make_user()
    for q in range(7):
        trace(user, "answered", "question", q, key=f"answered:9:{q}", success=True,
              score_raw=1, score_max=1, context={"attempt_id": 9, "mode": "daily", "exam_id": 3})
    trace(user, "answered", "question", 99, success=False, score_raw=0, score_max=1,
          context={"attempt_id": 9, "mode": "daily", "exam_id": 3})
    trace(user, "answered", "question", 98, success=True,
          context={"attempt_id": 10, "mode": "practice", "exam_id": 4})
    assert rule_points(user.id, "daily_quiz_correct") == 5
    assert points(user.id) == 5


def passed(trace, user, attempt, *, percent="80.00", first=True, kind="exam"):
    return trace(user, "passed", "exam", 7, key=f"passed:attempt:{attempt}", success=True,
                 score_raw=8, score_max=10,
                 context={"attempt_id": attempt, "kind": kind, "attempt_no": 1 if first else 2,
                          "first_attempt": first, "percent": percent})


@pytest.mark.parametrize(("percent", "first", "kind", "expected"), [
    ("80.00", True, "exam", 10), ("90.00", True, "exam", 15), ("93.50", False, "exam", 10),
    ("89.99", True, "certification", 10), ("100", True, "practice", 0), ("95", True, "daily", 0)])
def test_exam_passed_and_the_first_attempt_bonus(app, db, make_user, trace, percent, first, kind,
                                                 expected):
    user = make_user()
    passed(trace, user, 1, percent=percent, first=first, kind=kind)
    assert points(user.id) == expected


@pytest.mark.parametrize(("tier", "expected"), [("basic", 20), ("intermediate", 50),
                                                ("expert", 100)])
def test_certificates_by_tier(app, db, make_user, trace, tier, expected):
    user = make_user()
    trace(user, "certified", "certificate", 3, key="certified:3", success=True,
          context={"area": "cadre", "tier": tier, "attempt_id": 1, "exam_id": 7})
    assert points(user.id) == expected


def regraded(trace, user, attempt, n, before, after, percent="95.00"):
    return trace(user, "regraded", "exam", 7, key=f"regraded:{n}:{attempt}",
                 context={"attempt_id": attempt, "old_score": "1", "new_score": "2",
                          "passed_before": before, "passed_after": after, "percent": percent})


def test_regrade_reverses_exactly_the_attempts_exam_points_and_awards_back(app, db, make_user,
                                                                           trace):
    user = make_user()
    passed(trace, user, 1, percent="95.00")
    trace(user, "completed", "lesson", 5, key="completed:lesson:x:5")
    assert points(user.id) == 17
    regraded(trace, user, 1, 1, True, False)
    assert points(user.id) == 2
    regraded(trace, user, 1, 1, True, False)  # the same regrade again: a repeat key, nothing
    assert points(user.id) == 2
    trace(user, "failed", "exam", 7, key="failed:attempt:2", success=False,
          context={"attempt_id": 2, "kind": "exam", "attempt_no": 1, "first_attempt": True,
                   "percent": "50.00"})
    regraded(trace, user, 2, 2, False, True, percent="92.00")
    assert points(user.id) == 17
    regraded(trace, user, 2, 3, False, True)  # already awarded: nothing more
    regraded(trace, user, 2, 4, True, False)
    assert points(user.id) == 2
    db.session.commit()
    check_invariants()


def test_withdrawn_certificate_and_voided_trace_reverse_their_points(app, db, make_user, trace):
    user = make_user()
    trace(user, "certified", "certificate", 3, key="certified:3",
          context={"area": "cadre", "tier": "intermediate", "attempt_id": 1, "exam_id": 7})
    lesson = trace(user, "completed", "lesson", 5, key="completed:lesson:y:5")
    assert points(user.id) == 52
    trace(user, "withdrawn", "certificate", 3, key="withdrawn:3", context={"reason": "x"})
    assert points(user.id) == 2
    trace(user, "voided", "lesson", 5, key=f"voided:{lesson.id}",
          context={"voided_trace_id": lesson.id})
    assert points(user.id) == 0
    reversals = db.session.scalars(select(Transaction).where(Transaction.kind == "reversal")).all()
    assert len(reversals) == 2 and all(r.reverses_id for r in reversals)
    db.session.commit()
    check_invariants()


def test_total_daily_cap(app, db, make_user, trace):
    user = make_user()
    rules.set_setting("total_daily_cap", 11, actor=None, now=NOW)
    trace(user, "completed", "course", 1)
    trace(user, "completed", "lesson", 1)
    trace(user, "completed", "lesson", 2)
    assert points(user.id) == 11
    assert services.cap_used(user.id, NOW.date(), ["*"]) == {"*": 11}


def test_study_streak_after_seven_days(app, db, make_user, trace):
    from app.ledger.tasks import settle_streaks

    user, other = make_user(), make_user()
    for d in range(7):
        beats(trace, user, 60, 1, start=NOW + timedelta(days=d))
        if d != 3:
            beats(trace, other, 60, 1, start=NOW + timedelta(days=d))
    after = NOW + timedelta(days=7)
    assert "1 streak" in settle_streaks(after)
    assert rule_points(user.id, "study_streak") == 5
    assert rule_points(other.id, "study_streak") == 0
    assert "0 streak" in settle_streaks(after)  # idempotent per user and end day
    assert "0 streak" in settle_streaks(after + timedelta(days=1))  # run broken


def test_rule_change_makes_a_version_and_past_entries_keep_theirs(app, db, make_user, trace):
    admin, user = make_user(roles=("admin",)), make_user()
    trace(user, "completed", "lesson", 1)
    rules.change("lesson_completed", amount=3, daily_cap=None, enabled=True,
                 effective_from=NOW, actor=admin, now=NOW)
    trace(user, "completed", "lesson", 2, at=NOW + timedelta(seconds=1))
    rules.change("lesson_completed", amount=3, daily_cap=None, enabled=False,
                 effective_from=NOW + timedelta(seconds=5), actor=admin, now=NOW)
    trace(user, "completed", "lesson", 3, at=NOW + timedelta(seconds=6))
    txs = db.session.scalars(select(Transaction).order_by(Transaction.id)).all()
    assert [(t.rule_version, services.points_of([t], user.id)[t.id]) for t in txs] == [(1, 2), (2, 3)]
    assert [r.version for r in rules.history("lesson_completed")] == [3, 2, 1]
    from app.accounts.models import AuditEntry

    assert len(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "points.rule")).all()) == 2
