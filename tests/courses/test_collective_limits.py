"""Collective study: wrong check-in codes are limited per user."""

from datetime import timedelta

import pytest

from app.courses import collective
from tests.conftest import csrf_token, login
from tests.courses.conftest import T0


@pytest.fixture
def study(db, lessons, make_user):
    trainer = make_user(username="trainer", roles=("trainer",))
    s = collective.schedule(title="周一大课堂", starts_at=T0, ends_at=T0 + timedelta(hours=1),
                            place="三楼会议室", link="", lesson=lessons["cs-recommendation"], by=trainer)
    db.session.commit()
    return s


def test_wrong_check_in_codes_are_limited_per_user(db, study, make_user):
    guesser, other = make_user(username="guesser"), make_user(username="other")
    for _ in range(collective.WRONG_CODES):
        with pytest.raises(collective.WrongCode):
            collective.check_in(guesser, "ZZZZZZ", now=T0)
    with pytest.raises(collective.TooManyWrongCodes):
        collective.check_in(guesser, "ZZZZZZ", now=T0)
    with pytest.raises(collective.TooManyWrongCodes):
        collective.check_in(guesser, study.code, now=T0)  # even the right code waits
    assert collective.check_in(other, study.code, now=T0)[1]  # others are not limited


def test_right_codes_use_no_slot(db, study, make_user):
    cadre = make_user(username="cadre")
    for _ in range(collective.WRONG_CODES + 5):
        collective.check_in(cadre, study.code, now=T0)
    with pytest.raises(collective.WrongCode):
        collective.check_in(cadre, "ZZZZZZ", now=T0)


def test_the_check_in_page_says_to_wait(client, study, make_user):
    make_user(username="cadre01")
    login(client, "cadre01")
    for _ in range(collective.WRONG_CODES + 1):
        response = client.post("/collective/check-in", data={
            "csrf_token": csrf_token(client, "/collective/check-in"), "code": "WRONG9"}, follow_redirects=True)
    assert "签到码错误次数过多" in response.get_data(as_text=True)
