"""Role menus, subtree scoping and 404 for other people's objects."""

import re

import pytest

from tests.conftest import login

ADMIN_ONLY = ["/admin/users", "/admin/org-units", "/admin/posts", "/admin/users/import",
              "/admin/audit", "/admin/users/new"]


def menu_endpoints(html: str) -> set[str]:
    return set(re.findall(r'data-endpoint="([^"]+)"', html))


@pytest.fixture
def people(make_unit, make_user):
    dept = make_unit("组织部", kind="department")
    section = make_unit("干部室", parent=dept)
    other = make_unit("组织室", parent=dept)
    town = make_unit("城关镇", kind="town")
    return {
        "dept": dept, "section": section, "other": other, "town": town,
        "admin": make_user(username="admin", roles=("admin",), org_unit=dept),
        "head": make_user(username="head", roles=("manager",), org_unit=section),
        "boss": make_user(username="boss", roles=("manager",), org_unit=dept),
        "trainer": make_user(username="trainer", roles=("trainer",), org_unit=section),
        "in_section": make_user(username="a1", name="甲", org_unit=section),
        "in_other": make_user(username="b1", name="乙", org_unit=other),
        "in_town": make_user(username="c1", name="丙", org_unit=town),
    }


@pytest.mark.parametrize("username, expected, absent", [
    ("a1", {"dashboard.home"}, {"accounts.people", "admin.users"}),
    ("trainer", {"dashboard.home"}, {"accounts.people", "admin.users"}),
    ("head", {"dashboard.home", "accounts.people"}, {"admin.users"}),
    ("admin", {"dashboard.home", "accounts.people", "admin.users", "admin.org_units",
               "admin.posts", "admin.user_import", "admin.audit_log"}, set()),
])
def test_each_role_sees_its_menu(client, people, username, expected, absent):
    login(client, username)
    shown = menu_endpoints(client.get("/").get_data(as_text=True))
    assert expected <= shown
    assert not (absent & shown)


@pytest.mark.parametrize("username", ["a1", "trainer", "head"])
@pytest.mark.parametrize("path", ADMIN_ONLY)
def test_admin_pages_refuse_other_roles(client, people, username, path):
    login(client, username)
    assert client.get(path).status_code == 403


def test_admin_pages_need_login(client, people):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_cadres_cannot_open_the_people_pages(client, people):
    login(client, "a1")
    assert client.get("/people").status_code == 403
    assert client.get(f"/people/{people['in_section'].id}").status_code == 403


def test_manager_sees_only_their_subtree(client, people):
    login(client, "head")
    html = client.get("/people").get_data(as_text=True)
    assert "甲" in html
    assert "乙" not in html and "丙" not in html


def test_department_manager_sees_sections_below(client, people):
    login(client, "boss")
    html = client.get("/people").get_data(as_text=True)
    assert "甲" in html and "乙" in html
    assert "丙" not in html  # the town is another tree


def test_someone_outside_the_subtree_answers_404(client, people):
    login(client, "head")
    assert client.get(f"/people/{people['in_section'].id}").status_code == 200
    assert client.get(f"/people/{people['in_other'].id}").status_code == 404
    assert client.get(f"/people/{people['in_town'].id}").status_code == 404
    assert client.get("/people/999999").status_code == 404


def test_a_unit_outside_the_subtree_answers_404(client, people):
    login(client, "head")
    assert client.get(f"/people?unit={people['section'].id}").status_code == 200
    assert client.get(f"/people?unit={people['other'].id}").status_code == 404


def test_admin_sees_everyone(client, people):
    login(client, "admin")
    html = client.get("/people").get_data(as_text=True)
    assert all(name in html for name in ("甲", "乙", "丙"))
