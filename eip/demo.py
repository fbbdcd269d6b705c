"""Fictional demo data for `make run`. Every name here is made up.

Idempotent: a second run finds the marker and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.boroughs import LONDON_BOROUGHS
from eip.models import DEMO_DATA_KEY, AppState, Borough

# The boroughs taking part in the demo programme.
DEMO_ACTIVE_BOROUGHS = ("Camden", "Hackney", "Islington", "Lambeth", "Lewisham", "Southwark")


class DemoRefused(RuntimeError):
    pass


@dataclass
class SeedResult:
    created: bool
    sign_ins: list[tuple[str, str, str]] = field(default_factory=list)


def ensure_boroughs(session: Session, active: tuple[str, ...] = ()) -> None:
    existing = set(session.scalars(select(Borough.name)))
    for name in LONDON_BOROUGHS:
        if name not in existing:
            session.add(Borough(name=name, active=name in active))


def seed_demo(session: Session, environment: str) -> SeedResult:
    if environment == "production":
        raise DemoRefused("seed-demo refuses to run when EIP_ENV=production")
    if session.get(AppState, DEMO_DATA_KEY) is not None:
        return SeedResult(created=False)
    ensure_boroughs(session, active=DEMO_ACTIVE_BOROUGHS)
    session.add(AppState(key=DEMO_DATA_KEY, value=datetime.now(UTC).isoformat()))
    session.commit()
    return SeedResult(created=True)
