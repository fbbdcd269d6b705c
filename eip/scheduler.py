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

scheduler_logger = logging.getLogger("eip.scheduler")


def tick(app: Flask, worker: str) -> None:
    with app.app_context():
        try:
            run_due(db.session, worker=worker)
        finally:
            db.session.remove()


def run_scheduler(app: Flask) -> None:
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
        "scheduler started", extra={"fields": {"event": "scheduler_started", "worker": worker}}
    )
    tick(app, worker)
    scheduler.start()
