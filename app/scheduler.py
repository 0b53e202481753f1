"""APScheduler wiring and the job table.

The scheduler runs in a process of its own (`flask scheduler run`), never inside web
workers. Jobs live in `<feature>/tasks.py` as plain functions of `now` that do their work
in the current session and return a one-line summary; this module decides when they run.

A periodic job runs at most once per period (a day, a quarter...): the work and a
`job_runs` row, unique on (job, period), commit in one transaction, so a job that fails
leaves nothing behind and is retried at its next firing, and one that succeeded is not
repeated. An "every N seconds" job (`every_s`) writes no `job_runs` row: it must be
idempotent by construction (submitting overdue attempts is a compare-and-swap), and simply
runs again at its next firing. On PostgreSQL a transaction-scoped advisory lock keeps two
scheduler processes from running the same job at the same time; on SQLite the database's
single writer does.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.accounts import tasks as accounts_tasks
from app.courses import tasks as courses_tasks
from app.db import UTCDateTime, is_unique_violation
from app.exams import tasks as exams_tasks
from app.extensions import db
from app.ledger import tasks as ledger_tasks
from app.timeutil import LOCAL_TZ, utcnow

log = logging.getLogger(__name__)


def daily(now: datetime) -> str:
    """The Asia/Shanghai calendar day `now` falls in, e.g. `2026-11-25`."""
    return now.astimezone(LOCAL_TZ).date().isoformat()


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[datetime], str]
    cron: dict[str, Any] = field(default_factory=dict)  # CronTrigger fields, Asia/Shanghai
    period: Callable[[datetime], str] = daily
    description: str = ""
    every_s: int | None = None  # run every N seconds instead of on `cron`, with no job_runs row

    @property
    def schedule(self) -> str:
        if self.every_s is not None:
            return f"every {self.every_s} s"
        return ", ".join(f"{k}={v}" for k, v in self.cron.items()) + ", Asia/Shanghai"


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("accounts.purge_api_tokens", accounts_tasks.purge_api_tokens,
            cron={"hour": 3, "minute": 10},
            description="Delete API tokens that expired or were revoked over 30 days ago."),
        Job("ledger.study_streaks", ledger_tasks.settle_streaks, cron={"hour": 0, "minute": 20},
            description="Award 7-day study streaks that ended yesterday (Asia/Shanghai)."),
        Job("ledger.reconcile", ledger_tasks.reconcile, cron={"hour": 3, "minute": 40},
            description="Rebuild every points balance from the entries and report differences."),
        Job("courses.close_stale_sittings", courses_tasks.close_stale_sittings, every_s=60,
            description="Close study sittings nobody beat for 3 minutes (a closed browser), so "
                        "their time reaches the timeline and the points."),
        Job("exams.submit_overdue", exams_tasks.submit_overdue, every_s=30,
            description="Submit attempts whose deadline and grace period passed "
                        "(finish time = the deadline)."),
    )
}


class JobRun(db.Model):
    """One successful run of a job for one period."""

    __tablename__ = "job_runs"
    __table_args__ = (sa.UniqueConstraint("job", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(sa.String(64))
    period: Mapped[str] = mapped_column(sa.String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(sa.Text, default="")


def _lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for the job `name`."""
    return int.from_bytes(hashlib.sha256(f"job:{name}".encode()).digest()[:8], "big", signed=True)


def run_job(name: str, now: datetime, jobs: dict[str, Job] | None = None) -> JobRun | None:
    """Run job `name` for the period `now` falls in and commit.

    Returns the new `JobRun`, or None when the job already ran for that period or another
    process is running it right now. An exception in the job rolls everything back and
    propagates.
    """
    job = (jobs or JOBS)[name]
    session = db.session
    if session.get_bind().dialect.name == "postgresql" and not session.scalar(
        sa.select(sa.func.pg_try_advisory_xact_lock(_lock_key(name)))
    ):
        session.rollback()
        return None
    if job.every_s is not None:
        return _run_repeating(job, now)
    period = job.period(now)
    if _ran(name, period):
        session.rollback()
        return None
    run = JobRun(job=name, period=period, started_at=utcnow(), finished_at=utcnow())
    session.add(run)
    try:
        session.flush()
        run.summary = job.func(now) or ""
        run.finished_at = utcnow()
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        if is_unique_violation(exc) and _ran(name, period):
            return None  # another process finished the same period first
        raise
    except Exception:
        session.rollback()
        raise
    return run


def _run_repeating(job: Job, now: datetime) -> JobRun:
    """Run an every-N-seconds job under the lock already taken; its JobRun is not stored."""
    started = utcnow()
    try:
        summary = job.func(now) or ""
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return JobRun(job=job.name, period=now.isoformat(timespec="seconds"), started_at=started,
                  finished_at=utcnow(), summary=summary)


def _ran(name: str, period: str) -> bool:
    return db.session.scalar(
        sa.select(JobRun.id).where(JobRun.job == name, JobRun.period == period)
    ) is not None


def fire(app: Flask, name: str) -> None:
    """What APScheduler calls: run one job now, in an app context, and log the outcome."""
    # An every-N-seconds job logs at debug level, or it would fill the log every 30 s.
    level = logging.DEBUG if JOBS[name].every_s is not None else logging.INFO
    with app.app_context():
        try:
            run = run_job(name, utcnow())
            if run is None:
                log.log(level, "job %s: already done for this period, or running elsewhere", name)
            else:
                log.log(level, "job %s (%s): %s", name, run.period, run.summary)
        except Exception:
            db.session.rollback()
            log.exception("job %s failed; it will be retried at its next firing", name)
        finally:
            db.session.remove()


def build_scheduler(app: Flask):
    """A BlockingScheduler holding every job of JOBS with its cron trigger."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    scheduler = BlockingScheduler(timezone=LOCAL_TZ)
    for job in JOBS.values():
        trigger = (IntervalTrigger(seconds=job.every_s, timezone=LOCAL_TZ)
                   if job.every_s is not None else CronTrigger(timezone=LOCAL_TZ, **job.cron))
        scheduler.add_job(fire, trigger, args=(app, job.name), id=job.name, name=job.name,
                          coalesce=True, max_instances=1,
                          misfire_grace_time=job.every_s or 3600)
    return scheduler


scheduler_cli = AppGroup("scheduler", help="The background job process.")


@scheduler_cli.command("run")
@click.option("--catch-up/--no-catch-up", default=True,
              help="First run every job whose current period has not run yet.")
def run_command(catch_up: bool) -> None:
    """Run the scheduler in the foreground (one process per deployment)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    app = current_app._get_current_object()
    if catch_up:
        for name in JOBS:
            fire(app, name)
    scheduler = build_scheduler(app)
    for job in scheduler.get_jobs():
        click.echo(f"{job.id}: {job.trigger}")
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()


@scheduler_cli.command("run-job")
@click.argument("name", type=click.Choice(sorted(JOBS)))
@click.option("--now", "now_text", help="ISO 8601 time with an offset to run as of (default now).")
def run_job_command(name: str, now_text: str | None) -> None:
    """Run one job once for the current period (does nothing if that period already ran)."""
    now = utcnow()
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError:
            raise click.BadParameter("use ISO 8601, e.g. 2026-11-25T03:10:00+08:00") from None
        if now.tzinfo is None:
            raise click.BadParameter("give the time an offset, e.g. +08:00")
    run = run_job(name, now)
    if run is None and JOBS[name].every_s is not None:
        click.echo(f"{name}: running in another scheduler process right now")
    elif run is None:
        click.echo(f"{name}: period {JOBS[name].period(now)} already done, or running in another "
                   f"scheduler process right now (see `flask scheduler list`)")
    else:
        click.echo(f"{name} ({run.period}): {run.summary}")


@scheduler_cli.command("list")
def list_command() -> None:
    """Show each job, its schedule and its last successful run."""
    for job in JOBS.values():
        if job.every_s is not None:
            click.echo(f"{job.name}  [{job.schedule}]  repeats without run records\n"
                       f"    {job.description}")
            continue
        last = db.session.scalar(
            sa.select(JobRun).where(JobRun.job == job.name).order_by(JobRun.id.desc()).limit(1)
        )
        done = f"last {last.period} at {last.finished_at:%Y-%m-%d %H:%M} UTC: {last.summary}" \
            if last else "never run"
        click.echo(f"{job.name}  [{job.schedule}]  {done}\n    {job.description}")


def init_app(app: Flask) -> None:
    app.cli.add_command(scheduler_cli)
