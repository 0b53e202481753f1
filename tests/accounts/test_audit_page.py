"""The audit log page: actions named in the reader's language, details readable."""

from tests.conftest import csrf_token, login


def test_actions_are_named_and_details_are_readable(client, db, make_unit, make_user):
    unit = make_unit("测试室")
    make_user(username="boss", roles=("admin",))
    login(client, "boss")
    token = csrf_token(client, f"/admin/org-units/{unit.id}/edit")
    client.post(f"/admin/org-units/{unit.id}/edit", data={"csrf_token": token, "name": "测试二室",
                                                          "kind": "section", "parent_id": 0, "sort_order": 0})
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "修改组织单位" in html and "org_unit.update" in html
    assert "测试室" in html and "测试二室" in html and "\\u6d4b" not in html


def test_the_menu_keeps_its_order_in_every_language(client, make_user):
    make_user(username="both", roles=("admin", "trainer"))
    login(client, "both")
    chinese = client.get("/").get_data(as_text=True)
    assert chinese.index("教学管理") < chinese.index("系统管理")
    client.post("/locale/en", data={"csrf_token": csrf_token(client, "/")})
    english = client.get("/").get_data(as_text=True)
    assert english.index("Teaching") < english.index("Administration")


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.headers["Location"].endswith("/static/favicon.svg")
