"""Question bank: importing a 10,000-question XLSX, and the filtered list with 50,000 questions."""

from __future__ import annotations

import io
import random

import sqlalchemy as sa
from openpyxl import Workbook

from bench.common import Figure, fresh_database, log, make_app, timed

PASSWORD = "bench-pass-1"
TYPES = ["单选题", "多选题", "判断题", "填空题", "简答题"]
LIST_QUERIES = ["?area=cadre&type=single_choice", "?status=published&tier=basic", "?q=党支部",
                "?area=organization&status=draft&page=3", "", "?type=essay&q=干部", "?lesson=1",
                "?tier=expert&area=supervision&type=multiple_choice"]


def spreadsheet(rows: int) -> bytes:
    rng = random.Random(1)
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["题目", "类型", "答案", "解析", "选项A", "选项B", "选项C", "选项D", "分值", "难度", "知识点"])
    for i in range(rows):
        kind = TYPES[i % len(TYPES)]
        stem = f"第{i + 1}题：关于党支部工作的表述（{rng.randint(0, 10 ** 9)}）"
        if kind == "单选题":
            row = [stem, kind, "B", "依据支部工作条例。", "每月", "每季度", "每半年", "每年", 1, 2, ""]
        elif kind == "多选题":
            row = [stem, kind, "ACD", "依据支部工作条例。", "支部党员大会", "民主生活会", "支部委员会会议", "党小组会", 2, 3, ""]
        elif kind == "判断题":
            row = [stem, kind, "对", "依据党章。", "", "", "", "", 1, 1, ""]
        elif kind == "填空题":
            row = [stem + "预备期为____。", kind, "一年|1年", "依据党章。", "", "", "", "", 1, 2, ""]
        else:
            row = [stem, kind, "参考答案要点。", "", "", "", "", "", 10, 4, ""]
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(url: str) -> dict:
    from app.accounts import services
    from app.extensions import db
    from app.timeutil import local_today

    log("questions: fresh database and migrations")
    fresh_database(url)
    app = make_app(url)
    with app.app_context():
        services.create_user(services.UserData("trainer", "培训管理员", None, ("trainer",), None), PASSWORD,
                             actor=None, today=local_today(), must_change_password=False)
        db.session.commit()
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "trainer", "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    data = spreadsheet(10_000)
    importing = Figure("POST /api/v1/question-imports, 10,000-row XLSX", "s", target="< 30 s")
    ms, response = timed(lambda: client.post(
        "/api/v1/question-imports", headers=headers, content_type="multipart/form-data",
        data={"file": (io.BytesIO(data), "bank.xlsx"), "format": "xlsx", "dry_run": "false",
              "status": "published"}))
    body = response.get_json()
    assert response.status_code == 200 and body["imported"] == 10_000, body if response.status_code == 200 else response.status_code
    importing.samples.append(ms / 1000)
    log(f"questions: imported 10,000 in {ms / 1000:.1f} s")

    with app.app_context():
        # 40,000 more, spread over areas, tiers and statuses, sharing the imported versions.
        db.session.execute(sa.text(
            "INSERT INTO questions (content_hash, type, area, tier, difficulty, usage, category, status, "
            "stem_text, version, current_version_id, created_at, updated_at) "
            "SELECT md5('bench' || g) || md5(g::text), q.type, "
            "(ARRAY['cadre','organization','supervision','remote_edu','informatization','self_building'])[1 + g % 6], "
            "(ARRAY['basic','intermediate','expert'])[1 + g % 3], 1 + g % 5, 'both', '', "
            "(ARRAY['draft','in_review','published','retired'])[1 + g % 4], q.stem_text || ' 干部' || g, 1, "
            "q.current_version_id, now(), now() - g * interval '1 second' "
            "FROM generate_series(1, 40000) g JOIN questions q ON q.id = (SELECT min(id) FROM questions) + g % 10000"))
        db.session.commit()
        total = db.session.scalar(sa.text("SELECT count(*) FROM questions"))
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    listing = Figure("GET /api/v1/questions (filters, search, paging)", "ms", target="p95 < 100 ms")
    for i in range(640):
        query = LIST_QUERIES[i % len(LIST_QUERIES)]
        ms, response = timed(lambda q=query: client.get(f"/api/v1/questions{q}", headers=headers))
        assert response.status_code == 200, response.status_code
        if i >= 40:
            listing.samples.append(ms)
    log(f"questions: list p95 {listing.summary()['p95']} ms over {total} questions")
    return {"data": {"questions": total}, "figures": [importing, listing]}
