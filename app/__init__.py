"""The application factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import INSECURE_SECRET_KEY, config_class


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment's Config class, overridden by `config`."""
    app = Flask(__name__, instance_relative_config=True)
    overrides = dict(config or {})
    app.config.from_object(config_class(overrides.pop("APP_ENV", None)))
    app.config.update(overrides)
    _check_production(app)
    app.json.ensure_ascii = False  # JSON in UTF-8: Chinese as Chinese, not \u escapes

    if app.config.get("PROXY_FIX_X_FOR"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_FIX_X_FOR"]),
                                x_proto=1)

    from app import extensions, i18n, model_registry, navigation, web  # noqa: F401  (registers tables)
    from app.accounts import login

    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=_migrations_dir())
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    i18n.init_app(app)
    web.init_app(app)
    login.init_app(app)
    navigation.init_app(app)

    from app import ledger, scheduler
    from app.accounts import admin_routes
    from app.accounts import cli as accounts_cli
    from app.accounts import routes as accounts_routes
    from app.api.base import bp as api_bp
    from app.cli import demo
    from app.courses import cli as courses_cli
    from app.courses import routes as courses_routes
    from app.courses import teach_routes
    from app.dashboard import routes as dashboard_routes
    from app.exams import routes as exams_routes
    from app.ledger import routes as ledger_routes
    from app.plans import routes as plans_routes
    from app.questions import cli as questions_cli
    from app.questions import routes as questions_routes
    from app.reports import routes as reports_routes
    from app.traces import routes as traces_routes

    app.register_blueprint(dashboard_routes.bp)
    app.register_blueprint(accounts_routes.bp)
    app.register_blueprint(admin_routes.bp)
    app.register_blueprint(courses_routes.bp)
    app.register_blueprint(teach_routes.bp)
    app.register_blueprint(exams_routes.bp)
    app.register_blueprint(plans_routes.bp)
    app.register_blueprint(questions_routes.bp)
    app.register_blueprint(reports_routes.bp)
    app.register_blueprint(traces_routes.bp)
    app.register_blueprint(ledger_routes.bp)
    app.register_blueprint(api_bp)
    accounts_cli.init_app(app)
    courses_cli.init_app(app)
    questions_cli.init_app(app)
    demo.init_app(app)
    ledger.init_app(app)
    scheduler.init_app(app)
    if app.config.get("BENCH_BASELINE"):
        from app import benchmark

        benchmark.init_app(app)
    return app


def _check_production(app: Flask) -> None:
    if not app.config.get("SESSION_COOKIE_SECURE"):
        return
    key = app.config.get("SECRET_KEY") or ""
    if key == INSECURE_SECRET_KEY or len(key) < 32:
        raise RuntimeError(
            "Production needs a real SECRET_KEY (32+ random characters), e.g. "
            "python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    # Each gunicorn worker would count login failures and check-in codes on its own, so
    # four workers would let four times the limit through.
    storage = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if app.config.get("RATELIMIT_ENABLED", True) and storage.startswith("memory://"):
        raise RuntimeError(
            "Production needs a rate-limit store shared by every process: set "
            "RATELIMIT_STORAGE_URI, e.g. redis://127.0.0.1:6379/0"
        )


def _migrations_dir() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parent.parent / "migrations")
