"""Admin forms: refusals come back to the admin's page with a message; bounded inputs."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.accounts import services
from app.accounts.models import AuditEntry, OrgUnit, User
from app.errors import ValidationFailed
from app.timeutil import local_today
from tests.conftest import TODAY, csrf_token, login

HUGE = "99999999999999999999999"


@pytest.fixture
def admin(client, make_unit, make_user):
    dept = make_unit("组织部", kind="department")
    user = make_user(username="root", roles=("admin",), org_unit=dept)
    login(client, "root")
    with client.session_transaction() as session:
        session["locale"] = "en"  # assert on the English messages
    return user


def post_form(client, path, data):
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **data})


def flashed(client, path) -> str:
    return client.get(path).get_data(as_text=True)


# Password reset ------------------------------------------------------------------------

def test_a_too_short_reset_returns_to_the_edit_page_with_the_reason(client, admin, db, make_user):
    victim = make_user(username="victim")
    edit = f"/admin/users/{victim.id}/edit"
    response = post_form(client, f"/admin/users/{victim.id}/password", {"new_password": "ab1"})
    assert response.status_code == 302
    assert response.headers["Location"] == edit
    page = flashed(client, edit)
    assert "The password was not reset" in page and "at least 8 characters" in page
    assert db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "user.password_reset")) is None


def test_an_empty_reset_returns_to_the_edit_page_with_a_message(client, admin, make_user):
    victim = make_user(username="victim")
    edit = f"/admin/users/{victim.id}/edit"
    response = post_form(client, f"/admin/users/{victim.id}/password", {"new_password": ""})
    assert response.headers["Location"] == edit
    assert "Enter the new password." in flashed(client, edit)


def test_refusing_to_deactivate_oneself_returns_to_the_edit_page(client, admin):
    edit = f"/admin/users/{admin.id}/edit"
    response = post_form(client, f"/admin/users/{admin.id}/active", {"active": "0"})
    assert response.headers["Location"] == edit
    assert "You cannot deactivate your own account." in flashed(client, edit)


# Org units -----------------------------------------------------------------------------

def test_deleting_a_unit_with_members_returns_to_the_tree_with_the_reason(client, admin, db):
    dept = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "组织部"))
    response = post_form(client, f"/admin/org-units/{dept.id}/delete", {})
    assert response.headers["Location"] == "/admin/org-units"
    assert "no sub-units and no members" in flashed(client, "/admin/org-units")
    assert db.session.get(OrgUnit, dept.id) is not None


def test_deleting_a_unit_with_sub_units_returns_to_the_tree(client, admin, db, make_unit):
    town = make_unit("城关镇", kind="town")
    make_unit("东关村党总支", parent=town, kind="committee")
    response = post_form(client, f"/admin/org-units/{town.id}/delete", {})
    assert response.headers["Location"] == "/admin/org-units"
    assert "no sub-units and no members" in flashed(client, "/admin/org-units")


def test_deleting_an_empty_unit_works(client, admin, db, make_unit):
    empty_id = make_unit("河西镇", kind="town").id
    response = post_form(client, f"/admin/org-units/{empty_id}/delete", {})
    assert response.headers["Location"] == "/admin/org-units"
    db.session.expire_all()
    assert db.session.get(OrgUnit, empty_id) is None


@pytest.mark.parametrize("value", ["100001", "-1", HUGE])
def test_sort_order_out_of_range_is_refused_on_create(client, admin, db, value):
    response = post_form(client, "/admin/org-units",
                         {"name": "干部室", "kind": "section", "parent_id": 0, "sort_order": value})
    assert response.status_code == 200
    assert "from 0 to 100000" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "干部室")) is None


def test_sort_order_out_of_range_is_refused_on_edit(client, admin, db):
    dept = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "组织部"))
    response = post_form(client, f"/admin/org-units/{dept.id}/edit",
                         {"name": "组织部", "kind": "department", "parent_id": 0, "sort_order": HUGE})
    assert response.status_code == 200
    assert "from 0 to 100000" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(OrgUnit, dept.id).sort_order == 0


def test_the_largest_sort_order_is_accepted(client, admin, db):
    response = post_form(client, "/admin/org-units",
                         {"name": "干部室", "kind": "section", "parent_id": 0, "sort_order": "100000"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(OrgUnit.sort_order).where(OrgUnit.name == "干部室")) == 100000


# Join dates ----------------------------------------------------------------------------

def new_user_form(**overrides):
    return {"username": "newone", "name": "新人", "org_unit_id": 0, "post_id": 0,
            "roles": ["cadre"], "password": "start-1234", **overrides}


def test_a_join_date_in_the_future_is_refused_on_create(client, admin, db):
    response = post_form(client, "/admin/users/new", new_user_form(joined_on="2999-01-01"))
    assert response.status_code == 200
    assert "The join date 2999-01-01 is in the future." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.username == "newone")) is None


def test_a_join_date_in_the_future_is_refused_on_edit(client, admin, db, make_user):
    user = make_user(username="cadre01", joined_on=date(2020, 1, 1))
    response = post_form(client, f"/admin/users/{user.id}/edit", {
        "username": "cadre01", "name": user.name, "org_unit_id": 0, "post_id": 0,
        "roles": ["cadre"], "joined_on": "2999-01-01"})
    assert response.status_code == 200
    assert "is in the future" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).joined_on == date(2020, 1, 1)


def test_the_service_refuses_a_future_join_date(db):
    data = services.UserData(username="later", name="未来", org_unit=None, roles=("cadre",),
                             joined_on=date(2026, 11, 26))
    with pytest.raises(ValidationFailed):
        services.create_user(data, "start-1234", actor=None, today=TODAY)
    today = services.UserData(username="now", name="今天", org_unit=None, roles=("cadre",),
                              joined_on=TODAY)
    assert services.create_user(today, "start-1234", actor=None, today=TODAY).joined_on == TODAY


def test_the_new_user_form_offers_todays_date(client, admin):
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert f'value="{local_today().isoformat()}"' in page


def test_a_cleared_join_date_stays_empty(client, admin, db):
    response = post_form(client, "/admin/users/new", new_user_form(joined_on=""))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(User).where(User.username == "newone")).joined_on is None


# Audit of user edits -------------------------------------------------------------------

def test_unit_and_post_changes_are_audited_with_before_and_after(client, admin, db, make_unit,
                                                                 make_post, make_user):
    dept = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "组织部"))
    section = make_unit("干部室", parent=dept)
    first, second = make_post("干部工作岗"), make_post("组织工作岗")
    user = make_user(username="cadre01", org_unit=dept, post=first, joined_on=date(2020, 1, 1))
    response = post_form(client, f"/admin/users/{user.id}/edit", {
        "username": "cadre01", "name": user.name, "org_unit_id": section.id,
        "post_id": second.id, "roles": ["cadre"], "joined_on": "2020-01-01"})
    assert response.status_code == 302
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.update"))
    assert entry.target_id == user.id and entry.actor_id == admin.id
    assert entry.details == {
        "before": {"org_unit": "组织部", "post": "干部工作岗"},
        "after": {"org_unit": "组织部/干部室", "post": "组织工作岗"},
    }


def test_saving_an_unchanged_user_writes_no_update_entry(client, admin, db, make_user):
    user = make_user(username="cadre01", joined_on=date(2020, 1, 1))
    post_form(client, f"/admin/users/{user.id}/edit", {
        "username": "cadre01", "name": user.name, "org_unit_id": 0, "post_id": 0,
        "roles": ["cadre"], "joined_on": "2020-01-01"})
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.update")) is None


# Query parameters ----------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    f"/admin/users?unit={HUGE}", f"/admin/users?page={HUGE}", "/admin/users?unit=-3&page=0",
    f"/admin/audit?page={HUGE}", f"/people?unit={HUGE}", f"/people?page={HUGE}",
    "/people?unit=abc&page=abc",
])
def test_out_of_range_query_numbers_do_not_crash(client, admin, path):
    assert client.get(path).status_code == 200


def test_a_forged_role_gets_a_chinese_message(client, make_user):
    make_user(username="boss", roles=("admin",))
    login(client, "boss")
    token = csrf_token(client, "/admin/users/new")
    page = client.post("/admin/users/new", data={"csrf_token": token, "username": "x1", "name": "某某",
                                                 "roles": "superuser"}).get_data(as_text=True)
    assert "“superuser”不在可选范围内" in page
