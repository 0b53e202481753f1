"""Shared bench plumbing: the database, the app, timing and the machine line."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlalchemy as sa

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_URL = "postgresql+psycopg:///cadre_bench"


def database_url() -> str:
    """The bench's own database (BENCH_DATABASE_URL); never the test database."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    name = sa.engine.make_url(url).database
    test_url = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg:///test")
    if name in ("test", sa.engine.make_url(test_url).database):
        raise SystemExit(f"BENCH_DATABASE_URL names the test database ({name}); the bench empties its "
                         "database, so give it one of its own")
    return url


def fresh_database(url: str) -> None:
    """Create the bench database if needed and give it an empty public schema."""
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                             {"n": target.database})
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def make_app(url: str):
    """The app on the bench database, migrated; login limits off (the bench logs in a lot)."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 5}})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return app


@dataclass
class Figure:
    name: str
    unit: str
    samples: list[float] = field(default_factory=list)
    target: str = ""

    def summary(self) -> dict:
        data = sorted(self.samples)
        def pct(p: float) -> float:
            return data[min(len(data) - 1, int(round(p * (len(data) - 1))))]
        return {"name": self.name, "unit": self.unit, "n": len(data), "p50": round(pct(0.50), 2),
                "p95": round(pct(0.95), 2), "p99": round(pct(0.99), 2), "max": round(data[-1], 2),
                "mean": round(statistics.fmean(data), 2), "target": self.target}


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(next(line for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal")).split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    engine = sa.create_engine(sa.engine.make_url(database_url()).set(database="postgres"))
    with engine.connect() as conn:
        pg = conn.scalar(sa.text("SHOW server_version"))
    engine.dispose()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": memory, "python": platform.python_version(),
            "postgresql": pg}


def save(scenario: str, payload: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{scenario}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def figure_dict(figure: Figure) -> dict:
    return asdict(figure) | figure.summary()
