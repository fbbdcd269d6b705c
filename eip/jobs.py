"""Scheduled jobs: plain idempotent functions, each run claimed in the database.

APScheduler's job stores cannot be shared between processes, so the scheduler
process only ticks; what runs is decided here. Every run first claims its
(job, period) row: the unique constraint means a second scheduler started by
mistake, or `jobs run-due` typed while the scheduler runs, does nothing. A job
that fails is logged and claimed again on a later tick.

A claim records the host and process id of its runner. A run that died (a crash,
a kill, a restart mid-job) is taken over at once by the next tick on the same host
when that process no longer exists, and after STALE_RUNNING_AFTER otherwise (a
runner on another host cannot be checked). Taking over is safe for the e-mail
jobs: an e-mail is recorded as being sent before it goes, and one whose sending
was never confirmed is not sent again (eip.notification_mail).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, String, UniqueConstraint, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from eip.db import UTCDateTime, utcnow
from eip.extensions import db

LONDON = ZoneInfo("Europe/London")
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


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[Session, datetime], str]
    every: str  # "5 minutes", "hour" or "day"
    at: time | None = None  # London time for daily jobs

    def period(self, now: datetime) -> str | None:
        """The period this moment falls in, or None when the job is not yet due today."""
        if self.every == "5 minutes":
            utc = now.astimezone(UTC)
            return utc.replace(minute=utc.minute - utc.minute % 5).strftime("%Y-%m-%dT%H:%M")
        if self.every == "hour":
            return now.astimezone(UTC).strftime("%Y-%m-%dT%H")
        local = now.astimezone(LONDON)
        if self.at is not None and local.time() < self.at:
            return None
        return local.date().isoformat()


def purge_expired(session: Session, now: datetime) -> str:
    """Delete ended or expired sessions, used or expired tokens, old throttles, the
    claims of job runs long finished, and the one-time tokens of addition forms older than
    any session (a form's CSRF token dies with its session, so it cannot be sent again)."""
    from eip.auth.models import AccountToken, SignInThrottle, UserSession
    from eip.auth.sessions import session_limits
    from eip.models import FormSubmission

    idle, absolute = session_limits()
    keep_after = now - timedelta(days=1)
    sessions = session.execute(
        delete(UserSession).where(
            or_(
                UserSession.ended_at < keep_after,
                UserSession.last_seen_at < now - idle - timedelta(days=1),
                UserSession.created_at < now - absolute - timedelta(days=1),
            )
        )
    ).rowcount
    tokens = session.execute(
        delete(AccountToken).where(
            or_(AccountToken.expires_at < keep_after, AccountToken.used_at < keep_after)
        )
    ).rowcount
    throttles = session.execute(
        delete(SignInThrottle).where(
            SignInThrottle.window_started_at < keep_after,
            or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until < now),
        )
    ).rowcount
    runs = session.execute(
        delete(JobRun).where(
            JobRun.finished_at < now - KEEP_JOB_RUNS, JobRun.status.in_(("done", "failed"))
        )
    ).rowcount
    forms = session.execute(
        delete(FormSubmission).where(FormSubmission.created_at < now - absolute - timedelta(days=1))
    ).rowcount
    session.commit()
    return (
        f"removed {sessions} sessions, {tokens} tokens, {throttles} throttles, {runs} job runs, "
        f"{forms} form submissions"
    )


def reminders(session: Session, now: datetime) -> str:
    """Make the notifications due now, close those no longer due, and send the new
    immediate e-mails at once: sending in the run that made them means a second
    scheduler's send job can never run ahead of the notifications it should send."""
    from eip.notification_mail import send_pending
    from eip.notifications import record_due_reminders

    return f"{record_due_reminders(session, now)}; {send_pending(session, now)}"


def send_notification_mail(session: Session, now: datetime) -> str:
    """Send immediate e-mails still pending and retry failed ones: those made at night,
    and the notices a web request wrote (a SPOC told of a consent withdrawal), which
    are mailed from here within minutes and never from the request itself."""
    from eip.notification_mail import send_pending

    return send_pending(session, now)


def daily_digest(session: Session, now: datetime) -> str:
    """One e-mail per digest user at 07:00 London."""
    from eip.notification_mail import send_digests

    return send_digests(session, now)


# In this order: a tick makes the reminders before it mails them.
JOBS: list[Job] = [
    Job("purge-expired", purge_expired, every="hour"),
    Job("reminders", reminders, every="hour"),
    # Every 5 minutes: a run with nothing pending makes two small queries, and one with
    # the mail server down tries at most STOP_AFTER_FAILURES e-mails (eip.notification_mail).
    Job("send-notification-mail", send_notification_mail, every="5 minutes"),
    # The digest users' one e-mail a day, at 07:00 London time (BST or GMT).
    Job("daily-digest", daily_digest, every="day", at=time(7, 0)),
]


def claim(session: Session, job: Job, period: str, now: datetime, worker: str) -> JobRun | None:
    """Claim (job, period) for this worker, or return None if someone else holds it."""
    return claim_period(session, job.name, period, now, worker)


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


def run_due(
    session: Session,
    now: datetime | None = None,
    worker: str = "cli",
    jobs: list[Job] | None = None,
) -> dict[str, str]:
    """Run every job whose period has not been claimed yet. Returns job name -> outcome."""
    now = now or datetime.now(UTC)
    outcomes: dict[str, str] = {}
    for job in jobs if jobs is not None else JOBS:
        period = job.period(now)
        if period is None:
            outcomes[job.name] = "not due"
            continue
        run = claim(session, job, period, now, worker)
        if run is None:
            outcomes[job.name] = "already claimed"
            continue
        try:
            summary = job.run(session, now)
        except Exception as exc:  # one job's failure must not stop the others
            session.rollback()
            job_logger.exception(
                "job failed",
                extra={"fields": {"event": "job_failed", "job": job.name, "period": period}},
            )
            run = session.get(JobRun, run.id)
            run.status, run.error = "failed", type(exc).__name__
            run.finished_at = now
            session.commit()
            outcomes[job.name] = "failed"
            continue
        run = session.get(JobRun, run.id)
        run.status, run.finished_at = "done", now
        session.commit()
        job_logger.info(
            "job done",
            extra={
                "fields": {
                    "event": "job_done",
                    "job": job.name,
                    "period": period,
                    "summary": summary,
                }
            },
        )
        outcomes[job.name] = "done"
    return outcomes
