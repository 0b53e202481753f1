"""`GET /api/v1/me` with a bearer token: the cost of authenticating a request."""

from __future__ import annotations

from bench.scenarios import Scenario, Target


def _users(ctx):
    from locust import FastHttpUser, constant, task

    from bench.users import RoundRobin, bearer

    tokens = RoundRobin(ctx["cadre_tokens"])

    class Me(FastHttpUser):
        wait_time = constant(0)

        @task
        def me(self):
            self.client.get("/api/v1/me", name="me", headers=bearer(tokens.next()))

    return [Me]


SCENARIOS = [
    Scenario("me", "`GET /api/v1/me` (bearer token)", _users, target=Target(ratio_to_static=0.35),
             data=lambda ctx: f"{ctx['counts']['users']:,} users"),
]
