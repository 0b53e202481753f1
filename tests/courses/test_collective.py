"""Collective study: scheduling and check-in by code."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.courses import collective
from app.traces.models import Trace
from tests.conftest import csrf_token, login
from tests.courses.conftest import T0


@pytest.fixture
def session(db, lessons, make_user):
    trainer = make_user(username="trainer", roles=("trainer",))
    s = collective.schedule(title="周一大课堂：民主推荐", starts_at=T0, ends_at=T0 + timedelta(hours=1),
                            place="三楼会议室", link="", lesson=lessons["cs-recommendation"], by=trainer)
    db.session.commit()
    return s


def test_codes_are_short_and_unambiguous(session):
    assert len(session.code) == 6
    assert not set(session.code) & set("01OIL")


def test_check_in_records_one_trace(db, session, make_user):
    cadre = make_user()
    _s, new = collective.check_in(cadre, session.code.lower(), now=T0 + timedelta(minutes=5))
    again = collective.check_in(cadre, f" {session.code} ", now=T0 + timedelta(minutes=6))
    assert new and not again[1]
    traces = db.session.scalars(sa.select(Trace).where(Trace.verb == "attended")).all()
    assert len(traces) == 1 and traces[0].object_name == "周一大课堂：民主推荐"


@pytest.mark.parametrize("offset, error", [
    (timedelta(hours=2), collective.CheckInClosed),
    (-timedelta(hours=1), collective.CheckInClosed),
])
def test_check_in_outside_the_window_is_refused(db, session, make_user, offset, error):
    with pytest.raises(error):
        collective.check_in(make_user(), session.code, now=T0 + offset)


def test_early_check_in_opens_half_an_hour_before(db, session, make_user):
    early = make_user()
    checked, new = collective.check_in(early, session.code, now=T0 - timedelta(minutes=20))
    assert checked.id == session.id and new
    with pytest.raises(collective.CheckInClosed):
        collective.check_in(make_user(), session.code, now=T0 - timedelta(minutes=31))


def test_wrong_code_is_refused(db, session, make_user):
    with pytest.raises(collective.WrongCode):
        collective.check_in(make_user(), "ZZZZZZ", now=T0)


def test_a_session_needs_an_end_after_its_start_a_lesson_and_a_place_or_link(db, lessons, make_user):
    trainer = make_user()
    lesson = lessons["cs-recommendation"]
    for start, end, where, on in ((T0, T0, "三楼会议室", lesson),
                                  (T0, T0 + timedelta(hours=1), "三楼会议室", None),
                                  (T0, T0 + timedelta(hours=1), "  ", lesson)):
        with pytest.raises(collective.ValidationFailed):
            collective.schedule(title="x", starts_at=start, ends_at=end, place=where, link="", lesson=on,
                                by=trainer)


def test_check_in_page_shows_a_clear_message_for_a_wrong_code(client, make_user, session):
    make_user(username="cadre01")
    login(client, "cadre01")
    response = client.post("/collective/check-in", data={
        "csrf_token": csrf_token(client, "/collective/check-in"), "code": "WRONG9"},
        follow_redirects=True)
    assert "签到码" in response.get_data(as_text=True)
