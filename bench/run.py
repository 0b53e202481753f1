"""The load bench: build the data, start the platform as production runs it (bench.stack), put
each registered scenario (bench.scenarios) under load from a separate Locust process over real
HTTP to 127.0.0.1, and report p50/p95/p99, throughput, errors and SQL statements per request,
each throughput also as a ratio to the static file and to the one-INSERT baseline."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import RESULTS, database_url, fresh_database, log, machine, make_app, save
from bench.data import SCALES, seed
from bench.scenarios import Scenario, load_all
from bench.stack import ROOT, Stack


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def percentile(data: list[float], p: float) -> float:
    return data[min(len(data) - 1, int(round(p * (len(data) - 1))))]


def summarize(samples: list[list], warmup_s: float) -> dict:
    """Figures from the Locust process's samples: [finished at, ms, ok, sql, status]."""
    if not samples:
        return {"n": 0, "errors": 0, "requests": 0, "p50": None, "p95": None, "p99": None, "max": None, "rps": None,
                "sql_mean": None, "sql_max": None}
    samples.sort(key=lambda s: s[0])
    start = samples[0][0] - samples[0][1] / 1000
    timed = [s for s in samples if s[0] >= start + warmup_s] or samples
    if len(timed) < 10:
        timed = samples
    ms = sorted(s[1] for s in timed)
    span = timed[-1][0] - (timed[0][0] - timed[0][1] / 1000)
    sql = [s[3] for s in timed if s[2] and s[3] is not None]
    return {"n": len(timed), "errors": sum(not s[2] for s in samples), "requests": len(samples),
            "p50": round(percentile(ms, 0.50), 1), "p95": round(percentile(ms, 0.95), 1),
            "p99": round(percentile(ms, 0.99), 1), "max": round(ms[-1], 1),
            "rps": round(len(timed) / span, 1) if span > 0 else None,
            "sql_mean": round(sum(sql) / len(sql), 1) if sql else None, "sql_max": max(sql) if sql else None,
            "statuses": sorted({s[4] for s in samples if s[4] is not None})}


def run_locust(scenario: Scenario, stack: Stack, ctx_path: Path, work: Path, seconds: int) -> list[list]:
    out = work / f"{scenario.name}.samples.json"
    argv = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
            "-u", str(scenario.concurrency), "-r", str(scenario.concurrency), "-t", f"{seconds}s",
            "--host", stack.base_url, "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10",
            "--exit-code-on-error", "0"]
    env = {**os.environ, "BENCH_SCENARIO": scenario.name, "BENCH_CONTEXT": str(ctx_path),
           "BENCH_OUT": str(out), "PYTHONPATH": str(ROOT)}
    with open(work / f"locust-{scenario.name}.log", "wb") as logfile:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=logfile, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            process.wait(timeout=seconds + 180)
        except BaseException:
            process.kill()
            process.wait()
            raise
    if not out.exists():
        tail = (work / f"locust-{scenario.name}.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"locust wrote no samples for {scenario.name}:\n{tail}")
    return json.loads(out.read_text())["samples"]


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return ""


def table(rows: list[dict]) -> str:
    lines = ["| scenario | data | requests | p50 | p95 | p99 | req/s | x static | x insert | SQL/req | errors "
             "| target |", "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]

    def num(value, unit=""):
        return "" if value is None else f"{value:,}{unit}"

    for r in rows:
        verdict = r["target"] and ("MISSED: " + "; ".join(r["missed"]) if r["missed"] else f"met ({r['target']})")
        lines.append(f"| {r['title']} | {r['data']} | {num(r['requests'])} | {num(r['p50'], ' ms')} | "
                     f"{num(r['p95'], ' ms')} | {num(r['p99'], ' ms')} | {num(r['rps'])} | "
                     f"{num(r['ratio_to_static'], 'x')} | {num(r['ratio_to_insert'], 'x')} | "
                     f"{num(r['sql_mean'])} | {r['errors']} | {verdict or ''} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default=os.environ.get("SCALE") or "full")
    parser.add_argument("--only", default="", help="comma-separated scenario names (static and insert always run)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 4)))
    args = parser.parse_args(argv)
    scenarios = load_all()
    if args.only:
        wanted = set(args.only.split(",")) | {"static", "insert"}
        unknown = wanted - {s.name for s in scenarios}
        if unknown:
            print(f"unknown scenario(s) {sorted(unknown)}; choose from {[s.name for s in scenarios]}")
            return 2
        scenarios = [s for s in scenarios if s.name in wanted]
    # Ctrl-C and SIGTERM both stop the run and everything it started (SIGINT explicitly: a shell
    # that starts the bench in the background would otherwise leave it ignored).
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    scale = SCALES[args.scale]
    url = database_url()
    box = machine() | {"loadavg_at_start": _loadavg()}
    started = time.time()
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    log(f"bench: scale {args.scale}, database {url}, work files in {work}")

    fresh_database(url)
    app = make_app(url)
    from app.benchmark import create_table
    from app.extensions import db

    with app.app_context():
        create_table(db.engine)
        db.engine.dispose()
    seconds_load, ctx = time.time(), seed(url, scale)
    log(f"data: {ctx['counts']} in {time.time() - seconds_load:.0f} s")
    ctx |= {"scale": scale, "database_url": url, "import_file": str(work / "import.xlsx")}
    ctx_path = work / "context.json"

    rows: list[dict] = []
    try:
        with Stack(url, workers=args.workers, logs=work) as stack:
            ctx["base_url"] = stack.base_url
            for scenario in scenarios:
                if scenario.prepare is not None:
                    scenario.prepare(ctx)
                ctx_path.write_text(json.dumps(ctx, ensure_ascii=False), encoding="utf-8")
                seconds = scenario.seconds if args.scale == "full" else max(5, scenario.seconds // 3)
                load_before = _loadavg()
                figures = summarize(run_locust(scenario, stack, ctx_path, work, seconds), scenario.warmup_s)
                stack.check()
                row = {"name": scenario.name, "title": scenario.title, "data": scenario.data(ctx),
                       "concurrency": scenario.concurrency, **figures, "loadavg": [load_before, _loadavg()]}
                rows.append(row)
                log(f"{scenario.name}: {figures['n']} timed, p95 {figures['p95']} ms, {figures['rps']} req/s, "
                    f"{figures['errors']} errors, {figures['sql_mean']} SQL/req (load {row['loadavg'][1]})")
    except KeyboardInterrupt:
        log("bench: interrupted; everything it started is stopped")
        return 130

    floors = {r["name"]: r["rps"] for r in rows}
    for r, scenario in zip(rows, scenarios, strict=True):
        for key, floor in (("ratio_to_static", floors.get("static")), ("ratio_to_insert", floors.get("insert"))):
            r[key] = round(r["rps"] / floor, 2) if r["rps"] and floor else None
        r["target"] = scenario.target.describe()
        r["missed"] = scenario.target.missed(r)
    path = save(f"load-{args.scale}", {"machine": box, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                       "scale": args.scale, "scale_parameters": scale, "workers": args.workers,
                                       "data": ctx["counts"], "loadavg_at_end": _loadavg(),
                                       "seconds": round(time.time() - started), "results": rows})
    print(f"\nMachine: {box['cpu']}, {box['cores']} cores, {box['memory']}, PostgreSQL {box['postgresql']}, "
          f"Python {box['python']}; gunicorn {args.workers} sync workers; load average at start "
          f"{box['loadavg_at_start']}, at end {_loadavg()}\n")
    print(table(rows))
    missed = [r["name"] for r in rows if r["missed"]]
    print(f"\n{len(missed)} target(s) MISSED: {', '.join(missed)}" if missed else "\nEvery target met.")
    log(f"results saved in {path.relative_to(RESULTS.parent.parent)}")
    return 0
