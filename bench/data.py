"""The bench's data at a chosen scale, loaded with `generate_series` straight into the migrated
bench database, and the context (tokens, ids, credentials) the Locust users read.

full: a county of 10,000 cadres in 20 towns (one town of 600), 1,000 lessons, 1,000,000
trace rows, 200,000 progress rows, a 10,000-row import and a bank of 50,000 questions.
small: a tenth of it, for trying the harness out."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from pathlib import Path

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from bench.common import log

SCALES = {
    "full": {"cadres": 10_000, "town_cadres": 600, "towns": 20, "courses": 40, "modules": 5,
             "lessons_per_module": 5, "traces": 1_000_000, "progress_per_cadre": 20, "tokens": 2_000,
             "readers": 50, "import_rows": 10_000, "questions": 50_000},
    "small": {"cadres": 1_000, "town_cadres": 60, "towns": 10, "courses": 8, "modules": 5,
              "lessons_per_module": 5, "traces": 100_000, "progress_per_cadre": 10, "tokens": 300,
              "readers": 20, "import_rows": 1_000, "questions": 5_000},
}
PASSWORD = "bench-pass-1"
HANDBOOK = Path(__file__).resolve().parent.parent / "handbook"
POSTS = [("cadre", "干部工作岗"), ("organization", "组织工作岗"), ("supervision", "干部监督岗"),
         ("remote_edu", "远程教育岗"), ("informatization", "信息工作岗")]


def lesson_text() -> str:
    """A real handbook lesson when there is one, so pages have realistic weight."""
    for path in sorted(HANDBOOK.glob("*.md")):
        parts = re.split(r"^## .*$", path.read_text(encoding="utf-8"), flags=re.M)
        if len(parts) > 1:
            return parts[1].strip()
    return "\n\n".join(f"### 第{i}节\n\n" + "党支部要按时召开支部党员大会、支部委员会会议和党小组会。" * 8
                       for i in range(8))


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()  # as app.accounts.tokens stores them


def seed(url: str, scale: dict, password_method: str = "scrypt") -> dict:
    """Load the data; return the context for the scenarios (JSON-serializable)."""
    from app.courses.markdown import render

    rendered = render(lesson_text())
    engine = sa.create_engine(url)
    pw = generate_password_hash(PASSWORD, method=password_method)  # production's cost
    lessons_n = scale["courses"] * scale["modules"] * scale["lessons_per_module"]
    with engine.begin() as conn:
        def run(sql: str, **params):
            return conn.execute(sa.text(sql), params)

        root = run("INSERT INTO org_units (name, kind, path, sort_order, created_at) "
                   "VALUES ('组织部', 'department', '', 0, now()) RETURNING id").scalar()
        run("INSERT INTO org_units (name, kind, parent_id, path, sort_order, created_at) "
            "SELECT '第' || g || '镇', 'town', :root, '', g, now() FROM generate_series(1, :n) g",
            root=root, n=scale["towns"])
        run("UPDATE org_units SET path = CASE WHEN parent_id IS NULL THEN '/' || id || '/' "
            "ELSE '/' || parent_id || '/' || id || '/' END")
        towns = [r[0] for r in run("SELECT id FROM org_units WHERE parent_id = :root ORDER BY sort_order",
                                   root=root)]
        # The first town_cadres cadres live in the first town; the others are spread over the rest.
        run("INSERT INTO users (username, name, password_hash, active, must_change_password, auth_version, "
            "joined_on, org_unit_id, created_at) SELECT 'c' || g, '学员' || g, :pw, true, false, 1, "
            "date '2024-01-01' + (g % 900), CASE WHEN g <= :town THEN :first "
            "ELSE (CAST(:others AS integer[]))[1 + g % :n_others] END, now() "
            "FROM generate_series(1, :n) g",
            pw=pw, town=scale["town_cadres"], first=towns[0], others=towns[1:], n_others=len(towns) - 1,
            n=scale["cadres"])
        run("INSERT INTO user_roles (user_id, role) SELECT id, 'cadre' FROM users")
        for username, name, role, unit in (("trainer", "培训管理员", "trainer", root),
                                           ("manager_town", "第1镇组织委员", "manager", towns[0]),
                                           ("manager_county", "部领导", "manager", root)):
            uid = run("INSERT INTO users (username, name, password_hash, active, must_change_password, "
                      "auth_version, joined_on, org_unit_id, created_at) VALUES (:u, :name, :pw, true, false, 1, "
                      "date '2020-01-01', :unit, now()) RETURNING id", u=username, name=name, pw=pw,
                      unit=unit).scalar()
            run("INSERT INTO user_roles (user_id, role) VALUES (:uid, :role)", uid=uid, role=role)

        for i, (area, name) in enumerate(POSTS):
            run("INSERT INTO posts (code, name, area, description, active) VALUES (:c, :n, :a, '', true)",
                c=f"post{i + 1}", n=name, a=area)
        run("INSERT INTO post_assignments (user_id, post_id, start_date) "
            "SELECT u.id, (SELECT min(id) FROM posts) + u.id % :posts, date '2024-01-01' "
            "FROM users u WHERE u.username LIKE 'c%'", posts=len(POSTS))

        run("INSERT INTO courses (key, title, area, tier, summary, intro_html, sources, orientation, status, "
            "position, updated_at) SELECT 'bench-' || g, '课程' || g, "
            "(ARRAY['cadre','organization','supervision','remote_edu','informatization'])[1 + g % 5], 'basic', '', "
            "'', '[]', false, 'published', g, now() FROM generate_series(1, :n) g", n=scale["courses"])
        run("INSERT INTO course_modules (course_id, title, position, archived) "
            "SELECT c.id, '第' || m || '单元', m, false FROM courses c, generate_series(1, :n) m", n=scale["modules"])
        run("INSERT INTO lessons (key, course_id, module_id, title, position, body_md, html, toc, min_seconds, "
            "status, version, source_hash, updated_at) SELECT 'bl-' || mo.id || '-' || l, mo.course_id, mo.id, "
            "'第' || l || '课', l, :md, :html, CAST(:toc AS jsonb), 240, 'published', 1, '', now() "
            "FROM course_modules mo, generate_series(1, :n) l",
            md=lesson_text(), html=rendered.html, toc=json.dumps(rendered.toc), n=scale["lessons_per_module"])
        # Each post requires the courses of its area; every cadre is also assigned one course,
        # due last month, so the report has overdue items.
        run("INSERT INTO post_courses (post_id, course_id) SELECT p.id, c.id FROM posts p JOIN courses c "
            "ON c.area = p.area")
        run("INSERT INTO course_assignments (course_id, org_unit_id, due_on, created_at) "
            "SELECT min(id), :root, current_date - 30, now() FROM courses", root=root)

        u0, u1 = run("SELECT min(id), max(id) FROM users WHERE username LIKE 'c%'").one()
        l0, l1 = run("SELECT min(id), max(id) FROM lessons").one()
        log(f"data: loading {scale['traces']:,} traces")
        run("INSERT INTO traces (idempotency_key, actor_id, verb, object_type, object_id, object_name, "
            "duration_s, context, at, stored_at) SELECT 'bench:' || g, :u0 + g % :users, "
            "(ARRAY['opened','studied','studied','studied','completed'])[1 + g % 5], 'lesson', "
            ":l0 + g % :lessons, '第1课', CASE WHEN g % 5 IN (1, 2, 3) THEN 15 END, '{}', "
            "now() - g * interval '1 second', now() FROM generate_series(1, :n) g",
            u0=u0, users=scale["cadres"], l0=l0, lessons=lessons_n, n=scale["traces"])
        run("INSERT INTO lesson_progress (user_id, lesson_id, seconds, reached_end, opened_at, completed_at) "
            "SELECT :u0 + u, :l0 + (u * 7 + k * 13) % :lessons, CASE WHEN k % 3 = 0 THEN 240 ELSE 120 END, "
            "k % 3 = 0, now(), CASE WHEN k % 3 = 0 THEN now() END "
            "FROM generate_series(0, :users - 1) u, generate_series(1, :k) k ON CONFLICT DO NOTHING",
            u0=u0, l0=l0, lessons=lessons_n, users=scale["cadres"], k=scale["progress_per_cadre"])

        # Bearer tokens for the first cadres, each with their own lesson and a study clock that
        # started on it a little while ago, so their first beat already credits time.
        raw = [f"bench-{i}-{secrets.token_urlsafe(16)}" for i in range(scale["tokens"])]
        token_users = list(range(u0, u0 + scale["tokens"]))
        conn.execute(sa.text("INSERT INTO api_tokens (user_id, token_hash, created_at, expires_at) "
                             "VALUES (:u, :h, now(), now() + interval '7 days')"),
                     [{"u": uid, "h": _digest(t)} for uid, t in zip(token_users, raw, strict=True)])
        token_lessons = [l0 + (uid - u0) % lessons_n for uid in token_users]
        conn.execute(sa.text("INSERT INTO study_clocks (user_id, lesson_id, last_beat_at) "
                             "VALUES (:u, :l, now() - interval '20 seconds')"),
                     [{"u": uid, "l": lid} for uid, lid in zip(token_users, token_lessons, strict=True)])
        conn.execute(sa.text("INSERT INTO lesson_progress (user_id, lesson_id, seconds, reached_end, opened_at) "
                             "VALUES (:u, :l, 0, false, now()) ON CONFLICT DO NOTHING"),
                     [{"u": uid, "l": lid} for uid, lid in zip(token_users, token_lessons, strict=True)])
        trainer_raw = f"bench-trainer-{secrets.token_urlsafe(16)}"
        run("INSERT INTO api_tokens (user_id, token_hash, created_at, expires_at) "
            "SELECT id, :h, now(), now() + interval '7 days' FROM users WHERE username = 'trainer'",
            h=_digest(trainer_raw))
        counts = {table: conn.scalar(sa.text(f"SELECT count(*) FROM {table}"))
                  for table in ("users", "lessons", "traces", "lesson_progress")}
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    engine.dispose()
    readers = [f"c{scale['tokens'] + 1 + i}" for i in range(scale["readers"])]  # not token holders
    return {"counts": counts, "password": PASSWORD, "cadre_tokens": raw, "cadre_lessons": token_lessons,
            "trainer_token": trainer_raw, "readers": readers, "lessons": [l0, l1], "users": [u0, u1],
            "manager_town": "manager_town", "manager_county": "manager_county"}
