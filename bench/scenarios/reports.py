"""Managers' completion report (`GET /reports/completion`, the HTML page) for one town's
cadres (600 at full scale) and for the whole county (10,000 at full scale)."""

from __future__ import annotations

from bench.scenarios import Scenario, Target


def _log_in(manager_key: str):
    def prepare(ctx) -> None:
        from bench.users import session_login

        ctx[f"{manager_key}_session"] = session_login(ctx["base_url"], ctx[manager_key], ctx["password"])

    return prepare


def _report_users(manager_key: str):
    def users(ctx):
        from locust import FastHttpUser, constant, task

        class CompletionReport(FastHttpUser):
            wait_time = constant(0)
            network_timeout = 120.0
            connection_timeout = 120.0

            def on_start(self):
                self.headers = ctx[f"{manager_key}_session"]

            @task
            def report(self):
                self.client.get("/reports/completion", name="completion report", headers=self.headers)

        return [CompletionReport]

    return users


SCENARIOS = [
    Scenario("report-town", "completion report `GET /reports/completion`, one town", _report_users("manager_town"),
             prepare=_log_in("manager_town"), concurrency=2, max_requests=200, target=Target(p95_ms=2000),
             data=lambda ctx: f"{ctx['scale']['town_cadres']:,} cadres"),
    Scenario("report-county", "completion report `GET /reports/completion`, whole county",
             _report_users("manager_county"), prepare=_log_in("manager_county"), concurrency=2, max_requests=40, seconds=40, warmup_s=0,
             target=Target(p95_ms=10_000), data=lambda ctx: f"{ctx['scale']['cadres']:,} cadres"),
]
