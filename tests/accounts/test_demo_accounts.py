"""`flask seed-demo` run again: it names the demo password only for accounts that still
log in with it."""

import sqlalchemy as sa

from app.accounts import services
from app.accounts.models import User
from app.cli.demo import DEMO_PASSWORD
from app.timeutil import utcnow


def run_seed(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def sections(output: str) -> tuple[str, str]:
    """The list of accounts said to use the demo password, and the list of the others."""
    usable_head = f"Accounts with password {DEMO_PASSWORD}:"
    other_head = f"Demo accounts that no longer log in with {DEMO_PASSWORD}:"
    before, _, other = output.partition(other_head)
    usable = before.split(usable_head, 1)[1] if usable_head in before else ""
    return usable, other

def test_a_second_seed_tells_the_truth_about_passwords(app, db):
    first = run_seed(app)
    usable, other = sections(first)
    assert "cadre01" in usable and "cadre20" in usable and not other
    by_name = {u.username: u for u in db.session.scalars(sa.select(User))}
    services.change_password(by_name["cadre01"], DEMO_PASSWORD, "changed-5678", now=utcnow())
    services.reset_password(by_name["cadre03"], "reset-5678", actor=None, now=utcnow())
    services.set_active(by_name["cadre02"], False, actor=None)
    db.session.commit()

    second = run_seed(app)
    assert "already there" in second
    usable, other = sections(second)
    for username in ("cadre01", "cadre02", "cadre03"):
        assert f"  {username} " not in usable
        assert f"  {username} " in other
    assert "admin" in usable and "cadre04" in usable
    line = {row.split()[0]: row for row in other.strip().splitlines()}
    assert "password changed" in line["cadre01"] and "password changed" in line["cadre03"]
    assert "deactivated" in line["cadre02"]
