"""The question bank: importing a generated XLSX (10,000 rows at full scale) through the API,
then the filtered list on a bank filled up to 50,000 questions."""

from __future__ import annotations

from pathlib import Path

from bench.scenarios import Scenario, Target

LIST_QUERIES = ["?area=cadre&type=single_choice", "?status=published&tier=basic", "?q=党支部",
                "?area=organization&status=draft&page=3", "", "?type=essay&q=干部", "?lesson=1",
                "?tier=expert&area=supervision&type=multiple_choice"]


def _write_spreadsheet(ctx) -> None:
    from bench.questions import spreadsheet

    Path(ctx["import_file"]).write_bytes(spreadsheet(ctx["scale"]["import_rows"]))


def _import_users(ctx):
    from locust import HttpUser, constant, task
    from locust.exception import StopUser

    from bench.users import bearer

    class QuestionImport(HttpUser):
        wait_time = constant(0)

        @task
        def upload(self):
            with open(ctx["import_file"], "rb") as handle:
                self.client.post("/api/v1/question-imports", name="import", headers=bearer(ctx["trainer_token"]),
                                 files={"file": ("bank.xlsx", handle)},
                                 data={"format": "xlsx", "dry_run": "false", "status": "published"},
                                 timeout=300)
            raise StopUser  # one import, timed once; a second would run on after the load stops

    return [QuestionImport]


def _fill_bank(ctx) -> None:
    """More questions, spread over areas, tiers and statuses, sharing the imported versions."""
    import sqlalchemy as sa

    engine = sa.create_engine(ctx["database_url"])
    with engine.begin() as conn:
        imported = conn.scalar(sa.text("SELECT count(*) FROM questions"))
        more = max(0, ctx["scale"]["questions"] - imported)
        conn.execute(sa.text(
            "INSERT INTO questions (content_hash, type, area, tier, difficulty, usage, category, status, "
            "stem_text, version, current_version_id, created_at, updated_at) "
            "SELECT md5('bench' || g) || md5(g::text), q.type, "
            "(ARRAY['cadre','organization','supervision','remote_edu','informatization','self_building'])[1 + g % 6], "
            "(ARRAY['basic','intermediate','expert'])[1 + g % 3], 1 + g % 5, 'both', '', "
            "(ARRAY['draft','in_review','published','retired'])[1 + g % 4], q.stem_text || ' 干部' || g, 1, "
            "q.current_version_id, now(), now() - g * interval '1 second' "
            "FROM generate_series(1, :more) g JOIN questions q "
            "ON q.id = (SELECT min(id) FROM questions) + g % :imported"), {"more": more, "imported": max(imported, 1)})
        ctx["counts"]["questions"] = conn.scalar(sa.text("SELECT count(*) FROM questions"))
        conn.execute(sa.text("ANALYZE questions"))
    engine.dispose()


def _list_users(ctx):
    from locust import FastHttpUser, constant, task

    from bench.users import RoundRobin, bearer

    queries = RoundRobin(LIST_QUERIES)

    class QuestionList(FastHttpUser):
        wait_time = constant(0)

        @task
        def listing(self):
            self.client.get(f"/api/v1/questions{queries.next()}", name="question list",
                            headers=bearer(ctx["trainer_token"]))

    return [QuestionList]


SCENARIOS = [
    Scenario("question-import", "import an XLSX `POST /api/v1/question-imports`", _import_users,
             concurrency=1, max_requests=1, seconds=240, warmup_s=0, target=Target(max_s=30),
             prepare=_write_spreadsheet, data=lambda ctx: f"{ctx['scale']['import_rows']:,} rows, empty bank"),
    Scenario("question-list", "question list `GET /api/v1/questions` (filters, search, paging)", _list_users,
             target=Target(p95_ms=100), prepare=_fill_bank,
             data=lambda ctx: f"{ctx['counts'].get('questions', 0):,} questions"),
]
