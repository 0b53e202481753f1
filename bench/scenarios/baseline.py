"""The floor of the stack, measured in the same run as everything else: a static file, and a
minimal view doing one authenticated INSERT (`POST /bench/insert`, app/benchmark.py)."""

from __future__ import annotations

from bench.scenarios import Scenario

STATIC_PATH = "/static/css/app.css"


def _static_users(ctx):
    from locust import FastHttpUser, constant, task

    class StaticFile(FastHttpUser):
        wait_time = constant(0)

        @task
        def static(self):
            self.client.get(STATIC_PATH, name="static")

    return [StaticFile]


def _insert_users(ctx):
    from locust import FastHttpUser, constant, task

    from bench.users import RoundRobin, bearer

    tokens = RoundRobin(ctx["cadre_tokens"])

    class InsertBaseline(FastHttpUser):
        wait_time = constant(0)

        @task
        def insert(self):
            self.client.post("/bench/insert", name="insert", headers=bearer(tokens.next()))

    return [InsertBaseline]


SCENARIOS = [
    Scenario("static", f"static file `GET {STATIC_PATH}`", _static_users),
    Scenario("insert", "baseline: one authenticated INSERT `POST /bench/insert`", _insert_users,
             data=lambda ctx: f"{len(ctx['cadre_tokens']):,} tokens"),
]
