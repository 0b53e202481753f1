"""The registry of load scenarios: one module each, listed in MODULES, run in this order.

A scenario module defines `SCENARIOS`, a list of `Scenario`. The orchestrator (bench.run)
imports these modules in its own process, so they must not import locust at the top: the
Locust users are built by `users(ctx)`, which runs only inside the Locust process
(bench.locustfile) and may import locust there.

To add one (exam day, leaderboard, item statistics, ledger posting and reconciliation):
write `bench/scenarios/<name>.py` with its `SCENARIOS`, seed what it needs in `prepare`
(or in bench/data.py if other scenarios share it), and add the module's name to MODULES.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

# Order matters: the question list runs on the bank the import filled.
MODULES = ["baseline", "me", "learning", "questions", "reports"]


@dataclass(frozen=True)
class Target:
    """What a scenario must reach; any of these that is set is checked."""

    ratio_to_static: float | None = None  # throughput at least this fraction of the static file's
    p95_ms: float | None = None
    max_s: float | None = None  # the slowest request, in seconds (one-shot jobs like an import)

    def describe(self) -> str:
        parts = []
        if self.ratio_to_static is not None:
            parts.append(f">= {self.ratio_to_static:g}x static")
        if self.p95_ms is not None:
            parts.append(f"p95 < {self.p95_ms:g} ms")
        if self.max_s is not None:
            parts.append(f"< {self.max_s:g} s")
        return ", ".join(parts)

    def missed(self, figures: dict) -> list[str]:
        """What was missed, each with its figure (empty when all is met)."""
        out = []
        ratio = figures.get("ratio_to_static")
        if self.ratio_to_static is not None and (ratio is None or ratio < self.ratio_to_static):
            out.append(f"{ratio}x static < {self.ratio_to_static:g}x")
        if self.p95_ms is not None and (figures["p95"] is None or figures["p95"] >= self.p95_ms):
            out.append(f"p95 {figures['p95']} ms >= {self.p95_ms:g} ms")
        if self.max_s is not None and (figures["max"] is None or figures["max"] / 1000 >= self.max_s):
            out.append(f"{figures['max']} ms >= {self.max_s:g} s")
        return out


@dataclass(frozen=True)
class Scenario:
    name: str  # unique, used on the command line (`python -m bench --only me,heartbeat`)
    title: str  # what the table shows
    users: Callable[[dict], list]  # ctx -> Locust User classes; runs in the Locust process only
    concurrency: int = 8  # Locust users
    seconds: int = 20  # at most this long (full scale; small scale runs a third of it)
    max_requests: int = 20_000  # and at most this many requests
    warmup_s: float = 1.0  # samples in the first seconds are not timed
    target: Target = field(default_factory=Target)
    prepare: Callable[[dict], None] | None = None  # ctx -> None; in the orchestrator, before the load
    data: Callable[[dict], str] = lambda ctx: ""  # ctx -> what the data column says


def load_all() -> list[Scenario]:
    """Every registered scenario, in order."""
    found: list[Scenario] = []
    for name in MODULES:
        found += importlib.import_module(f"bench.scenarios.{name}").SCENARIOS
    names = [s.name for s in found]
    assert len(names) == len(set(names)), f"duplicate scenario names: {names}"
    return found


def by_name(name: str) -> Scenario:
    for scenario in load_all():
        if scenario.name == name:
            return scenario
    raise KeyError(name)
