"""The Locust process of one scenario: `locust -f bench/locustfile.py` with BENCH_SCENARIO,
BENCH_CONTEXT (the JSON the bench wrote: tokens, ids, credentials) and BENCH_OUT (where to
write every timed request). bench.run starts it; it is not meant to be run by hand.

Locust's own statistics are not used: each request's time, outcome and X-SQL-Count header go
to BENCH_OUT, and the bench computes exact percentiles from them. Requests named `setup:...`
are not timed. The run stops at its time limit or its request budget."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import gevent
from locust import events

import bench
from bench.scenarios import by_name

CTX = json.loads(Path(os.environ["BENCH_CONTEXT"]).read_text(encoding="utf-8"))
SCENARIO = by_name(os.environ["BENCH_SCENARIO"])
LIMIT = int(os.environ.get("BENCH_MAX_REQUESTS", SCENARIO.max_requests))
# Locust may import this file more than once; the user classes are built once per process
# (kept on the `bench` package, which is imported only once).
_built = bench.__dict__.setdefault("_locust_users", {})
if SCENARIO.name not in _built:
    _built[SCENARIO.name] = SCENARIO.users(CTX)
globals().update({cls.__name__: cls for cls in _built[SCENARIO.name]})

_samples: list[list] = []  # [finished at (epoch s), ms, ok, sql statements or None, status]
_state: dict = {}


@events.init.add_listener
def _init(environment, **_):
    _state["env"] = environment


@events.request.add_listener
def _request(request_type, name, response_time, response_length, response=None, exception=None, **_):
    if name.startswith("setup:") or len(_samples) >= LIMIT:
        return
    sql, status = None, None
    if response is not None:
        status = getattr(response, "status_code", None)
        header = response.headers.get("X-SQL-Count") if response.headers is not None else None
        sql = int(header) if header and header.isdigit() else None
    _samples.append([time.time(), response_time, exception is None, sql, status])
    if len(_samples) == LIMIT and "env" in _state:
        gevent.spawn(_state["env"].runner.quit)


@events.quitting.add_listener
def _write(**_):
    Path(os.environ["BENCH_OUT"]).write_text(json.dumps({"samples": _samples}), encoding="utf-8")
