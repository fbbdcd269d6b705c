"""Helpers for the reminder tests: London moments, job runs with frozen time, referrals
with fictional names (so that a test can prove e-mails never carry them), and the mail a
test's SMTP server received. Every name here is fictional."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from sqlalchemy import select

from eip.cases.models import Case, Person
from eip.extensions import db
from eip.jobs import run_due
from eip.notifications.centre import Notification
from eip.workdays import LONDON
from tests import factories
from tests.conftest import SmtpSink

CLIENT, PARTNER, REFERRER = "Quentin Fictionalclient", "Rosalind Fictionalpartner", "Jo Referrer"
RECEIVED_MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def london(year, month, day, hour=9, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


def run(moment: datetime, worker: str = "test") -> dict[str, str]:
    with time_machine.travel(moment, tick=False):
        return run_due(db.session, moment, worker=worker)


def referral(practitioner, received_at: datetime = RECEIVED_MONDAY, reference=None) -> Case:
    case = factories.case(practitioner=practitioner, reference=reference)
    client = Person(full_name=CLIENT, name_key=CLIENT.lower())
    partner = Person(full_name=PARTNER, name_key=PARTNER.lower())
    db.session.add_all([client, partner])
    db.session.flush()
    case.client_id, case.partner_id = client.id, partner.id
    case.received_at, case.referrer_name = received_at, REFERRER
    case.reason_for_referral = "Shouting in front of the children"
    db.session.commit()
    return case


def notifications_of(user) -> list[Notification]:
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()


def acknowledgements_of(user) -> list[Notification]:
    return [n for n in notifications_of(user) if n.topic == "acknowledgement"]


def mails_to(sink: SmtpSink, user) -> list:
    address = user if isinstance(user, str) else user.email
    return [message for recipients, message in sink.messages if recipients == [address]]


def assert_no_personal_data(message) -> None:
    text = f"{message['Subject']}\n{message.get_content()}"
    for secret in (CLIENT, PARTNER, REFERRER, "Fictionalclient", "children", "IDVA", "MARAC"):
        assert secret not in text
