"""`python -m bench inprocess [learning] [questions]`: the in-process figures (server time through
the whole Flask stack, no HTTP), printed as a table and saved as bench/results/inprocess-*.json."""

from __future__ import annotations

import sys
import time

from bench import learning, questions
from bench.common import database_url, figure_dict, log, machine, save

SCENARIOS = {"learning": learning.run, "questions": questions.run}


def main(names: list[str]) -> int:
    unknown = set(names) - set(SCENARIOS)
    if unknown:
        print(f"unknown scenario(s): {', '.join(sorted(unknown))}; choose from {', '.join(SCENARIOS)}")
        return 2
    url = database_url()
    box = machine()
    line = f"{box['cpu']}, {box['cores']} cores, {box['memory']}, PostgreSQL {box['postgresql']}, Python {box['python']}"
    rows = []
    for name in names or list(SCENARIOS):
        started = time.time()
        outcome = SCENARIOS[name](url)
        figures = [figure_dict(f) for f in outcome.pop("figures")]
        for f in figures:
            f.pop("samples")
        save(f"inprocess-{name}", {"machine": box, "date": time.strftime("%Y-%m-%d"), "figures": figures, **outcome,
                    "seconds": round(time.time() - started, 1)})
        rows += [(name, f, outcome.get("data", {})) for f in figures]
    print(f"\nMachine: {line}\n")
    print("| scenario | what | p50 | p95 | p99 | max | target | data |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, f, data in rows:
        unit = f["unit"]
        print(f"| {name} | {f['name']} | {f['p50']} {unit} | {f['p95']} {unit} | {f['p99']} {unit} | "
              f"{f['max']} {unit} | {f['target']} | {', '.join(f'{k} {v:,}' for k, v in data.items())} |")
    log("results saved in bench/results/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
