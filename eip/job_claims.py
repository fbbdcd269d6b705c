"""Job claims: one database row per (job, period), so that each run happens once.

Every run first claims its (job, period) row: the unique constraint means a second
scheduler started by mistake, or `jobs run-due` typed while the scheduler runs, does
nothing. A run that fails is claimed again after RETRY_FAILED_AFTER. A job may also claim
a piece of its work (the daily digest claims each user's e-mail for the day).

A claim records the host and process id of its runner. A run that died (a crash,
a kill, a restart mid-job) is taken over at once by the next tick on the same host
when that process no longer exists, and after STALE_RUNNING_AFTER otherwise (a
runner on another host cannot be checked). Taking over is safe for the e-mail
jobs: an e-mail is recorded as being sent before it goes, and one whose sending
was never confirmed is not sent again (eip.notifications.mail).

This module imports neither the jobs nor what they run, so the mail jobs can claim
their pieces here without an import circle.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, UniqueConstraint, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from eip.db import UTCDateTime, utcnow
from eip.extensions import db

RETRY_FAILED_AFTER = timedelta(minutes=5)
STALE_RUNNING_AFTER = timedelta(minutes=30)
# A claim only matters while its period can still run: older finished ones are purged.
KEEP_JOB_RUNS = timedelta(days=30)
job_logger = logging.getLogger("eip.jobs")


class JobRun(db.Model):
    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "period", name="uq_job_runs_job_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    period: Mapped[str] = mapped_column(String(40))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="running")
    error: Mapped[str | None] = mapped_column(String(200))
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    # Where the runner lives: a claim whose process is gone on this host is taken over at once.
    claimed_host: Mapped[str | None] = mapped_column(String(255))
    claimed_pid: Mapped[int | None] = mapped_column(Integer)


def this_host() -> str:
    return socket.gethostname()[:255]


def process_exists(pid: int) -> bool:
    """Whether a process with this id runs on this host (signal 0 checks, sends nothing)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def runner_is_gone(run: JobRun) -> bool:
    """The claim's process is known to have ended: same host, and no such process now."""
    if run.claimed_host != this_host() or not run.claimed_pid:
        return False
    return run.claimed_pid != os.getpid() and not process_exists(run.claimed_pid)


def claim_period(
    session: Session, name: str, period: str, now: datetime, worker: str
) -> JobRun | None:
    """Claim the row (name, period), or None if another run holds it or has done it.

    Jobs claim their period; a job may also claim a piece of its work (the daily digest
    claims each user's e-mail for the day) so that a second run never repeats that piece.
    """
    mine = {"claimed_by": worker, "claimed_host": this_host(), "claimed_pid": os.getpid()}
    try:
        run = JobRun(job=name, period=period, claimed_at=now, **mine)
        session.add(run)
        session.commit()
        return run
    except IntegrityError:
        session.rollback()
    # Retry a failed run, or one whose runner died, with a conditional update
    # so that only one of two competing workers wins.
    result = session.execute(
        update(JobRun)
        .where(
            JobRun.job == name,
            JobRun.period == period,
            or_(
                (JobRun.status == "failed") & (JobRun.finished_at < now - RETRY_FAILED_AFTER),
                (JobRun.status == "running") & (JobRun.claimed_at < now - STALE_RUNNING_AFTER),
            ),
        )
        .values(status="running", claimed_at=now, error=None, finished_at=None, **mine)
    )
    session.commit()
    if result.rowcount != 1:
        result = _take_over_from_the_dead(session, name, period, now, mine)
    if result is None or result.rowcount != 1:
        return None
    return session.scalars(select(JobRun).filter_by(job=name, period=period)).one()


def _take_over_from_the_dead(session: Session, name: str, period: str, now: datetime, mine):
    """A running claim whose process has ended on this host: take it now, not in 30 minutes."""
    held = session.scalars(
        select(JobRun).where(
            JobRun.job == name, JobRun.period == period, JobRun.status == "running"
        )
    ).one_or_none()
    gone = held is not None and runner_is_gone(held)
    if gone:
        held_id, dead_pid, claimed_at = held.id, held.claimed_pid, held.claimed_at
    session.commit()
    if not gone:
        return None
    result = session.execute(
        update(JobRun)
        .where(
            JobRun.id == held_id,
            JobRun.status == "running",
            JobRun.claimed_pid == dead_pid,
            JobRun.claimed_at == claimed_at,
        )
        .values(status="running", claimed_at=now, error=None, finished_at=None, **mine)
    )
    session.commit()
    if result.rowcount == 1:
        job_logger.warning(
            "job claim taken over",
            extra={
                "fields": {
                    "event": "job_claim_taken_over",
                    "job": name,
                    "period": period,
                    "dead_pid": dead_pid,
                }
            },
        )
    return result


def finish_claim(session: Session, run_id: int, now: datetime, error: str | None = None) -> None:
    """Mark a claimed row done, or failed (retried after RETRY_FAILED_AFTER) with `error`."""
    session.execute(
        update(JobRun)
        .where(JobRun.id == run_id)
        .values(status="failed" if error else "done", finished_at=now, error=error)
    )
    session.commit()
