"""Shared fixtures. Every test that uses `app` runs once on SQLite (a temp file) and once
on PostgreSQL (TEST_DATABASE_URL, default the local socket database `test`). Without
PostgreSQL the second run is skipped, except under CI=true, where it fails."""

from __future__ import annotations

import contextvars
import os
import re
from datetime import date

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade

from app import create_app
from app.accounts import org, services
from app.accounts.models import OrgUnit, Post, User
from app.extensions import db as _db
from app.extensions import limiter

PASSWORD = "test-pass-123"
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg:///test")
IN_CI = os.environ.get("CI", "").lower() == "true"
TODAY = date(2026, 11, 25)


def _pg_reachable(url: str) -> str | None:
    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return str(exc)
    return None


def _reset_pg_schema(url: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgresql_only` (real concurrency, triggers SQLite lacks) are not
    collected for the SQLite database rather than skipped there."""
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if item.get_closest_marker("postgresql_only") and params.get("database_url") == "sqlite":
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> str:
    """A migrated, empty database of each backend, built once per session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = PG_URL
        problem = _pg_reachable(url)
        if problem:
            if IN_CI:
                pytest.fail(f"PostgreSQL is required under CI=true: {problem}")
            pytest.skip(f"PostgreSQL not reachable: {problem}")
        _reset_pg_schema(url)
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        _db.engine.dispose()
    return url


@pytest.fixture
def app_config() -> dict:
    """Overrides for create_app; a test module can redefine this fixture."""
    return {}


class IsolatedClient(FlaskClient):
    """A test client whose requests run outside the test's app context, so each request
    has its own `g` and database session, as in production."""

    def open(self, *args, **kwargs):
        # Buffered, so a streamed body is produced while its request context is alive.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app(database_url, app_config):
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url,
                      "RATELIMIT_STORAGE_URI": "memory://", **app_config})
    app.test_client_class = IsolatedClient
    with app.app_context():
        limiter.reset()
        yield app
        _db.session.remove()
        _truncate_all()
        _db.engine.dispose()


def _truncate_all() -> None:
    tables = [t for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_unit(db):
    def make(name: str = "组织部", parent: OrgUnit | None = None, kind: str = "section") -> OrgUnit:
        unit = org.create_unit(name, parent=parent, kind=kind)
        db.session.commit()
        return unit

    return make


@pytest.fixture
def make_post(db):
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, area: str = "cadre", code: str | None = None) -> Post:
        n = next(counter)
        post = services.create_post(code or f"post{n}", name or f"岗位{n}", area)
        db.session.commit()
        return post

    return make


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10_000))

    def make(**overrides) -> User:
        n = next(counter)
        password = overrides.pop("password", PASSWORD)
        data = services.UserData(
            username=overrides.pop("username", f"user{n}"),
            name=overrides.pop("name", f"用户{n}"),
            org_unit=overrides.pop("org_unit", None),
            roles=tuple(overrides.pop("roles", ("cadre",))),
            joined_on=overrides.pop("joined_on", date(2020, 1, 1)),
            post=overrides.pop("post", None),
        )
        user = services.create_user(data, password, actor=None, today=TODAY,
                                    must_change_password=overrides.pop("must_change_password", False))
        for key, value in overrides.items():
            setattr(user, key, value)
        db.session.commit()
        return user

    return make


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page like a browser would."""
    page = client.get(path)
    match = CSRF_META.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD, **extra):
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token, **extra})


def api_token(client, username: str, password: str = PASSWORD) -> dict:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def all_at_once(calls, timeout: float = 60) -> None:
    """Run each callable in its own thread, released together by a barrier, and wait for
    all of them: the way real concurrent requests are tested."""
    import threading

    barrier = threading.Barrier(len(calls))

    def released(call):
        barrier.wait()
        call()

    threads = [threading.Thread(target=released, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)


@pytest.fixture
def make_course(db):
    """A published course with one module, built without the handbook import."""
    from app.courses.models import Course, Module

    counter = iter(range(1, 10_000))

    def make(title: str | None = None, *, area: str = "cadre", key: str | None = None,
             orientation: bool = False, **overrides) -> Course:
        n = next(counter)
        course = Course(key=key or f"course-{n}", title=title or f"课程{n}", area=area,
                        orientation=orientation, position=n, **overrides)
        course.modules.append(Module(title="第一单元", position=1))
        db.session.add(course)
        db.session.commit()
        return course

    return make


@pytest.fixture
def make_lesson(db, make_course):
    """A published lesson in `course` (a new course when none is given)."""
    from app.courses.markdown import render
    from app.courses.models import Lesson

    counter = iter(range(1, 10_000))

    def make(course=None, *, title: str | None = None, body_md: str = "学习内容。",
             min_seconds: int = 60, key: str | None = None) -> Lesson:
        n = next(counter)
        course = course or make_course()
        rendered = render(body_md)
        lesson = Lesson(key=key or f"lesson-{n}", course=course, module=course.modules[0],
                        title=title or f"课节{n}", position=n, body_md=body_md, html=rendered.html,
                        toc=rendered.toc, min_seconds=min_seconds)
        db.session.add(lesson)
        db.session.commit()
        return lesson

    return make


@pytest.fixture
def make_question(db):
    """A question of any type, published unless `status` says otherwise. Defaults give a
    single choice keyed B; pass QuestionData fields to change it."""
    from app.questions import services as questions
    from app.questions.data import OptionData, QuestionData
    from app.timeutil import utcnow

    counter = iter(range(1, 100_000))

    def make(qtype: str = "single_choice", *, lesson=None, status: str = "published",
             **fields):
        n = next(counter)
        defaults: dict = {"stem": f"第{n}题：下列哪一项正确？", "area": "cadre", "tier": "basic",
                          "difficulty": 2, "explanation": f"解析{n}"}
        if qtype in ("single_choice", "multiple_choice"):
            defaults["options"] = [OptionData(k, f"选项{k}{n}") for k in "ABCD"]
            defaults["answer"] = "B" if qtype == "single_choice" else ["A", "C"]
        elif qtype == "true_false":
            defaults["stem"], defaults["answer"] = f"第{n}题的说法正确。", True
        elif qtype == "fill_blank":
            from app.questions.data import BlankAnswer

            defaults["stem"] = f"第{n}题：选拔任用的第一步是____。"
            defaults["blanks"] = [[BlankAnswer("动议"), BlankAnswer("分析研判和动议")]]
        elif qtype == "essay":
            defaults["stem"] = f"第{n}题：简述干部考察的主要环节。"
            defaults["reference_answer"] = "参考答案"
            defaults["rubric"] = [{"point": "要点一", "score": 1}]
        defaults.update(fields)
        for option in defaults.get("options", []):
            option.fraction = 1.0 if option.key in (defaults["answer"] if isinstance(
                defaults["answer"], list) else [defaults["answer"]]) else option.fraction
        data = QuestionData(type=qtype, **defaults)
        now = utcnow()
        question = questions.save(data, actor=None, now=now, lesson=lesson)
        if status == "published":
            questions.publish_on_import(question, actor=None, now=now)
        elif status == "in_review":
            question.status = "in_review"
        db.session.commit()
        return question

    return make


class QueryCounter:
    """Counts the SQL statements run while it is active (`with count_queries() as q: ...`)."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._record)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(db):
    return lambda: QueryCounter(db.engine)
