"""The points API: one route test per endpoint and error."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.ledger import rules, services
from app.timeutil import utcnow
from tests.conftest import api_token


def give(user, n, key, at=None):
    services.post(key=key, kind="grant", at=at or utcnow(), user_id=user.id, rule_code="manual",
                  memo="测试", legs=[(services.system_account("adjustment"), -n),
                                   (services.user_account(user.id), n)])


@pytest.fixture
def people(db, make_unit, make_user):
    root = make_unit("组织部")
    a, b = make_unit("干部科", parent=root), make_unit("组织科", parent=root)
    users = {"ann": make_user(username="ann", name="安", org_unit=a),
             "bob": make_user(username="bob", name="鲍", org_unit=a),
             "cat": make_user(username="cat", name="曹", org_unit=b),
             "dan": make_user(username="dan", name="丁", org_unit=b)}
    now = utcnow()
    give(users["ann"], 30, "a", now - timedelta(seconds=30))
    give(users["bob"], 50, "b", now - timedelta(seconds=20))
    give(users["cat"], 30, "c", now - timedelta(seconds=10))
    db.session.commit()
    return users, root, a, b


def test_me_points_lists_entries_with_reasons(client, db, people):
    users, *_ = people
    headers = api_token(client, "ann")
    body = client.get("/api/v1/me/points?period=week", headers=headers).get_json()
    assert body["balance"] == 30 and body["period_points"] == 30
    entry = body["entries"][0]
    assert entry["points"] == 30 and entry["reason"] == "测试" and entry["rule"] == "manual"
    assert entry["source"]["type"] == "manual"
    assert client.get("/api/v1/me", headers=headers).get_json()["points_balance"] == 30
    bad = client.get("/api/v1/me/points?period=fortnight", headers=headers)
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_input"
    assert client.get("/api/v1/me/points").status_code == 401


def test_rules_in_force(client, db, people):
    body = client.get("/api/v1/points/rules", headers=api_token(client, "ann")).get_json()
    by_code = {r["code"]: r for r in body["rules"]}
    assert by_code["study"]["amount"] == 1 and by_code["study"]["daily_cap"] == 12
    assert by_code["study"]["unit_seconds"] == 300
    assert by_code["daily_quiz_correct"]["daily_cap"] == 5
    assert by_code["certificate_expert"]["amount"] == 100
    assert body["total_daily_cap"] is None


def test_leaderboard_of_people_ties_go_to_whoever_got_there_first(client, db, people):
    headers = api_token(client, "cat")
    body = client.get("/api/v1/leaderboard?period=all", headers=headers).get_json()
    assert [(r["rank"], r["user"]["name"], r["points"]) for r in body["rows"]] == [
        (1, "鲍", 50), (2, "安", 30), (3, "曹", 30)]
    assert body["me"] == {"rank": 3, "points": 30}
    _, root, a, b = people
    scoped = client.get(f"/api/v1/leaderboard?scope=org:{b.id}&period=day", headers=headers)
    assert [r["user"]["name"] for r in scoped.get_json()["rows"]] == ["曹"]
    assert scoped.get_json()["me"]["rank"] == 1
    limited = client.get("/api/v1/leaderboard?limit=1", headers=headers).get_json()
    assert len(limited["rows"]) == 1


def test_leaderboard_of_org_units_per_capita(client, db, people):
    _, root, a, b = people
    body = client.get(f"/api/v1/leaderboard?group=org&scope=org:{root.id}",
                      headers=api_token(client, "dan")).get_json()
    rows = [(r["org"]["name"], r["points"], r["per_capita"], r["participation"]) for r in body["rows"]]
    assert rows == [("干部科", 80, 40.0, 1.0), ("组织科", 30, 15.0, 0.5)]
    assert body["me"]["rank"] == 2


def test_leaderboard_hides_names_when_the_admin_says_so(client, db, people):
    rules.set_setting("show_names", False, actor=None, now=utcnow())
    db.session.commit()
    rows = client.get("/api/v1/leaderboard", headers=api_token(client, "cat")).get_json()["rows"]
    assert [r["user"] and r["user"]["name"] for r in rows] == [None, None, "曹"]


@pytest.mark.parametrize("query", ["period=x", "scope=org:x", "scope=everyone", "group=team",
                                   "limit=0", "limit=201", "limit=ten"])
def test_leaderboard_refuses_invalid_parameters(client, db, people, query):
    response = client.get(f"/api/v1/leaderboard?{query}", headers=api_token(client, "ann"))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_input"


def test_leaderboard_unknown_org_is_404(client, db, people):
    response = client.get("/api/v1/leaderboard?scope=org:999999", headers=api_token(client, "ann"))
    assert response.status_code == 404


def test_rewards_and_redemptions(client, db, people):
    users, *_ = people
    reward = services.create_reward("学习笔记本", 20, 1, actor=None, now=utcnow())
    pricey = services.create_reward("书", 1000, 5, actor=None, now=utcnow())
    db.session.commit()
    headers = api_token(client, "ann")
    catalogue = client.get("/api/v1/rewards", headers=headers).get_json()["rewards"]
    assert [(r["title"], r["price"], r["stock"]) for r in catalogue] == [
        ("学习笔记本", 20, 1), ("书", 1000, 5)]
    made = client.post("/api/v1/redemptions", headers=headers,
                       json={"reward_id": reward.id, "idempotency_key": "k1"})
    assert made.status_code == 201
    assert made.get_json()["status"] == "pending" and made.get_json()["balance"] == 10
    again = client.post("/api/v1/redemptions", headers=headers,
                        json={"reward_id": reward.id, "idempotency_key": "k1"})
    assert again.status_code == 200 and again.get_json()["id"] == made.get_json()["id"]

    def error(body, who=headers):
        response = client.post("/api/v1/redemptions", headers=who, json=body)
        return response.status_code, response.get_json()["error"]["code"]

    assert error({"reward_id": pricey.id, "idempotency_key": "k1"}) == (409, "idempotency_conflict")
    assert error({"reward_id": pricey.id, "idempotency_key": "k2"}) == (409, "insufficient_points")
    assert error({"reward_id": reward.id, "idempotency_key": "k3"},
                 api_token(client, "bob")) == (409, "out_of_stock")
    assert error({"reward_id": 999999, "idempotency_key": "k4"}) == (404, "not_found")
    assert error({"reward_id": "1", "idempotency_key": "k4"}) == (422, "invalid_input")
    assert error({"reward_id": reward.id}) == (422, "invalid_input")
    response = client.post("/api/v1/redemptions", headers=headers, data="x")
    assert response.status_code == 400


def test_entries_explain_reversals_in_the_readers_language(client, db, people):
    from app.traces.services import Event, record

    users, *_ = people
    ann = users["ann"]
    at = utcnow()
    record(Event(key="certified:9", actor=ann, verb="certified", object_type="certificate",
                 object_id=9, object_name="干部工作初级", at=at,
                 context={"area": "cadre", "tier": "basic", "attempt_id": 1, "exam_id": 1}))
    record(Event(key="withdrawn:9", actor=ann, verb="withdrawn", object_type="certificate",
                 object_id=9, object_name="干部工作初级", at=at, context={"reason": "x"}))
    db.session.commit()
    headers = api_token(client, "ann")
    zh = client.get("/api/v1/me/points", headers=headers).get_json()["entries"]
    en = client.get("/api/v1/me/points", headers={**headers, "Accept-Language": "en"}).get_json()
    by_kind = {e["kind"]: e for e in zh}
    assert by_kind["reversal"]["reason"] == "证书已撤销" and by_kind["reversal"]["points"] == -20
    assert by_kind["award"]["reason"] == "初级证书：干部工作初级"
    assert by_kind["award"]["reversed"] is True
    assert by_kind["reversal"]["source"]["type"] == "certificate"
    assert {e["reason"] for e in en["entries"]} >= {"Certificate withdrawn",
                                                    "Basic certificate: 干部工作初级"}
