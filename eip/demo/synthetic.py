"""Bulk synthetic data for benchmarks (`seed-synthetic`). Fictional and random, never for demos."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from eip.accounts import create_account
from eip.audit import AuditEvent
from eip.auth.models import User
from eip.cases.models import Case
from eip.demo import ensure_boroughs
from eip.models import Borough
from eip.roles import Role

STATUSES = (
    "referred",
    "acknowledged",
    "consultation_booked",
    "awaiting_consent",
    "active",
    "closed",
    "consultation_only",
)
SYNTHETIC_PASSWORD = "synthetic benchmark password 77"  # noqa: S105 (benchmarks only)


def seed_synthetic(
    session: Session, cases: int, seed: int = 1, events_per_case: int = 20
) -> dict[str, int]:
    rng = random.Random(seed)  # noqa: S311 (reproducible test data, not secrets)
    ensure_boroughs(
        session, active=("Camden", "Hackney", "Islington", "Lambeth", "Lewisham", "Southwark")
    )
    session.commit()
    practitioners = []
    for n in range(5):
        email = f"synthetic.practitioner{seed}.{n}@example.org"
        user = session.scalar(select(User).where(User.email == email)) or create_account(
            session,
            email=email,
            name=f"Synthetic Practitioner {n}",
            role=Role.PRACTITIONER,
            password=SYNTHETIC_PASSWORD,
            actor_label="seed-synthetic",
        )
        practitioners.append(user.id)
    boroughs = session.scalars(select(Borough.id).where(Borough.active.is_(True))).all()
    start = session.scalar(select(func.count()).select_from(Case)) or 0
    now = datetime.now(UTC)
    rows = []
    for n in range(start + 1, start + cases + 1):
        rows.append(
            {
                "reference": f"SYN-{seed:02d}-{n:05d}",
                "borough_id": rng.choice(boroughs),
                "status": rng.choice(STATUSES),
                "allocated_practitioner_id": rng.choice(practitioners),
                "created_at": now - timedelta(days=rng.randint(0, 120)),
            }
        )
    session.execute(insert(Case), rows)
    events = [
        {
            "at": now - timedelta(minutes=rng.randint(0, 200_000)),
            "actor_id": rng.choice(practitioners),
            "action": rng.choice(("case.viewed", "case.updated", "auth.sign_in")),
            "object_type": "case",
            "case_reference": row["reference"],
        }
        for row in rows
        for _ in range(events_per_case)
    ]
    for chunk in range(0, len(events), 5000):
        session.execute(insert(AuditEvent), events[chunk : chunk + 5000])
    session.commit()
    return {"cases": len(rows), "events": len(events)}
