"""The scheduler process: `flask --app wsgi eip scheduler`.

Runs in its own process, never inside web workers. It ticks every minute in
London time and calls `run_due`; the database claim in eip.jobs decides what
actually runs, so a second scheduler started by mistake does nothing.
"""

from __future__ import annotations

import logging
import os
import socket

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from eip.extensions import db
from eip.jobs import LONDON, run_due
from eip.notifications.mail import mail_setting_problems

scheduler_logger = logging.getLogger("eip.scheduler")


def tick(app: Flask, worker: str) -> None:
    with app.app_context():
        try:
            run_due(db.session, worker=worker)
        finally:
            db.session.remove()


def check_settings(app: Flask) -> None:
    """Refuse to start, naming each malformed mail setting, rather than fail every e-mail."""
    problems = mail_setting_problems(app.config)
    if problems:
        scheduler_logger.error(
            "scheduler refused to start",
            extra={"fields": {"event": "scheduler_refused", "problems": problems}},
        )
        raise SystemExit("EIP Tracker scheduler refused to start: " + "; ".join(problems))


def run_scheduler(app: Flask) -> None:
    check_settings(app)
    worker = f"{socket.gethostname()}:{os.getpid()}"
    scheduler = BlockingScheduler(timezone=LONDON)
    scheduler.add_job(
        tick,
        CronTrigger(minute="*", timezone=LONDON),
        args=(app, worker),
        id="tick",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=30,
    )
    scheduler_logger.info(
        "scheduler started",
        extra={
            "fields": {
                "event": "scheduler_started",
                "worker": worker,
                "mail": "smtp" if app.config["SMTP_HOST"] else "outbox",
            }
        },
    )
    # The first tick runs at once, not at the next whole minute: reminders made by
    # `make run` show in the app as soon as it starts.
    tick(app, worker)
    scheduler.start()
