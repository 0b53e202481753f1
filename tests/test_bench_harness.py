"""The load bench's own logic (bench/): its registry, its figures and its targets. The bench
itself runs with `make bench`, not in the test suite."""

import subprocess
import sys

from bench.run import summarize
from bench.scenarios import MODULES, Target, load_all


def test_the_registry_loads_every_module_without_importing_locust():
    # Locust monkeypatches the standard library with gevent when imported: only the Locust
    # process may import it, so the scenarios import it inside their `users`.
    code = ("import sys; from bench.scenarios import load_all; names = [s.name for s in load_all()]; "
            "assert 'locust' not in sys.modules and 'gevent' not in sys.modules; print(','.join(names))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    names = out.strip().split(",")
    assert names[:2] == ["static", "insert"]  # the floors run first
    assert {"me", "heartbeat", "lesson-page", "question-import", "question-list", "report-town",
            "report-county"} <= set(names)
    assert len(load_all()) == len(names) and MODULES[0] == "baseline"


def test_figures_leave_out_the_warmup_and_count_every_error():
    # [finished at, ms, ok, sql, status]
    samples = [[100.0 + i * 0.1, 10.0 + i, i != 5, 3, 200] for i in range(40)]
    figures = summarize(samples, warmup_s=1.0)
    assert figures["requests"] == 40 and figures["errors"] == 1
    assert figures["n"] < 40  # the first second is not timed
    assert figures["p50"] <= figures["p95"] <= figures["p99"] <= figures["max"] == 49.0
    assert figures["sql_mean"] == 3 and figures["rps"] > 0
    assert summarize([], warmup_s=1.0)["n"] == 0


def test_a_missed_target_says_its_figure():
    target = Target(ratio_to_static=0.35, p95_ms=100)
    assert target.missed({"ratio_to_static": 0.5, "p95": 20.0}) == []
    missed = target.missed({"ratio_to_static": 0.2, "p95": 150.0})
    assert missed == ["0.2x static < 0.35x", "p95 150.0 ms >= 100 ms"]
    assert Target(max_s=30).missed({"max": 31_000.0}) == ["31000.0 ms >= 30 s"]
    assert Target().describe() == "" and Target().missed({"p95": 1.0}) == []
