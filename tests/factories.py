"""Test data built through the real models. Every name here is fictional."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pyotp
from sqlalchemy import select

from eip.admin.models import ProgrammeSettings
from eip.auth.models import User
from eip.auth.passwords import hash_password
from eip.cases.models import Case
from eip.clock import today
from eip.extensions import db
from eip.models import Borough
from eip.roles import Role

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


def borough(name: str = "Camden", active: bool = True) -> Borough:
    found = db.session.scalar(select(Borough).where(Borough.name == name))
    if found is None:
        found = Borough(name=name, active=active)
        db.session.add(found)
        db.session.commit()
    return found


def user(
    role: Role | str | None = Role.PRACTITIONER,
    *,
    email: str | None = None,
    name: str | None = None,
    borough_name: str | None = None,
    password: str | None = PASSWORD,
    active: bool = True,
    totp_secret: str | None = None,
) -> User:
    n = next(_numbers)
    role_value = Role(role).value if role else None
    if role_value == "spoc" and borough_name is None:
        borough_name = "Camden"
    account = User(
        email=email or f"{role_value or 'nobody'}{n}@example.org",
        name=name or f"Test {role_value or 'user'} {n}",
        role=role_value,
        borough_id=borough(borough_name).id if borough_name else None,
        password_hash=hash_password(password) if password else None,
        active=active,
    )
    if totp_secret:
        account.totp_secret = totp_secret
        account.totp_enabled_at = datetime.now(UTC)
    db.session.add(account)
    db.session.commit()
    return account


def case(
    borough_name: str = "Camden",
    practitioner: User | None = None,
    status: str = "referred",
    reference: str | None = None,
) -> Case:
    n = next(_numbers)
    record = Case(
        reference=reference or f"EIP-2026-{n:04d}",
        borough_id=borough(borough_name).id,
        status=status,
        allocated_practitioner_id=practitioner.id if practitioner else None,
    )
    db.session.add(record)
    db.session.commit()
    return record


# How far the programme reaches around today when a test starts (see programme_running).
WINDOW_OPEN_BEFORE = timedelta(days=100)
WINDOW_OPEN_AFTER = timedelta(days=20)
PROGRAMME_RUNS_AFTER = timedelta(days=90)


def programme_running() -> ProgrammeSettings:
    """The programme's dates stretched (never shrunk) around today: referrals open since at
    least 100 days ago and for 20 days more, the programme running at least 90 days on.

    The suite calls this before every test (tests/conftest.py), so that data dated from today
    (a case referred 20 days ago, a 28-night stay from next week) falls inside the programme on
    any day the suite runs; a test that is about the dates sets its own after. The migration's
    defaults (referrals 19 August to 31 December 2026, the end 31 March 2027) hold until
    11 December 2026; after that the window's end, and from 2 January 2027 the programme's
    end, move with today."""
    from eip.programme import current_settings

    settings = current_settings(db.session)
    now = today()
    settings.referral_window_start = min(settings.referral_window_start, now - WINDOW_OPEN_BEFORE)
    settings.referral_window_end = max(settings.referral_window_end, now + WINDOW_OPEN_AFTER)
    settings.programme_end_date = max(settings.programme_end_date, now + PROGRAMME_RUNS_AFTER)
    db.session.add(settings)
    db.session.commit()
    return settings


def totp_code(secret: str, at: datetime | None = None) -> str:
    return pyotp.TOTP(secret).at(at or datetime.now(UTC))
