"""Lesson page and heartbeat server time with 1,000 lessons and 1,000,000 trace rows."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from bench.common import Figure, fresh_database, log, make_app, timed

USERS, COURSES, MODULES, LESSONS_PER_MODULE, TRACES = 2000, 40, 5, 5, 1_000_000
PASSWORD = "bench-pass-1"
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
HANDBOOK = Path(__file__).resolve().parent.parent / "handbook"


def _lesson_text() -> str:
    """A real handbook lesson when there is one, so pages have realistic weight."""
    for path in sorted(HANDBOOK.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        parts = re.split(r"^## .*$", text, flags=re.M)
        if len(parts) > 1:
            return parts[1].strip()
    return "\n\n".join(f"### 第{i}节\n\n" + "党支部要按时召开支部党员大会、支部委员会会议和党小组会。" * 8
                       for i in range(8))


def seed(app) -> dict:
    from app.courses.markdown import render
    from app.extensions import db

    body = _lesson_text()
    rendered = render(body)
    with app.app_context():
        conn = db.session.connection()
        password = generate_password_hash(PASSWORD, method=app.config["PASSWORD_HASH_METHOD"])
        unit = conn.execute(sa.text("INSERT INTO org_units (name, kind, path, sort_order, created_at) "
                                    "VALUES ('组织部', 'department', '', 0, now()) RETURNING id")).scalar()
        conn.execute(sa.text("UPDATE org_units SET path = '/' || id || '/'"))
        conn.execute(sa.text(
            "INSERT INTO users (username, name, password_hash, active, must_change_password, auth_version, "
            "joined_on, org_unit_id, created_at) SELECT 'b' || g, '学员' || g, :pw, true, false, 1, "
            "date '2024-01-01', :unit, now() FROM generate_series(1, :n) g"),
            {"pw": password, "unit": unit, "n": USERS})
        conn.execute(sa.text("INSERT INTO user_roles (user_id, role) SELECT id, 'cadre' FROM users"))
        conn.execute(sa.text(
            "INSERT INTO courses (key, title, area, tier, summary, intro_html, sources, orientation, status, "
            "position, updated_at) SELECT 'bench-' || g, '课程' || g, 'organization', 'basic', '', '', "
            "'[]', false, 'published', g, now() FROM generate_series(1, :n) g"), {"n": COURSES})
        conn.execute(sa.text(
            "INSERT INTO course_modules (course_id, title, position, archived) "
            "SELECT c.id, '第' || m || '单元', m, false FROM courses c, generate_series(1, :n) m"),
            {"n": MODULES})
        conn.execute(sa.text(
            "INSERT INTO lessons (key, course_id, module_id, title, position, body_md, html, toc, min_seconds, "
            "status, version, source_hash, updated_at) SELECT 'bl-' || mo.id || '-' || l, mo.course_id, mo.id, "
            "'第' || l || '课', l, :md, :html, CAST(:toc AS jsonb), 240, 'published', 1, '', now() "
            "FROM course_modules mo, generate_series(1, :n) l"),
            {"md": body, "html": rendered.html, "toc": __import__("json").dumps(rendered.toc), "n": LESSONS_PER_MODULE})
        user_ids = conn.execute(sa.text("SELECT min(id), max(id) FROM users")).one()
        lesson_ids = conn.execute(sa.text("SELECT min(id), max(id) FROM lessons")).one()
        log("loading 1,000,000 traces")
        conn.execute(sa.text(
            "INSERT INTO traces (idempotency_key, actor_id, verb, object_type, object_id, object_name, "
            "duration_s, context, at, stored_at) SELECT 'bench:' || g, :u0 + g % :users, "
            "(ARRAY['opened','studied','studied','studied','completed'])[1 + g % 5], 'lesson', "
            ":l0 + g % :lessons, '第1课', CASE WHEN g % 5 IN (1, 2, 3) THEN 15 END, '{}', "
            "now() - g * interval '1 second', now() FROM generate_series(1, :n) g"),
            {"u0": user_ids[0], "users": USERS, "l0": lesson_ids[0], "lessons": COURSES * MODULES * LESSONS_PER_MODULE,
             "n": TRACES})
        conn.execute(sa.text(
            "INSERT INTO lesson_progress (user_id, lesson_id, seconds, reached_end, opened_at) "
            "SELECT :u0 + u, :l0 + (u * 7 + k * 13) % :lessons, 120, false, now() "
            "FROM generate_series(0, :users - 1) u, generate_series(1, 20) k"),
            {"u0": user_ids[0], "l0": lesson_ids[0], "lessons": COURSES * MODULES * LESSONS_PER_MODULE,
             "users": USERS})
        db.session.commit()
        counts = {table: db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))
                  for table in ("users", "lessons", "traces", "lesson_progress")}
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        return {"counts": counts, "users": list(user_ids), "lessons": list(lesson_ids)}


def run(url: str) -> dict:
    log("learning: fresh database and migrations")
    fresh_database(url)
    app = make_app(url)
    seconds, data = timed(lambda: seed(app))
    log(f"learning: loaded {data['counts']} in {seconds / 1000:.1f} s")
    first_lesson = data["lessons"][0]
    lesson_count = data["counts"]["lessons"]

    # Lesson page: 50 cadres logged in through the login form.
    readers = []
    for n in range(50):
        client = app.test_client()
        token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
        response = client.post("/login", data={"username": f"b{n + 1}", "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302, response.status_code
        readers.append(client)
    page = Figure("GET /lessons/{id} (lesson page)", "ms", target="p95 < 50 ms")
    for i in range(550):
        client = readers[i % len(readers)]
        lesson_id = first_lesson + (i * 37) % lesson_count
        ms, response = timed(lambda c=client, lid=lesson_id: c.get(f"/lessons/{lid}"))
        assert response.status_code == 200, response.status_code
        if i >= 50:  # warm-up first
            page.samples.append(ms)
    log(f"learning: lesson page p95 {page.summary()['p95']} ms")

    # Heartbeats: 200 cadres with bearer tokens, each beating on their own lesson; a
    # user's beats land about a second apart, so most of them credit time.
    beaters = []
    for n in range(200):
        client = app.test_client()
        body = client.post("/api/v1/auth/token", json={"username": f"b{n + 1}", "password": PASSWORD}).get_json()
        beaters.append((client, {"Authorization": f"Bearer {body['token']}"}, first_lesson + n % lesson_count))
    beat = Figure("POST /api/v1/lessons/{id}/heartbeat", "ms", target="p95 < 50 ms")
    credited = 0
    for i in range(1200):
        client, headers, lesson_id = beaters[i % len(beaters)]
        ms, response = timed(lambda c=client, h=headers, lid=lesson_id: c.post(
            f"/api/v1/lessons/{lid}/heartbeat", json={"visible": True}, headers=h))
        assert response.status_code == 200, response.status_code
        if i >= 200:
            beat.samples.append(ms)
            credited += response.get_json()["credited_seconds"] > 0
    log(f"learning: heartbeat p95 {beat.summary()['p95']} ms ({credited} of {len(beat.samples)} credited)")
    return {"data": data["counts"], "load_seconds": round(seconds / 1000, 1),
            "figures": [page, beat], "notes": {"heartbeats_that_credited": credited}}
