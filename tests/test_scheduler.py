"""The scheduler: each job runs once per period, failures leave nothing behind, two
processes never run the same job at once, and the job table matches the registry."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.accounts import tokens
from app.accounts.models import ApiToken, AuditEntry
from app.extensions import db as _db
from app.scheduler import JOBS, Job, JobRun, build_scheduler, run_job
from tests.conftest import all_at_once

NOW = datetime(2026, 11, 25, 19, 10, tzinfo=UTC)  # 03:10 on 26 November in Asia/Shanghai


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_token_purge_keeps_live_and_recent_tokens(db, make_user):
    user = make_user()
    _, live = tokens.issue(user, now=NOW - timedelta(hours=1), ttl=timedelta(days=30))
    _, recently_expired = tokens.issue(user, now=NOW - timedelta(days=40), ttl=timedelta(days=20))
    _, long_expired = tokens.issue(user, now=NOW - timedelta(days=90), ttl=timedelta(days=30))
    _, long_revoked = tokens.issue(user, now=NOW - timedelta(days=45), ttl=timedelta(days=365))
    long_revoked.revoked_at = NOW - timedelta(days=31)
    db.session.commit()
    kept = {live.id, recently_expired.id}

    run = run_job("accounts.purge_api_tokens", NOW)

    assert run is not None and run.period == "2026-11-26"
    assert run.summary == "2 expired or revoked tokens deleted"
    assert set(db.session.scalars(sa.select(ApiToken.id))) == kept


def test_a_job_runs_once_per_period(db, make_user):
    first = run_job("accounts.purge_api_tokens", NOW)
    assert first is not None
    assert run_job("accounts.purge_api_tokens", NOW + timedelta(hours=20)) is None  # same local day
    assert count(db, JobRun) == 1
    next_day = run_job("accounts.purge_api_tokens", NOW + timedelta(hours=24))
    assert next_day is not None and next_day.period == "2026-11-27"
    assert count(db, JobRun) == 2


def _write_audit(now: datetime) -> str:
    _db.session.add(AuditEntry(at=now, action="test.job", summary="written by a job"))
    _db.session.flush()
    return "wrote one audit entry"


def _fail_after_writing(now: datetime) -> str:
    _write_audit(now)
    raise RuntimeError("the job broke half way")


def test_a_failing_job_leaves_nothing_and_runs_again_later(db):
    jobs = {"test.fails": Job("test.fails", _fail_after_writing)}
    with pytest.raises(RuntimeError):
        run_job("test.fails", NOW, jobs=jobs)
    assert count(db, JobRun) == 0
    assert count(db, AuditEntry) == 0
    jobs = {"test.fails": Job("test.fails", _write_audit)}
    assert run_job("test.fails", NOW, jobs=jobs) is not None
    assert count(db, AuditEntry) == 1


def _slow_audit(now: datetime) -> str:
    summary = _write_audit(now)
    time.sleep(0.3)  # long enough for the other processes to arrive while it works
    return summary


@pytest.mark.postgresql_only
def test_two_schedulers_never_run_the_same_job_twice(app, db):
    jobs = {"test.slow": Job("test.slow", _slow_audit)}
    outcomes: list[str] = []

    def scheduler_process():
        with app.app_context():
            try:
                run = run_job("test.slow", NOW, jobs=jobs)
                outcomes.append("ran" if run else "skipped")
            finally:
                _db.session.remove()

    all_at_once([scheduler_process] * 4)

    assert sorted(outcomes) == ["ran", "skipped", "skipped", "skipped"]
    assert count(db, AuditEntry) == 1
    assert count(db, JobRun) == 1


def test_the_scheduler_holds_every_job_with_its_trigger(app):
    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == set(JOBS)
    trigger = str(jobs["accounts.purge_api_tokens"].trigger)
    assert "hour='3'" in trigger and "minute='10'" in trigger


def test_the_command_line(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["scheduler", "run-job", "accounts.purge_api_tokens",
                                 "--now", "2026-11-26T03:10:00+08:00"])
    assert result.exit_code == 0, result.output
    assert "accounts.purge_api_tokens (2026-11-26): 0 expired or revoked tokens deleted" in result.output
    again = runner.invoke(args=["scheduler", "run-job", "accounts.purge_api_tokens",
                                "--now", "2026-11-26T09:00:00+08:00"])
    assert "period 2026-11-26 already done" in again.output
    naive = runner.invoke(args=["scheduler", "run-job", "accounts.purge_api_tokens",
                                "--now", "2026-11-26T09:00:00"])
    assert naive.exit_code != 0 and "offset" in naive.output
    listing = runner.invoke(args=["scheduler", "list"])
    assert "accounts.purge_api_tokens" in listing.output and "last 2026-11-26" in listing.output


def test_an_every_n_seconds_job_runs_each_time_and_keeps_no_run_rows(db):
    jobs = {"test.every": Job("test.every", _write_audit, every_s=30)}
    first = run_job("test.every", NOW, jobs=jobs)
    second = run_job("test.every", NOW + timedelta(seconds=1), jobs=jobs)
    assert first is not None and second is not None and first.summary == "wrote one audit entry"
    assert count(db, AuditEntry) == 2  # committed each time
    assert count(db, JobRun) == 0


def test_a_failing_every_n_seconds_job_leaves_nothing(db):
    jobs = {"test.every": Job("test.every", _fail_after_writing, every_s=30)}
    with pytest.raises(RuntimeError):
        run_job("test.every", NOW, jobs=jobs)
    assert count(db, AuditEntry) == 0


@pytest.mark.postgresql_only
def test_two_schedulers_never_run_an_every_n_seconds_job_at_once(app, db):
    jobs = {"test.slow": Job("test.slow", _slow_audit, every_s=30)}
    outcomes: list[str] = []

    def scheduler_process():
        with app.app_context():
            try:
                run = run_job("test.slow", NOW, jobs=jobs)
                outcomes.append("ran" if run else "skipped")
            finally:
                _db.session.remove()

    all_at_once([scheduler_process] * 4)

    assert sorted(outcomes) == ["ran", "skipped", "skipped", "skipped"]
    assert count(db, AuditEntry) == 1


def test_the_overdue_job_repeats_on_an_interval(app, db):
    scheduler = build_scheduler(app)
    trigger = scheduler.get_job("exams.submit_overdue").trigger
    assert "interval" in str(trigger) and "0:00:30" in str(trigger)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["scheduler", "run-job", "exams.submit_overdue"])
    assert result.exit_code == 0 and "0 overdue attempts submitted" in result.output
    again = runner.invoke(args=["scheduler", "run-job", "exams.submit_overdue"])
    assert "0 overdue attempts submitted" in again.output
    listing = runner.invoke(args=["scheduler", "list"])
    assert "exams.submit_overdue  [every 30 s]" in listing.output
