"""Test data built through the real models. Every name here is fictional."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pyotp
from sqlalchemy import select

from eip.auth.models import User
from eip.auth.passwords import hash_password
from eip.cases.models import Case
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


def totp_code(secret: str, at: datetime | None = None) -> str:
    return pyotp.TOTP(secret).at(at or datetime.now(UTC))
