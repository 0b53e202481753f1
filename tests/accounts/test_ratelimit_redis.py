"""Login limits shared between processes through Redis (RATELIMIT_STORAGE_URI)."""

import os

import pytest

from app import create_app
from app.extensions import db as _db
from app.extensions import limiter
from tests.conftest import IN_CI, PASSWORD, IsolatedClient, login

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_apps(database_url):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"Redis is required under CI=true: {exc}")
        pytest.skip(f"Redis not reachable: {exc}")
    apps = []
    for _ in range(2):  # two web processes, one limit store
        app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url,
                          "RATELIMIT_STORAGE_URI": REDIS_URL})
        app.test_client_class = IsolatedClient
        apps.append(app)
    with apps[0].app_context():
        limiter.reset()
    yield apps
    with apps[0].app_context():
        limiter.reset()
    for each in apps:
        with each.app_context():
            _db.engine.dispose()


def test_failures_in_one_process_count_in_another(redis_apps, app, make_user):
    make_user(username="cadre01")
    first, second = (a.test_client() for a in redis_apps)
    for _ in range(5):
        login(first, "cadre01", "wrong-pass-1")
    for _ in range(5):
        login(second, "cadre01", "wrong-pass-1")
    assert login(first, "cadre01", PASSWORD).status_code == 429
    assert login(second, "cadre01", PASSWORD).status_code == 429
