"""The trace log: append-only, idempotent, timelines scoped, xAPI export valid."""

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.courses.services import heartbeat
from app.traces.models import Trace
from app.traces.services import Event, record
from tests.conftest import login
from tests.courses.conftest import T0


def test_the_same_idempotency_key_records_once(db, make_user):
    user = make_user()
    event = Event(key="k1", actor=user, verb="opened", object_type="lesson", object_id=1,
                  object_name="x", at=T0)
    assert record(event) is not None
    assert record(event) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Trace)) == 1


def test_the_database_refuses_to_update_a_trace(db, make_user):
    user = make_user()
    record(Event(key="k1", actor=user, verb="opened", object_type="lesson", object_id=1,
                 object_name="x", at=T0))
    db.session.commit()
    with pytest.raises(sa.exc.DBAPIError):
        db.session.execute(sa.update(Trace).values(object_name="changed"))
        db.session.flush()
    db.session.rollback()


@pytest.mark.postgresql_only  # SQLite keeps DELETE for emptying test tables
def test_the_database_refuses_to_delete_a_trace_on_postgresql(db, make_user):
    user = make_user()
    record(Event(key="k1", actor=user, verb="opened", object_type="lesson", object_id=1,
                 object_name="x", at=T0))
    db.session.commit()
    with pytest.raises(sa.exc.DBAPIError):
        db.session.execute(sa.delete(Trace))
    db.session.rollback()


@pytest.fixture
def studied(db, lessons, make_unit, make_user):
    dept = make_unit("组织部", kind="department")
    section = make_unit("干部室", parent=dept)
    town = make_unit("城关镇", kind="town")
    reader = make_user(username="reader", name="读者", org_unit=section)
    lesson = lessons["cs-initiation"]
    for t in (0, 15, 30, 60):
        heartbeat(reader, lesson, visible=True, at_end=True, now=T0 + timedelta(seconds=t))
    db.session.commit()
    return {"reader": reader, "section": section, "town": town, "dept": dept}


def test_a_cadre_sees_their_own_timeline(client, studied):
    login(client, "reader")
    html = client.get("/timeline").get_data(as_text=True)
    assert "动议" in html and "学习" in html and "已完成" in html


def test_managers_see_timelines_of_their_subtree_only(client, make_user, studied):
    make_user(username="boss", roles=("manager",), org_unit=studied["dept"])
    make_user(username="mayor", roles=("manager",), org_unit=studied["town"])
    login(client, "boss")
    assert client.get(f"/people/{studied['reader'].id}/timeline").status_code == 200
    other = client.application.test_client()
    login(other, "mayor")
    assert other.get(f"/people/{studied['reader'].id}/timeline").status_code == 404


XAPI_VERB = re.compile(r"^https?://\S+$")
ISO_DURATION = re.compile(r"^PT(\d+H)?(\d+M)?(\d+S)?$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_admin_export_is_valid_xapi(client, make_user, studied):
    make_user(username="root", roles=("admin",))
    login(client, "root")
    response = client.get("/admin/traces/xapi.json")
    assert response.status_code == 200
    statements = json.loads(response.get_data(as_text=True))
    assert {s["verb"]["display"]["en-US"] for s in statements} == {"progressed", "completed"}
    for s in statements:
        # Required by xAPI 1.0.3: actor, verb, object; ids are UUIDs; IRIs are absolute.
        assert UUID.match(s["id"])
        assert s["actor"]["objectType"] == "Agent"
        assert set(s["actor"]["account"]) == {"homePage", "name"}
        assert XAPI_VERB.match(s["verb"]["id"])
        assert s["object"]["objectType"] == "Activity" and XAPI_VERB.match(s["object"]["id"])
        assert s["timestamp"].endswith("+00:00") and s["version"] == "1.0.3"
        if "duration" in s.get("result", {}):
            assert ISO_DURATION.match(s["result"]["duration"])
    assert len({s["id"] for s in statements}) == len(statements)
    assert client.get("/admin/traces/xapi.json?since=2030-01-01").get_json() == []


def test_export_is_for_admins_only(client, studied):
    login(client, "reader")
    assert client.get("/admin/traces/xapi.json").status_code == 403


def test_the_timeline_shows_one_row_per_sitting_with_daily_totals(client, db, lessons, make_user):
    from app.courses.services import heartbeat as beat

    reader = make_user(username="sitter")
    lesson = lessons["cs-initiation"]
    for day in (0, 1):
        start = T0 + timedelta(days=day)
        for t in range(0, 256, 15):  # four minutes and a quarter of study, beat by beat
            beat(reader, lesson, visible=True, at_end=False, now=start + timedelta(seconds=t))
        beat(reader, lesson, visible=False, at_end=False, now=start + timedelta(seconds=260))
    db.session.commit()
    login(client, "sitter")
    html = client.get("/timeline").get_data(as_text=True)
    assert html.count('data-testid="timeline-row"') == 2  # one sitting a day, not a row a beat
    assert html.count(f"学习《{lesson.title}》4分15秒") == 2
    assert html.count('data-testid="timeline-day"') == 2
    assert html.count("当日学习 4分15秒") == 2
