"""Study: lesson heartbeats from many cadres (each beat credits time and writes a trace), and
the lesson page of logged-in cadres."""

from __future__ import annotations

from bench.scenarios import Scenario, Target

PAGE_CONCURRENCY = 8


def _heartbeat_users(ctx):
    from locust import FastHttpUser, constant, task

    from bench.users import RoundRobin, bearer

    # Each token's cadre beats on their own lesson; round-robin over all of them puts a
    # cadre's beats seconds apart, so every beat credits time (their clock was started when
    # the data was loaded).
    beaters = RoundRobin(zip(ctx["cadre_tokens"], ctx["cadre_lessons"], strict=True))

    class Heartbeat(FastHttpUser):
        wait_time = constant(0)

        @task
        def beat(self):
            token, lesson_id = beaters.next()
            self.client.post(f"/api/v1/lessons/{lesson_id}/heartbeat", name="heartbeat",
                             json={"visible": True}, headers=bearer(token))

    return [Heartbeat]


def _log_readers_in(ctx) -> None:
    from bench.users import session_login

    ctx["reader_sessions"] = [session_login(ctx["base_url"], name, ctx["password"])
                              for name in ctx["readers"][:PAGE_CONCURRENCY]]


def _page_users(ctx):
    from locust import FastHttpUser, constant, task

    from bench.users import RoundRobin

    sessions = RoundRobin(ctx["reader_sessions"])
    lessons = ctx["lessons"]

    class LessonPage(FastHttpUser):
        wait_time = constant(0)

        def on_start(self):
            self.headers = sessions.next()
            self.n = 0

        @task
        def page(self):
            self.n += 1
            lesson_id = lessons[0] + (self.n * 37) % (lessons[1] - lessons[0] + 1)
            self.client.get(f"/lessons/{lesson_id}", name="lesson page", headers=self.headers)

    return [LessonPage]


def _data(ctx) -> str:
    c = ctx["counts"]
    return f"{c['lessons']:,} lessons, {c['traces']:,} traces"


SCENARIOS = [
    Scenario("heartbeat", "heartbeat `POST /api/v1/lessons/{id}/heartbeat`", _heartbeat_users,
             target=Target(ratio_to_static=0.25), data=_data),
    Scenario("lesson-page", "lesson page `GET /lessons/{id}` (session)", _page_users,
             concurrency=PAGE_CONCURRENCY, prepare=_log_readers_in, data=_data),
]
