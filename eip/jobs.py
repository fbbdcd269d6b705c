"""Scheduled jobs: plain idempotent functions, each run claimed in the database.

APScheduler's job stores cannot be shared between processes, so the scheduler
process only ticks; what runs is decided here. Every run first claims its
(job, period) row (eip.job_claims): a second scheduler started by mistake, or
`jobs run-due` typed while the scheduler runs, does nothing. A job that fails is
logged and claimed again on a later tick.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from eip.job_claims import KEEP_JOB_RUNS, JobRun, claim_period
from eip.notifications.centre import record_due_reminders
from eip.notifications.mail import send_digests, send_pending

LONDON = ZoneInfo("Europe/London")
job_logger = logging.getLogger("eip.jobs")


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[Session, datetime], str]
    every: str  # "minute", "5 minutes", "hour" or "day"
    at: time | None = None  # London time for daily jobs
    # A job that is mostly idle says whether it has work: when not, no claim is written.
    wanted: Callable[[Session], bool] | None = None

    def period(self, now: datetime) -> str | None:
        """The period this moment falls in, or None when the job is not yet due today."""
        if self.every == "minute":
            return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
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
    from eip.programme import current_settings

    idle, absolute = session_limits()
    keep_after = now - timedelta(days=1)
    # Ended or expired sessions are kept the retention schedule's days (a setting).
    kept = timedelta(days=current_settings(session).retain_sessions_days)
    sessions = session.execute(
        delete(UserSession).where(
            or_(
                UserSession.ended_at < now - kept,
                UserSession.last_seen_at < now - idle - kept,
                UserSession.created_at < now - absolute - kept,
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
    return f"{record_due_reminders(session, now)}; {send_pending(session, now)}"


def send_notification_mail(session: Session, now: datetime) -> str:
    """Send immediate e-mails still pending and retry failed ones: those made at night,
    and the notices a web request wrote (a SPOC told of a consent withdrawal), which
    are mailed from here within minutes and never from the request itself."""
    return send_pending(session, now)


def daily_digest(session: Session, now: datetime) -> str:
    """One e-mail per digest user at 07:00 London."""
    return send_digests(session, now)


def refresh_due_items(session: Session, now: datetime) -> str:
    """Rewrite every case's stored due items (eip.cases.due_store): each write keeps its
    case's items, so this only repairs what no write announced (a bulk load, the bank
    holidays of a new `holidays` release). A batch per transaction, as after a settings
    change, so no write waits on it for long."""
    from eip.cases import due_store

    due_store.request_refresh_all(session, now)
    session.commit()
    return due_store.continue_refresh(session, now)


def rewrite_waiting_due_items(session: Session, now: datetime) -> str:
    """Finish a rewrite of every case's due items that a settings change left waiting."""
    from eip.cases import due_store

    return due_store.continue_refresh(session, now)


def _due_rewrite_waiting(session: Session) -> bool:
    from eip.cases import due_store

    return due_store.waiting(session)


def retention(session: Session, now: datetime) -> str:
    """Delete what is past its retention days and needs no review (notifications,
    unreleased extracts, old audit events; ended sessions go hourly, in purge-expired),
    then tell the managers how many closed cases past retention wait for their review:
    the cases themselves are only ever anonymised by a manager (eip.privacy.review)."""
    from flask import current_app, has_app_context

    from eip.notifications import events
    from eip.notifications.centre import REPLACED, Notification, _close
    from eip.privacy import retention as schedule
    from eip.workdays import london_date

    purged = schedule.purge(session, now)
    due = schedule.due_count(session, london_date(now))
    if due:
        for notice in session.scalars(
            select(Notification).where(
                Notification.kind == "retention_review_due", Notification.closed_at.is_(None)
            )
        ):
            _close(notice, REPLACED, now)
        events.tell(
            session,
            "retention_review_due",
            events.managers(session),
            actor_id=None,
            topic="retention",
            subject=str(due),
            event_key=london_date(now).isoformat(),
            now=now,
        )
    session.commit()
    files = 0
    if has_app_context() and current_app.config.get("INSTANCE_PATH"):
        files = schedule.remove_extract_files(
            session, current_app.config["INSTANCE_PATH"], purged, now
        )
    return (
        f"{due} cases past retention await review; removed {purged.notifications} "
        f"notifications, {purged.extracts} unreleased extracts "
        f"({files} files), {purged.audit_events} audit events"
    )


# In this order: a tick makes the reminders before it mails them.
JOBS: list[Job] = [
    Job("purge-expired", purge_expired, every="hour"),
    Job("reminders", reminders, every="hour"),
    # Every 5 minutes: a run with nothing pending makes two small queries, and one with
    # the mail server down tries at most STOP_AFTER_FAILURES e-mails (eip.notifications.mail).
    Job("send-notification-mail", send_notification_mail, every="5 minutes"),
    # The digest users' one e-mail a day, at 07:00 London time (BST or GMT).
    Job("daily-digest", daily_digest, every="day", at=time(7, 0)),
    # A settings change's rewrite of every case's due items, within a minute of it.
    Job("due-items", rewrite_waiting_due_items, every="minute", wanted=_due_rewrite_waiting),
    # The stored due items' safety net, at night before anyone's home page.
    Job("refresh-due-items", refresh_due_items, every="day", at=time(2, 0)),
    # The retention schedule (eip.privacy.retention), at night before anyone is at work.
    Job("retention", retention, every="day", at=time(3, 0)),
]


def claim(session: Session, job: Job, period: str, now: datetime, worker: str) -> JobRun | None:
    """Claim (job, period) for this worker, or return None if someone else holds it."""
    return claim_period(session, job.name, period, now, worker)


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
        if job.wanted is not None and not job.wanted(session):
            session.rollback()  # ends the read's transaction (SQLite: frees the file)
            outcomes[job.name] = "nothing to do"
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
