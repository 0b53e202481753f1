"""`flask seed-demo`: the demo department, twice without harm, every account logs in."""

import re

import sqlalchemy as sa

from app.accounts.models import OrgUnit, Post, User
from app.cli.demo import DEMO_PASSWORD, SECTIONS
from tests.conftest import login


def run_seed(app):
    return app.test_cli_runner().invoke(args=["seed-demo"])


def test_seed_twice_creates_everything_once(app, db):
    first = run_seed(app)
    assert first.exit_code == 0, first.output
    assert "demo1234" in first.output and "cadre20" in first.output
    counts = [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (User, OrgUnit, Post)]
    second = run_seed(app)
    assert second.exit_code == 0, second.output
    again = [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (User, OrgUnit, Post)]
    assert counts == again
    assert counts[0] == 24
    names = set(db.session.scalars(sa.select(OrgUnit.name)))
    assert set(SECTIONS) <= names and {"城关镇", "河西镇"} <= names


def test_every_demo_account_logs_in_and_sees_its_menu(app, db):
    run_seed(app)
    expected = {"admin": "admin.users", "manager": "accounts.people", "trainer": "dashboard.home",
                "cadre01": "dashboard.home", "cadre20": "dashboard.home"}
    for username, endpoint in expected.items():
        client = app.test_client()
        assert login(client, username, DEMO_PASSWORD).status_code == 302, username
        html = client.get("/").get_data(as_text=True)
        assert endpoint in re.findall(r'data-endpoint="([^"]+)"', html), username


def test_demo_cadres_have_posts_and_some_are_newcomers(app, db):
    run_seed(app)
    cadre01 = db.session.scalar(sa.select(User).where(User.username == "cadre01"))
    assert cadre01.current_post.code == "cadre_officer"
    assert cadre01.org_unit.name == "干部室"
    from app.accounts.services import is_newcomer
    from app.timeutil import local_today
    assert is_newcomer(cadre01, local_today())


def test_create_admin_command(app, db):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "--username", "ops", "--name", "运维"],
        input="strong-pass-1\nstrong-pass-1\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "ops"))
    assert user.roles == ["admin"]


def test_the_demo_holds_a_published_formal_exam_that_cadre01_can_start(app, db):
    from app.cli.demo import DEMO_EXAM
    from app.exams.models import Exam

    run_seed(app)
    run_seed(app)
    [exam] = db.session.scalars(sa.select(Exam).where(Exam.title == DEMO_EXAM))
    assert exam.status == "published" and exam.time_limit_s == 1800
    client = app.test_client()
    login(client, "cadre01", DEMO_PASSWORD)
    listed = client.get("/api/v1/exams").get_json()["exams"]
    assert [e["title"] for e in listed] == [DEMO_EXAM]
    from tests.conftest import csrf_token

    token = csrf_token(client, "/exams")
    started = client.post(f"/api/v1/exams/{exam.id}/attempts", headers={"X-CSRFToken": token})
    assert started.status_code == 201
    body = started.get_json()
    assert len(body["questions"]) == 20 and body["status"] == "in_progress"
    assert sum(float(q["points"]) for q in body["questions"]) == 100
