"""Concurrent heartbeats on PostgreSQL: threads never credit more than the wall time."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.courses.models import Lesson, LessonProgress
from app.courses.services import heartbeat
from app.extensions import db as _db
from tests.courses.conftest import T0

# Real concurrency needs PostgreSQL: SQLite serializes every writer.
pytestmark = pytest.mark.postgresql_only


def run_beats(app, user_id, lesson_ids, at, barrier, results):
    with app.app_context():
        user = _db.session.get(User, user_id)
        barrier.wait()
        for lesson_id in lesson_ids:
            lesson = _db.session.get(Lesson, lesson_id)
            try:
                result = heartbeat(user, lesson, visible=True, at_end=False, now=at)
                _db.session.commit()
                results.append(result.credited_seconds)
            except sa.exc.DBAPIError:
                _db.session.rollback()
                results.append(0)
        _db.session.remove()


def test_simultaneous_beats_credit_once(app, db, lessons, make_user):
    reader = make_user()
    lesson = lessons["cs-initiation"]
    heartbeat(reader, lesson, visible=True, at_end=False, now=T0)
    db.session.commit()
    for round_ in range(1, 6):
        at = T0 + timedelta(seconds=15 * round_)
        barrier = threading.Barrier(8)
        results: list[int] = []
        threads = [threading.Thread(target=run_beats, args=(app, reader.id, [lesson.id], at, barrier, results))
                   for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(results)[-1] == 15 and sum(results) == 15, results
    db.session.expire_all()
    assert db.session.get(LessonProgress, (reader.id, lesson.id)).seconds == 75


def test_two_devices_racing_on_two_lessons_never_exceed_wall_time(app, db, lessons, make_user):
    reader = make_user()
    first, second = lessons["cs-initiation"], lessons["cs-recommendation"]
    heartbeat(reader, first, visible=True, at_end=False, now=T0)
    db.session.commit()
    for round_ in range(1, 6):
        at = T0 + timedelta(seconds=15 * round_)
        barrier = threading.Barrier(2)
        results: list[int] = []
        threads = [threading.Thread(target=run_beats, args=(app, reader.id, [lid], at, barrier, results))
                   for lid in (first.id, second.id)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    total = db.session.scalar(sa.select(sa.func.sum(LessonProgress.seconds)).where(
        LessonProgress.user_id == reader.id))
    assert total <= 75
