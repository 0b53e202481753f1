"""The platform as production runs it, started by the bench and stopped by it: gunicorn with
several sync workers, Redis for the shared login limits, and the scheduler process, all on the
bench's own PostgreSQL database, with production settings (APP_ENV=production).

Everything started here is stopped in `close()`, which `with Stack(...)` calls also on
Ctrl-C or an error. A Redis already listening on the port is used and left running."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.common import log

ROOT = Path(__file__).resolve().parent.parent
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", 6390))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Stack:
    def __init__(self, database_url: str, *, workers: int, logs: Path, port: int | None = None):
        self.database_url = database_url
        self.workers = workers
        self.port = port or free_port()
        self.logs = logs
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.redis_pidfile: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict:
        return {**os.environ, "APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
                "DATABASE_URL": self.database_url, "FLASK_APP": "run.py", "BENCH_BASELINE": "1",
                "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{REDIS_PORT}/3", "PYTHONPATH": str(ROOT)}

    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        out = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(argv, cwd=ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # our Ctrl-C handling stops it, in order
        self.processes.append((name, process))
        return process

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        if listening(REDIS_PORT):
            log(f"stack: Redis already listens on {REDIS_PORT}; using it")
        else:
            self.redis_pidfile = self.logs / "redis.pid"
            subprocess.run(["redis-server", "--port", str(REDIS_PORT), "--save", "", "--appendonly", "no",
                            "--daemonize", "yes", "--pidfile", str(self.redis_pidfile),
                            "--logfile", str(self.logs / "redis.log")], check=True)
            self._wait(lambda: listening(REDIS_PORT), "Redis")
            log(f"stack: started Redis on {REDIS_PORT}")
        self._spawn("gunicorn", [sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
                                 "--bind", f"127.0.0.1:{self.port}", "--timeout", "300",
                                 "--graceful-timeout", "5", "run:app"])
        self._wait(self._serving, "gunicorn")
        log(f"stack: gunicorn, {self.workers} sync workers, on {self.base_url}")
        self._spawn("scheduler", [sys.executable, "-m", "flask", "scheduler", "run"])
        time.sleep(1)
        self.check()
        log("stack: scheduler process running")

    def _serving(self) -> bool:
        self.check()
        try:
            with urllib.request.urlopen(f"{self.base_url}/static/css/app.css", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def check(self) -> None:
        """Raise if a process we started has died."""
        for name, process in self.processes:
            if process.poll() is not None:
                tail = (self.logs / f"{name}.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{tail}")

    @staticmethod
    def _wait(ready, what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            time.sleep(0.2)
        raise RuntimeError(f"{what} did not start within {timeout:.0f} s")

    def close(self) -> None:
        for name, process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                log(f"stack: stopped {name}")
        self.processes.clear()
        if self.redis_pidfile is not None:
            try:
                os.kill(int(self.redis_pidfile.read_text().strip()), signal.SIGTERM)
                log("stack: stopped Redis")
            except (OSError, ValueError):
                pass
            self.redis_pidfile = None
