"""The points pages: my points, leaderboard, rewards, grant/deduct, admin rules and rewards."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.accounts.models import AuditEntry
from app.ledger import rules, services
from app.ledger.models import Redemption, Reward, Rule
from app.timeutil import utcnow
from tests.conftest import csrf_token, login


@pytest.fixture
def people(db, make_unit, make_user):
    dept = make_unit("组织部", kind="department")
    section, town = make_unit("干部室", parent=dept), make_unit("城关镇", kind="town")
    users = {"admin": make_user(username="admin", roles=("admin",), org_unit=dept),
             "head": make_user(username="head", roles=("manager",), org_unit=section),
             "a1": make_user(username="a1", name="甲", org_unit=section),
             "a2": make_user(username="a2", name="乙", org_unit=section),
             "c1": make_user(username="c1", name="丙", org_unit=town)}
    services.award(users["a1"].id, "lesson_completed", key="l1", at=utcnow(), memo="")
    services.award(users["a2"].id, "course_completed", key="c1", at=utcnow())
    db.session.commit()
    return users


def test_my_points_shows_balance_task_cards_entries_and_chart(client, people):
    login(client, "a1")
    html = client.get("/points").get_data(as_text=True)
    assert re.search(r'id="points-balance">2<', html)
    assert "已获 0 分 / 每日上限 12 分" in html  # study
    assert "已获 2 分" in html
    assert "points-chart-data" in html and "echarts.min.js" in html
    assert html.count("+10") == 0 and "+2" in html  # only my own entries
    assert client.get("/points?period=bogus").status_code == 200


def test_leaderboard_page_with_my_rank_and_neighbours(client, people):
    login(client, "a1")
    html = client.get("/leaderboard?period=all").get_data(as_text=True)
    assert "乙" in html and "我的排名：2" in html
    assert 'id="around-me"' in html
    org_html = client.get("/leaderboard?group=org&period=all").get_data(as_text=True)
    assert "干部室" in org_html
    rules.set_setting("show_names", False, actor=None, now=utcnow())
    from app.extensions import db

    db.session.commit()
    hidden = client.get("/leaderboard?period=all").get_data(as_text=True)
    assert "乙" not in hidden and "甲" in hidden


def test_rewards_page_redeems_once_per_form(client, db, people):
    reward = services.create_reward("学习读本", 2, 3, actor=None, now=utcnow())
    db.session.commit()
    login(client, "a1")
    token = csrf_token(client, "/rewards")
    form = {"csrf_token": token, "reward_id": str(reward.id), "key": "form-1"}
    assert client.post("/rewards", data=form).status_code == 302
    assert client.post("/rewards", data=form).status_code == 302  # a double submit
    assert db.session.scalar(select(Redemption.status)) == "pending"
    assert len(db.session.scalars(select(Redemption)).all()) == 1
    html = client.get("/rewards").get_data(as_text=True)
    assert "学习读本" in html and "待发放" in html


def test_manager_grants_in_the_subtree_and_not_outside(app, client, db, people):
    login(client, "head")
    page = client.get("/points/adjust").get_data(as_text=True)
    assert "甲" in page and "丙" not in page
    token = csrf_token(client, "/points/adjust")
    response = client.post("/points/adjust", data={
        "csrf_token": token, "user_id": people["a1"].id, "points": "5", "reason": "主持学习会",
        "key": "k1"})
    assert response.status_code == 302
    assert services.balance(people["a1"].id) == 7
    outside = client.post("/points/adjust", data={
        "csrf_token": token, "user_id": people["c1"].id, "points": "5", "reason": "x", "key": "k2"})
    assert outside.status_code == 200  # not a choice of this form: refused
    assert services.balance(people["c1"].id) == 0
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "points.grant"))
    cadre = app.test_client()
    login(cadre, "a1")
    assert "主持学习会" in cadre.get("/points").get_data(as_text=True)
    assert cadre.get("/points/adjust").status_code == 403


def test_admin_changes_a_rule_and_settings(client, db, people):
    login(client, "admin")
    html = client.get("/admin/points").get_data(as_text=True)
    assert "lesson_completed" in html
    token = csrf_token(client, "/admin/points")
    response = client.post("/admin/points/rules/lesson_completed", data={
        "lesson_completed-csrf_token": token, "lesson_completed-amount": "4",
        "lesson_completed-enabled": "y"})
    assert response.status_code == 302
    assert rules.in_force("lesson_completed", utcnow()).amount == 4
    assert db.session.scalar(select(Rule.version).where(Rule.code == "lesson_completed")
                             .order_by(Rule.version.desc())) == 2
    client.post("/admin/points", data={"settings-csrf_token": token,
                                       "settings-total_daily_cap": "40"})
    assert rules.setting("total_daily_cap") == 40 and rules.setting("show_names") is False
    assert client.post("/admin/points/rules/nope", data={}).status_code in (400, 404)
    from app.ledger.tasks import reconcile

    reconcile(utcnow())
    db.session.commit()
    assert 'id="reconciliation"' in client.get("/admin/points").get_data(as_text=True)


def test_admin_rewards_create_edit_fulfil_and_cancel(client, db, people):
    login(client, "admin")
    token = csrf_token(client, "/admin/rewards")
    client.post("/admin/rewards", data={"csrf_token": token, "title": "笔记本", "price": "1",
                                        "stock": "2"})
    reward = db.session.scalar(select(Reward))
    assert reward.title == "笔记本" and reward.stock == 2
    client.post(f"/admin/rewards/{reward.id}/edit", data={
        "csrf_token": token, "title": "笔记本", "price": "1", "stock": "5", "active": "y"})
    db.session.refresh(reward)
    assert reward.stock == 5
    first = services.redeem(people["a1"], reward.id, "x1", now=utcnow()).redemption
    second = services.redeem(people["a1"], reward.id, "x2", now=utcnow()).redemption
    db.session.commit()
    assert "甲" in client.get("/admin/rewards").get_data(as_text=True)
    client.post(f"/admin/redemptions/{first.id}/fulfilled", data={"csrf_token": token})
    client.post(f"/admin/redemptions/{second.id}/cancelled", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Redemption, first.id).status == "fulfilled"
    assert db.session.get(Redemption, second.id).status == "cancelled"
    assert services.balance(people["a1"].id) == 1
    assert client.post(f"/admin/redemptions/{second.id}/cancelled",
                       data={"csrf_token": token}).status_code == 302  # refused with a flash


@pytest.mark.parametrize("path", ["/admin/points", "/admin/rewards"])
def test_admin_pages_refuse_cadres(client, people, path):
    login(client, "a1")
    assert client.get(path).status_code == 403


def test_admin_schedules_a_rule_change_and_cannot_backdate_one(client, db, people):
    from datetime import timedelta

    from app.timeutil import local_today

    login(client, "admin")
    token = csrf_token(client, "/admin/points")
    tomorrow = local_today() + timedelta(days=1)
    client.post("/admin/points/rules/course_completed", data={
        "course_completed-csrf_token": token, "course_completed-amount": "12",
        "course_completed-enabled": "y", "course_completed-effective_on": tomorrow.isoformat()})
    assert rules.in_force("course_completed", utcnow()).amount == 10
    assert rules.in_force("course_completed", utcnow() + timedelta(days=2)).amount == 12
    assert 'id="upcoming-rules"' in client.get("/admin/points").get_data(as_text=True)
    yesterday = local_today() - timedelta(days=1)
    client.post("/admin/points/rules/course_completed", data={
        "course_completed-csrf_token": token, "course_completed-amount": "1",
        "course_completed-enabled": "y", "course_completed-effective_on": yesterday.isoformat()})
    assert [r.version for r in rules.history("course_completed")] == [2, 1]
