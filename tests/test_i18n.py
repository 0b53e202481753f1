"""Both locales: Chinese by default, English on request; the Chinese catalog is complete."""

from pathlib import Path

from babel.messages.pofile import read_po

from tests.conftest import csrf_token, login

CATALOG = Path(__file__).resolve().parent.parent / "app/translations/zh_Hans_CN/LC_MESSAGES/messages.po"


def test_every_message_has_a_chinese_translation():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert missing == []


def test_pages_switch_to_english_and_back(client, make_user):
    make_user(username="cadre01")
    login(client, "cadre01")
    assert "首页" in client.get("/").get_data(as_text=True)
    token = csrf_token(client, "/")
    client.post("/locale/en", data={"csrf_token": token, "next": "/"})
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html and "Home" in html and "首页" not in html
    client.post("/locale/zh_CN", data={"csrf_token": token, "next": "/"})
    assert "首页" in client.get("/").get_data(as_text=True)


def test_error_pages_speak_the_users_language(client, make_user):
    make_user(username="cadre01")
    login(client, "cadre01")
    zh = client.get("/no-such-page")
    assert zh.status_code == 404 and "不存在" in zh.get_data(as_text=True)
    forbidden = client.get("/admin/users")
    assert forbidden.status_code == 403 and "没有查看此页面的权限" in forbidden.get_data(as_text=True)
    client.post("/locale/en", data={"csrf_token": csrf_token(client, "/"), "next": "/"})
    en = client.get("/no-such-page")
    assert en.status_code == 404 and "does not exist" in en.get_data(as_text=True)


def test_server_errors_render_the_500_page(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "服务器出错了" in response.get_data(as_text=True)


def test_browser_accept_language_does_not_override_chinese_pages(client):
    html = client.get("/login", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    assert "登录" in html


def test_unknown_locale_is_ignored(client):
    client.post("/locale/xx", data={"csrf_token": csrf_token(client), "next": "/login"})
    assert "登录" in client.get("/login").get_data(as_text=True)
