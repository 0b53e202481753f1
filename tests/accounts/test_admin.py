"""Admin pages: org tree, posts, users, audit log."""

import pytest
import sqlalchemy as sa

from app.accounts import org
from app.accounts.models import AuditEntry, OrgUnit, Post, User
from tests.conftest import PASSWORD, csrf_token, login


@pytest.fixture
def admin(client, make_unit, make_user):
    dept = make_unit("组织部", kind="department")
    user = make_user(username="root", roles=("admin",), org_unit=dept)
    login(client, "root")
    return user


def post_form(client, path, data):
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **data})


def audit_actions(db) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_create_and_nest_org_units(client, admin, db):
    dept = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "组织部"))
    response = post_form(client, "/admin/org-units",
                         {"name": "干部室", "kind": "section", "parent_id": dept.id, "sort_order": 1})
    assert response.status_code == 302
    page = client.get("/admin/org-units").get_data(as_text=True)
    assert "干部室" in page
    section = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "干部室"))
    assert section.path == f"{dept.path}{section.id}/"
    assert "org_unit.create" in audit_actions(db)


def test_duplicate_sibling_name_is_refused(client, admin, db):
    response = post_form(client, "/admin/org-units",
                         {"name": "组织部", "kind": "department", "parent_id": 0})
    assert response.status_code == 200
    assert "已有名为" in response.get_data(as_text=True)


def test_moving_a_unit_moves_its_subtree(db, make_unit):
    a = make_unit("甲", kind="town")
    b = make_unit("乙", parent=a)
    c = make_unit("丙", parent=b)
    target = make_unit("丁", kind="town")
    org.move_unit(b, target)
    db.session.commit()
    db.session.refresh(c)
    assert c.path == f"{target.path}{b.id}/{c.id}/"
    assert org.path_label(c) == "丁/乙/丙"
    assert org.find_by_path("丁/乙/丙").id == c.id


def test_a_unit_cannot_move_under_itself(db, make_unit):
    a = make_unit("甲", kind="town")
    b = make_unit("乙", parent=a)
    with pytest.raises(org.ValidationFailed):
        org.move_unit(a, b)


def test_a_unit_with_members_cannot_be_deleted(client, admin, db):
    dept = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "组织部"))
    response = post_form(client, f"/admin/org-units/{dept.id}/delete", {})
    assert response.status_code == 302
    assert db.session.get(OrgUnit, dept.id) is not None


def test_create_and_edit_a_post(client, admin, db):
    post_form(client, "/admin/posts", {"code": "cadre_officer", "name": "干部工作岗",
                                       "area": "cadre", "description": "", "active": "y"})
    post = db.session.scalar(sa.select(Post))
    assert (post.code, post.area) == ("cadre_officer", "cadre")
    post_form(client, f"/admin/posts/{post.id}/edit",
              {"code": "cadre_officer", "name": "干部工作岗位", "area": "cadre"})
    db.session.expire_all()
    assert db.session.get(Post, post.id).name == "干部工作岗位"


def test_unknown_area_is_refused(client, admin, db):
    response = post_form(client, "/admin/posts", {"code": "x", "name": "x", "area": "sports"})
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0


def test_create_user_then_change_roles_is_audited(client, admin, db, make_post):
    post = make_post("干部工作岗")
    dept = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "组织部"))
    response = post_form(client, "/admin/users/new", {
        "username": "NewOne", "name": "新人", "org_unit_id": dept.id, "post_id": post.id,
        "roles": ["cadre"], "joined_on": "2026-09-01", "password": "start-1234",
    })
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.username == "newone"))
    assert user.roles == ["cadre"] and user.must_change_password
    assert user.current_post.name == "干部工作岗"
    post_form(client, f"/admin/users/{user.id}/edit", {
        "username": "newone", "name": "新人", "org_unit_id": dept.id, "post_id": post.id,
        "roles": ["cadre", "trainer"], "joined_on": "2026-09-01",
    })
    db.session.expire_all()
    assert db.session.get(User, user.id).roles == ["cadre", "trainer"]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.roles"))
    assert entry.details == {"before": ["cadre"], "after": ["cadre", "trainer"]}
    assert entry.actor_id == admin.id
    assert client.get("/admin/audit").get_data(as_text=True).count("user.roles") >= 1


def test_duplicate_username_is_refused(client, admin, db):
    response = post_form(client, "/admin/users/new", {
        "username": "ROOT", "name": "重复", "org_unit_id": 0, "post_id": 0,
        "roles": ["cadre"], "password": "start-1234",
    })
    assert response.status_code == 200
    assert "已被占用" in response.get_data(as_text=True)


def test_deactivating_ends_the_users_sessions(app, client, admin, db, make_user):
    victim = make_user(username="victim")
    other = app.test_client()
    login(other, "victim")
    assert other.get("/").status_code == 200
    post_form(client, f"/admin/users/{victim.id}/active", {"active": "0"})
    assert other.get("/").status_code == 302
    assert login(app.test_client(), "victim").status_code == 200  # refused, form again
    assert "user.deactivate" in audit_actions(db)


def test_admin_cannot_deactivate_themselves(client, admin, db):
    post_form(client, f"/admin/users/{admin.id}/active", {"active": "0"})
    db.session.expire_all()
    assert db.session.get(User, admin.id).active


def test_password_reset_forces_a_change(app, client, admin, db, make_user):
    victim = make_user(username="victim")
    post_form(client, f"/admin/users/{victim.id}/password", {"new_password": "reset-1234"})
    assert "user.password_reset" in audit_actions(db)
    other = app.test_client()
    assert login(other, "victim", PASSWORD).status_code == 200  # old password gone
    assert login(other, "victim", "reset-1234").status_code == 302
    assert other.get("/").headers["Location"].endswith("/account/password")
    token = csrf_token(other, "/account/password")
    response = other.post("/account/password", data={
        "csrf_token": token, "current_password": "reset-1234",
        "new_password": "mine-5678", "confirm": "mine-5678"})
    assert response.status_code == 302
    assert other.get("/").status_code == 200


def test_weak_passwords_are_refused(client, admin, db, make_user):
    victim = make_user(username="victim")
    post_form(client, f"/admin/users/{victim.id}/password", {"new_password": "12345678"})
    assert "user.password_reset" not in audit_actions(db)


def test_audit_log_filters_by_action(client, admin, db, make_user):
    victim = make_user(username="victim")
    post_form(client, f"/admin/users/{victim.id}/password", {"new_password": "reset-1234"})
    page = client.get("/admin/audit?action=user.password").get_data(as_text=True)
    assert "user.password_reset" in page
    assert "user.create" not in page


def test_deactivating_twice_leaves_the_user_deactivated(client, admin, db, make_user):
    victim = make_user(username="victim")
    for _ in range(2):  # a double click
        post_form(client, f"/admin/users/{victim.id}/active", {"active": "0"})
    db.session.expire_all()
    assert not db.session.get(User, victim.id).active
    assert audit_actions(db).count("user.deactivate") == 1
    assert post_form(client, f"/admin/users/{victim.id}/active", {}).status_code == 400
