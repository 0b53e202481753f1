"""The login page in a real browser, on a desktop and on a phone."""

import pytest

from app.cli.demo import DEMO_PASSWORD
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("username, entry", [
    ("cadre01", "首页"), ("trainer", "首页"), ("manager", "人员"), ("admin", "系统管理"),
])
def test_demo_accounts_log_in_and_see_their_menu(page, live_server, demo, username, entry):
    page.goto(f"{live_server}/login")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    log_in(page, live_server, username, DEMO_PASSWORD)
    menu = page.get_by_test_id("menu")
    assert menu.get_by_text(entry).first.is_visible()
    if username == "cadre01":
        assert menu.get_by_role("button", name="系统管理", exact=True).count() == 0


def test_wrong_password_shows_one_message(page, live_server, demo):
    page.goto(f"{live_server}/login")
    page.get_by_label("用户名").fill("cadre01")
    page.get_by_label("密码").fill("wrong-pass-1")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_text("用户名或密码错误").is_visible()


def test_the_menu_folds_on_a_phone(phone, live_server, demo):
    log_in(phone, live_server, "admin", DEMO_PASSWORD)
    toggler = phone.locator(".navbar-toggler")
    assert toggler.is_visible()
    toggler.click()
    phone.get_by_role("button", name="系统管理", exact=True).click()
    phone.get_by_role("link", name="用户", exact=True).click()
    phone.wait_for_url(f"{live_server}/admin/users")
    assert phone.get_by_role("heading", name="用户").is_visible()
