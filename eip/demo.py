"""Fictional demo data for `make run`. Every person, address and case here is made up.

Idempotent: a second run finds the marker and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.accounts import create_account
from eip.audit import record
from eip.boroughs import LONDON_BOROUGHS
from eip.cases.models import Case
from eip.models import DEMO_DATA_KEY, AppState, Borough

# The boroughs taking part in the demo programme.
DEMO_ACTIVE_BOROUGHS = ("Camden", "Hackney", "Islington", "Lambeth", "Lewisham", "Southwark")
DEMO_PASSWORD = "fictional demo password 2026"  # noqa: S105 (demo only; refused in production)

# (role, e-mail, name, borough) — fictional people on reserved example domains.
DEMO_USERS = (
    ("practitioner", "amara.okafor@cranstoun.example", "Amara Okafor", None),
    ("practitioner", "tom.reilly@cranstoun.example", "Tom Reilly", None),
    ("manager", "helen.marsh@respect.example", "Helen Marsh", None),
    ("spoc", "dev.patel@camden.example", "Dev Patel", "Camden"),
    ("spoc", "nia.campbell@hackney.example", "Nia Campbell", "Hackney"),
    ("finance", "grace.lin@camden.example", "Grace Lin", None),
    ("evaluator", "sam.whitfield@scie.example", "Sam Whitfield", None),
    ("admin", "alex.morgan@eip-admin.example", "Alex Morgan", None),
)

# (borough, practitioner e-mail, status, days ago referred)
DEMO_CASES = (
    ("Camden", "amara.okafor@cranstoun.example", "referred", 1),
    ("Camden", "amara.okafor@cranstoun.example", "active", 20),
    ("Hackney", "amara.okafor@cranstoun.example", "consultation_booked", 6),
    ("Hackney", "tom.reilly@cranstoun.example", "active", 34),
    ("Islington", "tom.reilly@cranstoun.example", "acknowledged", 3),
    ("Lambeth", "tom.reilly@cranstoun.example", "consultation_only", 41),
    ("Southwark", "amara.okafor@cranstoun.example", "closed", 70),
    ("Lewisham", None, "referred", 0),
)


class DemoRefused(RuntimeError):
    pass


@dataclass
class SeedResult:
    created: bool
    sign_ins: list[tuple[str, str]] = field(default_factory=list)
    password: str = DEMO_PASSWORD


def ensure_boroughs(session: Session, active: tuple[str, ...] = ()) -> None:
    existing = set(session.scalars(select(Borough.name)))
    for name in LONDON_BOROUGHS:
        if name not in existing:
            session.add(Borough(name=name, active=name in active))
    session.flush()


def seed_demo(session: Session, environment: str, now: datetime | None = None) -> SeedResult:
    if environment == "production":
        raise DemoRefused("seed-demo refuses to run when EIP_ENV=production")
    sign_ins = [(role, email) for role, email, _name, _borough in DEMO_USERS]
    if session.get(AppState, DEMO_DATA_KEY) is not None:
        return SeedResult(created=False, sign_ins=sign_ins)
    now = now or datetime.now(UTC)
    ensure_boroughs(session, active=DEMO_ACTIVE_BOROUGHS)
    session.commit()
    users = {}
    for role, email, name, borough in DEMO_USERS:
        users[email] = create_account(
            session,
            email=email,
            name=name,
            role=role,
            password=DEMO_PASSWORD,
            borough_name=borough,
            actor_label="seed-demo",
        )
    boroughs = {b.name: b for b in session.scalars(select(Borough))}
    ordered = sorted(DEMO_CASES, key=lambda c: -c[3])
    for number, (borough, practitioner, status, days_ago) in enumerate(ordered, start=1):
        case = Case(
            reference=f"EIP-{now.year}-{number:04d}",
            borough_id=boroughs[borough].id,
            status=status,
            allocated_practitioner_id=users[practitioner].id if practitioner else None,
            created_at=now - timedelta(days=days_ago, hours=3),
        )
        session.add(case)
        session.flush()
        record(
            session,
            "case.created",
            actor_label="seed-demo",
            object_type="case",
            object_id=case.id,
            case_reference=case.reference,
        )
    session.add(AppState(key=DEMO_DATA_KEY, value=now.isoformat()))
    session.commit()
    return SeedResult(created=True, sign_ins=sign_ins)
