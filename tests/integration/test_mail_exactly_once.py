"""Exactly-once reminder e-mail across a crash. A real scheduler process is killed
(SIGKILL) while the real SMTP server holds the message it received, before the process
could record it as sent; a restarted run then takes over the dead run's claim at once and
does not send the message again."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from datetime import datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from eip.audit import AuditEvent
from eip.auth.models import User
from eip.config import PROJECT_ROOT
from eip.extensions import db
from eip.job_claims import JobRun, claim_period, this_host
from eip.notifications.centre import DIGEST, SENDING, UNCONFIRMED
from eip.notifications.mail import send_pending
from tests import factories
from tests.conftest import SmtpSink, _free_port
from tests.factories_notifications import CLIENT, london, mails_to, notifications_of, referral, run

# A scheduler tick in its own process: the settings, the job's name and the moment are
# its arguments.
SCHEDULER = """
import json, sys
from datetime import datetime
from eip import create_app
from eip.extensions import db
from eip.jobs import JOBS, run_due
settings, job, moment = json.loads(sys.argv[1]), sys.argv[2], datetime.fromisoformat(sys.argv[3])
app = create_app(settings)
with app.app_context():
    run_due(db.session, moment, worker="doomed", jobs=[j for j in JOBS if j.name == job])
"""


class HoldingSink(SmtpSink):
    """Keeps the first message it receives and then holds the reply until released, as a
    server that accepted a message whose sender died before hearing so."""

    def __init__(self) -> None:
        super().__init__()
        self.received, self.release = threading.Event(), threading.Event()

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if not self.received.is_set():
            self.received.set()
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, self.release.wait, 30)
        return reply


@pytest.fixture
def holding_app(make_app, app):
    sink, port = HoldingSink(), _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_SECURITY": "none"}
    application = make_app(**settings)
    application.smtp_sink = sink  # type: ignore[attr-defined]
    application.subprocess_settings = {  # type: ignore[attr-defined]
        **settings,
        "SQLALCHEMY_DATABASE_URI": application.config["SQLALCHEMY_DATABASE_URI"],
        "INSTANCE_PATH": application.config["INSTANCE_PATH"],
    }
    try:
        yield application
    finally:
        sink.release.set()
        controller.stop()


def crash_while_sending(application, job: str, moment: datetime) -> int:
    """Run `job` in a scheduler process and kill it once the server has the message.
    Returns the dead process's id."""
    db.session.remove()  # nothing held open: the scheduler process must be able to write
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SCHEDULER,
            json.dumps(application.subprocess_settings),
            job,
            moment.isoformat(),
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "EIP_ENV": "test"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    sink = application.smtp_sink
    try:
        arrived = sink.received.wait(timeout=90)
        assert arrived, process.stderr.read().decode() if process.poll() is not None else ""
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)  # reaped: its process id no longer exists
        process.stderr.close()
    sink.release.set()
    return process.pid


def test_an_email_the_server_took_before_the_sender_died_is_not_sent_again(holding_app, caplog):
    sink = holding_app.smtp_sink
    with holding_app.app_context():
        practitioner = factories.user("practitioner")
        address, case = practitioner.email, referral(practitioner)
        reference, name, user_id = case.reference, practitioner.name, practitioner.id
        nine = london(2026, 11, 6, 9)
        dead_pid = crash_while_sending(holding_app, "reminders", nine)
        practitioner = db.session.get(User, user_id)
        [notification] = notifications_of(practitioner)
        assert notification.email_status == SENDING
        [message] = mails_to(sink, address)
        assert message["Message-ID"] == notification.email_message_id
        claim = db.session.scalar(select(JobRun).where(JobRun.job == "reminders"))
        assert (claim.status, claim.claimed_pid, claim.claimed_host) == (
            "running",
            dead_pid,
            this_host(),
        )

        # The scheduler restarts a minute later: the dead run's claim is taken over at once
        # (not after 30 minutes), and the e-mail the server has is not sent again.
        assert run(nine + timedelta(minutes=1), worker="restarted")["reminders"] == "done"
        with caplog.at_level(logging.INFO, logger="eip"):
            send_pending(db.session, nine + timedelta(minutes=31))
            run(nine + timedelta(hours=2))
        assert len(mails_to(sink, address)) == 1
        db.session.expire_all()
        [notification] = notifications_of(practitioner)
        assert notification.email_status == UNCONFIRMED
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "notification.mail_unconfirmed")
        ).all()
        assert event.object_id == str(notification.id) and event.actor_label == "scheduler"
        assert event.details == {"message_id": message["Message-ID"]}
        assert any(
            getattr(r, "fields", {}).get("event") == "notification_mail_unconfirmed"
            for r in caplog.records
        )
        for secret in (address, reference, CLIENT, name):
            assert secret not in caplog.text and secret not in str(event.details)


def test_a_digest_the_server_took_before_the_sender_died_is_not_sent_again(holding_app):
    sink = holding_app.smtp_sink
    with holding_app.app_context():
        practitioner = factories.user("practitioner")
        practitioner.notification_email = DIGEST
        db.session.commit()
        address, user_id = practitioner.email, practitioner.id
        referral(practitioner)
        run(london(2026, 11, 6, 6, 30))  # the reminders, waiting for the 07:00 digest
        crash_while_sending(holding_app, "daily-digest", london(2026, 11, 6, 7, 0))
        practitioner = db.session.get(User, user_id)
        assert {n.email_status for n in notifications_of(practitioner)} == {SENDING}

        assert run(london(2026, 11, 6, 7, 1), worker="restarted")["daily-digest"] == "done"
        assert len(mails_to(sink, address)) == 1
        db.session.expire_all()
        assert {n.email_status for n in notifications_of(practitioner)} == {SENDING}


def test_a_claim_whose_process_still_runs_or_is_on_another_host_waits_30_minutes(app_context):
    moment = london(2026, 11, 6, 9)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        db.session.add_all(
            [
                JobRun(
                    job="reminders",
                    period="alive",
                    claimed_at=moment,
                    claimed_host=this_host(),
                    claimed_pid=sleeper.pid,
                ),
                JobRun(
                    job="reminders",
                    period="elsewhere",
                    claimed_at=moment,
                    claimed_host="another-host",
                    claimed_pid=2**22 + 1,  # above Linux's largest process id: never running
                ),
            ]
        )
        db.session.commit()
        soon, later = moment + timedelta(minutes=1), moment + timedelta(minutes=31)
        for period in ("alive", "elsewhere"):
            assert claim_period(db.session, "reminders", period, soon, "second") is None
            assert claim_period(db.session, "reminders", period, later, "second") is not None
    finally:
        sleeper.kill()
        sleeper.wait(timeout=30)
