"""Environment-driven settings.

`create_app(config)` starts from one of these classes (chosen by ``APP_ENV``:
``development`` by default, ``production`` or ``testing``) and then applies the
optional mapping passed to it.
"""

from __future__ import annotations

import os
import tomllib
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSECURE_SECRET_KEY = "dev-only-insecure-secret-key"


def _project_version() -> str:
    """The version in pyproject.toml, shown in every page's footer."""
    try:
        with open(BASE_DIR / "pyproject.toml", "rb") as f:
            return tomllib.load(f)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return ""


def database_url(raw: str | None) -> str:
    """Normalize DATABASE_URL: plain postgres URLs use the psycopg 3 driver."""
    if not raw:
        return f"sqlite:///{BASE_DIR / 'instance' / 'app.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # The longest exam runs a few hours; a form opened at its start must still post.
    WTF_CSRF_TIME_LIMIT = int(os.environ.get("CSRF_TIME_LIMIT_S", 8 * 3600))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", 20)) * 1024 * 1024
    HSTS_SECONDS = 0  # Strict-Transport-Security: production only (its site is HTTPS)

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_FAILURES_PER_MINUTE = int(os.environ.get("LOGIN_FAILURES_PER_MINUTE", 10))

    # werkzeug's scrypt (N=2**15, r=8, p=1).
    PASSWORD_HASH_METHOD = "scrypt"
    API_TOKEN_TTL = timedelta(hours=int(os.environ.get("API_TOKEN_TTL_HOURS", 7 * 24)))

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")

    # The organization running the platform, in the header and footer of every page.
    DEPARTMENT_NAME = os.environ.get("DEPARTMENT_NAME", "中共××县委组织部")
    APP_VERSION = os.environ.get("APP_VERSION") or _project_version()
    # The department's rule for study time: this many minutes of study make one 学时.
    MINUTES_PER_CLASS_HOUR = int(os.environ.get("MINUTES_PER_CLASS_HOUR", 45))

    NEWCOMER_MONTHS = 12
    # The lesson page beats this often while visible, and stops after this much idleness.
    HEARTBEAT_INTERVAL_S = 15
    HEARTBEAT_IDLE_AFTER_S = 120
    HEARTBEAT_MAX_CREDIT_S = 30
    # `make bench` only: the X-SQL-Count header and the /bench/insert baseline (app/benchmark.py).
    BENCH_BASELINE = os.environ.get("BENCH_BASELINE") == "1"
    HANDBOOK_DIR = str(BASE_DIR / "handbook")
    QUESTION_BANK_DIR = str(BASE_DIR / "question_bank")


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = True
    SECRET_KEY = "testing-secret-key"
    # Still scrypt, at a cost that keeps a suite creating hundreds of users fast.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 365 * 24 * 3600))


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_class(name: str | None = None) -> type[Config]:
    """The Config class named by `name` or APP_ENV."""
    name = name or os.environ.get("APP_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"APP_ENV must be one of {sorted(CONFIGS)}, not {name!r}") from None
