"""Crediting study time: the server's clock decides, never the client."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.courses.models import CourseCompletion, LessonProgress
from app.courses.services import SITTING_GAP_S, heartbeat, open_lesson
from app.courses.tasks import close_stale_sittings
from app.traces.models import Trace
from tests.courses.conftest import T0


def beat(user, lesson, seconds_after, visible=True, at_end=False):
    return heartbeat(user, lesson, visible=visible, at_end=at_end, now=T0 + timedelta(seconds=seconds_after))


@pytest.fixture
def reader(make_user):
    return make_user(username="reader")


def test_first_beat_starts_the_clock_and_credits_nothing(db, lessons, reader):
    result = beat(reader, lessons["cs-initiation"], 0)
    assert (result.credited_seconds, result.total_seconds, result.completed) == (0, 0, False)


def test_regular_beats_credit_the_wall_time_between_them(db, lessons, reader):
    lesson = lessons["cs-initiation"]
    beat(reader, lesson, 0)
    assert beat(reader, lesson, 15).credited_seconds == 15
    assert beat(reader, lesson, 30).total_seconds == 30


def test_fast_beats_never_earn_more_than_wall_time(db, lessons, reader):
    lesson = lessons["cs-initiation"]
    beat(reader, lesson, 0)
    for tenth in range(1, 101):  # a beat every 0.1 s for 10 s
        result = beat(reader, lesson, tenth / 10)
    assert result.total_seconds <= 10


def test_repeated_beat_at_the_same_instant_credits_once(db, lessons, reader):
    lesson = lessons["cs-initiation"]
    beat(reader, lesson, 0)
    assert beat(reader, lesson, 15).credited_seconds == 15
    assert beat(reader, lesson, 15).credited_seconds == 0
    assert beat(reader, lesson, 10).credited_seconds == 0  # from the past


def test_a_long_gap_credits_at_most_thirty_seconds(db, lessons, reader):
    lesson = lessons["cs-initiation"]
    beat(reader, lesson, 0)
    assert beat(reader, lesson, 600).credited_seconds == 30


def test_a_hidden_tab_pauses_the_clock(db, lessons, reader):
    lesson = lessons["cs-initiation"]
    beat(reader, lesson, 0)
    beat(reader, lesson, 15)
    assert beat(reader, lesson, 20, visible=False).credited_seconds == 0
    assert beat(reader, lesson, 300).credited_seconds == 0  # back: restarts, credits nothing
    assert beat(reader, lesson, 315).credited_seconds == 15
    assert beat(reader, lesson, 315).total_seconds == 30


def test_a_second_tab_on_another_lesson_credits_nothing(db, lessons, reader):
    first, second = lessons["cs-initiation"], lessons["cs-recommendation"]
    beat(reader, first, 0)
    assert beat(reader, first, 15).credited_seconds == 15
    # Two tabs alternating: each beat moves the clock, so neither earns, and each is told why.
    taken = beat(reader, second, 20)
    assert (taken.credited_seconds, taken.clock) == (0, "elsewhere")
    assert beat(reader, first, 30).credited_seconds == 0
    assert beat(reader, second, 35).credited_seconds == 0
    assert beat(reader, first, 45).credited_seconds == 0
    # Closing the second tab: the first one earns again.
    assert beat(reader, first, 60).credited_seconds == 15


def test_a_late_beat_from_another_tab_never_moves_the_clock_back(db, lessons, reader):
    first, second = lessons["cs-initiation"], lessons["cs-recommendation"]
    beat(reader, first, 0)
    credited = sum(beat(reader, first, t).credited_seconds for t in (5, 10, 15, 20))
    assert credited == 20
    # A beat on the second lesson that started at t=1 but arrives only now (a slow request):
    assert beat(reader, second, 1).credited_seconds == 0
    # Its next beat may credit only time after the clock's last point (t=20), not since t=1.
    assert beat(reader, second, 22).credited_seconds == 2


def test_switching_lessons_after_a_while_is_no_second_tab(db, lessons, reader):
    first, second = lessons["cs-initiation"], lessons["cs-recommendation"]
    beat(reader, first, 0)
    beat(reader, first, 15)
    assert beat(reader, second, 600).clock == "counting"
    assert beat(reader, second, 615).credited_seconds == 15


def test_fractions_of_a_second_carry_over_to_the_next_beat(db, lessons, reader):
    lesson = lessons["cs-initiation"]
    beat(reader, lesson, 0)
    total = sum(beat(reader, lesson, 14.6 * n).credited_seconds for n in range(1, 11))
    assert total == 146  # not 10 x 14 = 140: the 0.6 s of each beat is kept
    assert beat(reader, lesson, 146.2 + 600).credited_seconds == 30  # past the cap, the rest is dropped
    assert beat(reader, lesson, 146.2 + 600 + 15).credited_seconds == 15


def test_two_tabs_on_the_same_lesson_share_one_clock(db, lessons, reader):
    lesson = lessons["cs-initiation"]
    total = 0
    for t in range(0, 61, 5):  # tab A at 0, 10, 20...; tab B at 5, 15, 25...
        total += beat(reader, lesson, t).credited_seconds
    assert total == 60


def test_users_have_separate_clocks(db, lessons, make_user):
    lesson = lessons["cs-initiation"]
    one, two = make_user(), make_user()
    beat(one, lesson, 0)
    beat(two, lesson, 0)
    assert beat(one, lesson, 10).credited_seconds == 10
    assert beat(two, lesson, 10).credited_seconds == 10


def test_completion_needs_time_and_reaching_the_end(db, lessons, reader):
    lesson = lessons["cs-initiation"]  # 60 s minimum
    beat(reader, lesson, 0)
    for t in (30, 60):
        result = beat(reader, lesson, t)
    assert result.total_seconds == 60 and not result.completed
    result = beat(reader, lesson, 70, at_end=True)
    assert result.completed
    assert db.session.get(LessonProgress, (reader.id, lesson.id)).completed_at == T0 + timedelta(seconds=70)


def test_reaching_the_end_early_completes_once_the_time_is_in(db, lessons, reader):
    lesson = lessons["cs-initiation"]
    beat(reader, lesson, 0, at_end=True)
    assert not beat(reader, lesson, 30).completed
    assert beat(reader, lesson, 60).completed


def test_a_hidden_beat_does_not_count_as_reaching_the_end(db, lessons, reader):
    lesson = lessons["cs-initiation"]
    beat(reader, lesson, 0)
    beat(reader, lesson, 30)
    beat(reader, lesson, 60)
    assert not beat(reader, lesson, 61, visible=False, at_end=True).completed


def test_completing_every_lesson_completes_the_course_once(db, lessons, reader):
    for offset, key in ((0, "cs-initiation"), (1000, "cs-recommendation")):
        lesson = lessons[key]
        beat(reader, lesson, offset, at_end=True)
        for t in range(30, lesson.min_seconds + 31, 30):
            beat(reader, lesson, offset + t, at_end=True)
    db.session.commit()
    completions = db.session.scalars(sa.select(CourseCompletion)).all()
    assert len(completions) == 1
    verbs = db.session.execute(sa.select(Trace.verb, Trace.object_type).where(
        Trace.verb == "completed")).all()
    assert sorted(verbs) == [("completed", "course"), ("completed", "lesson"), ("completed", "lesson")]


def _studied(db) -> list[tuple[int, int, object]]:
    return [tuple(r) for r in db.session.execute(sa.select(Trace.object_id, Trace.duration_s, Trace.at)
                                                .where(Trace.verb == "studied").order_by(Trace.id))]


def test_a_sitting_is_one_trace_closed_by_the_pausing_beat(db, lessons, reader):
    lesson = lessons["cs-initiation"]
    for t in (0, 15, 40, 55):
        beat(reader, lesson, t)
    assert _studied(db) == []  # still counting: nothing on the timeline yet
    beat(reader, lesson, 60, visible=False)
    assert _studied(db) == [(lesson.id, 55, T0 + timedelta(seconds=55))]
    beat(reader, lesson, 61, visible=False)  # a second pause closes nothing more
    assert len(_studied(db)) == 1


def test_another_lesson_or_a_gap_closes_the_sitting(db, lessons, reader):
    first, second = lessons["cs-initiation"], lessons["cs-recommendation"]
    for t in (0, 15, 30):
        beat(reader, first, t)
    beat(reader, second, 35)  # the clock moves: the first sitting ends
    for t in (50, 65):
        beat(reader, second, t)
    beat(reader, second, 65 + SITTING_GAP_S + 10)  # back after a long silence: a new sitting
    beat(reader, second, 65 + SITTING_GAP_S + 25)
    beat(reader, second, 65 + SITTING_GAP_S + 30, visible=False)
    assert [(oid, d) for oid, d, _at in _studied(db)] == [(first.id, 30), (second.id, 30), (second.id, 45)]


def test_a_closed_browser_loses_no_second(db, lessons, reader):
    lesson = lessons["cs-initiation"]
    for t in (0, 15, 30, 45):
        beat(reader, lesson, t)
    assert close_stale_sittings(T0 + timedelta(seconds=60)) == "closed 0 sittings"  # not stale yet
    assert close_stale_sittings(T0 + timedelta(seconds=45 + SITTING_GAP_S + 1)) == "closed 1 sittings"
    credited = db.session.get(LessonProgress, (reader.id, lesson.id)).seconds
    assert _studied(db) == [(lesson.id, 45, T0 + timedelta(seconds=45))]
    assert credited == 45
    assert close_stale_sittings(T0 + timedelta(hours=1)) == "closed 0 sittings"


def test_completion_closes_the_sitting_before_the_completion_trace(db, lessons, reader):
    lesson = lessons["cs-initiation"]
    beat(reader, lesson, 0, at_end=True)
    t = 0
    while t < lesson.min_seconds:
        t += 30
        beat(reader, lesson, t, at_end=True)
    verbs = db.session.execute(sa.select(Trace.verb).where(Trace.object_type == "lesson")
                               .order_by(Trace.id)).scalars().all()
    assert verbs[-2:] == ["studied", "completed"]
    assert _studied(db)[0][1] == db.session.get(LessonProgress, (reader.id, lesson.id)).seconds


def test_opening_a_lesson_is_one_trace_a_day(db, lessons, reader):
    lesson = lessons["cs-initiation"]
    open_lesson(reader, lesson, now=T0)
    open_lesson(reader, lesson, now=T0 + timedelta(hours=1))
    open_lesson(reader, lesson, now=T0 + timedelta(days=1))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Trace).where(
        Trace.verb == "opened")) == 2
