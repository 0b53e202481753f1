from tests.conftest import PASSWORD, csrf_token, login


def test_login_page_is_chinese_by_default(client):
    page = client.get("/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "登录" in html


def test_login_and_logout(client, make_user):
    make_user(username="cadre01", name="刘思远")
    response = login(client, "cadre01")
    assert response.status_code == 302
    home = client.get("/")
    assert "刘思远" in home.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get("/").status_code == 302


def test_username_is_case_insensitive(client, make_user):
    make_user(username="cadre02")
    assert login(client, "  CADRE02 ").status_code == 302


def test_wrong_password_and_unknown_user_get_the_same_answer(client, make_user):
    make_user(username="cadre01")
    wrong_password = login(client, "cadre01", "nope-nope-1")
    unknown_user = login(client, "nobody", "nope-nope-1")
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert "用户名或密码错误" in wrong_password.get_data(as_text=True)
    assert "用户名或密码错误" in unknown_user.get_data(as_text=True)


def test_inactive_user_cannot_log_in(client, make_user):
    make_user(username="gone", active=False)
    assert login(client, "gone").status_code == 200
    assert client.get("/").status_code == 302


def test_next_parameter_never_leaves_the_site(client, make_user):
    make_user(username="cadre01")
    token = csrf_token(client)
    response = client.post("/login?next=https://evil.example/x",
                           data={"username": "cadre01", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_remember_me_sets_a_remember_cookie(client, make_user):
    make_user(username="cadre01")
    login(client, "cadre01", remember="y")
    assert client.get_cookie("remember_token") is not None


def test_session_cookie_flags(client, make_user):
    make_user(username="cadre01")
    response = login(client, "cadre01")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
