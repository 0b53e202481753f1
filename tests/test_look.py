"""The page shell: the department in the header and footer, the version, icons served by the app."""

from tests.conftest import login


def test_the_header_and_footer_name_the_department_and_the_version(app, client, make_user):
    app.config["DEPARTMENT_NAME"] = "中共测试县委组织部"
    app.config["APP_VERSION"] = "9.8.7"
    make_user(username="cadre01")
    login(client, "cadre01")
    html = client.get("/").get_data(as_text=True)
    assert "组工干部学习考试平台" in html
    assert html.count("中共测试县委组织部") >= 2  # the header and the footer
    assert "版本 9.8.7" in html
    assert 'class="site-footer"' in html


def test_the_department_is_named_before_login_too(client):
    html = client.get("/login").get_data(as_text=True)
    assert "中共××县委组织部" in html


def test_the_menu_has_icons_from_the_vendored_set(client, make_user):
    make_user(username="cadre01")
    login(client, "cadre01")
    html = client.get("/").get_data(as_text=True)
    assert "vendor/bootstrap-icons/bootstrap-icons.min.css" in html
    assert 'class="bi bi-house-door"' in html
    css = client.get("/static/vendor/bootstrap-icons/bootstrap-icons.min.css")
    assert css.status_code == 200 and b"fonts/bootstrap-icons.woff2" in css.data
    font = client.get("/static/vendor/bootstrap-icons/fonts/bootstrap-icons.woff2")
    assert font.status_code == 200 and font.data[:4] == b"wOF2"
    assert "font-src 'self'" in font.headers["Content-Security-Policy"]
