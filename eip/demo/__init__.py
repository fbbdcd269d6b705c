"""Fictional demo data for `make run`. Every person, address and case here is made up.

Idempotent: a second run finds the marker and changes nothing. The demo's cases,
placements, approvals and notifications are made by this package's modules of those names;
`synthetic` is the benchmarks' bulk random data (`seed-synthetic`), never used for the demo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.accounts import create_account
from eip.audit import record
from eip.boroughs import LONDON_BOROUGHS
from eip.demo.accommodation import seed_placements
from eip.demo.approvals import seed as seed_approvals
from eip.demo.cases import LONDON, seed_cases
from eip.demo.dashboard import seed_dashboard
from eip.demo.evaluation import seed as seed_evaluation
from eip.demo.marac import seed as seed_marac
from eip.demo.notifications import seed as seed_notifications
from eip.demo.notifications import seed_events
from eip.demo.outcomes import seed as seed_outcomes
from eip.demo.privacy import seed as seed_data_requests
from eip.demo.retention import seed as seed_retention
from eip.demo.safety import seed_safety_plans
from eip.demo.subject_access import seed as seed_subject_access
from eip.models import DEMO_DATA_KEY, AppState, Borough
from eip.programme import current_settings

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


def _fit_programme_dates(session: Session, now: datetime):
    """Keep the demo's referral window around today, so its cases look live on any date."""
    settings = current_settings(session)
    today = now.astimezone(LONDON).date()
    before = (
        settings.referral_window_start,
        settings.referral_window_end,
        settings.programme_end_date,
    )
    if not settings.referral_window_start <= today - timedelta(days=100):
        settings.referral_window_start = today - timedelta(days=100)
    if settings.referral_window_end < today + timedelta(days=30):
        settings.referral_window_end = today + timedelta(days=37)
    if settings.programme_end_date < settings.referral_window_end + timedelta(days=60):
        settings.programme_end_date = settings.referral_window_end + timedelta(days=90)
    after = (
        settings.referral_window_start,
        settings.referral_window_end,
        settings.programme_end_date,
    )
    if after != before:
        session.add(settings)
        names = ("referral_window_start", "referral_window_end", "programme_end_date")
        changes = {
            n: [str(b), str(a)] for n, b, a in zip(names, before, after, strict=True) if a != b
        }
        record(session, "settings.updated", actor_label="seed-demo", details={"changes": changes})
    return settings.referral_window_start


def seed_demo(
    session: Session,
    environment: str,
    now: datetime | None = None,
    config: Mapping[str, Any] | None = None,
) -> SeedResult:
    """The demo data; `config` (the app's, by default) gives the pseudonym key and the
    instance folder for the released evaluation extract it ends with."""
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
    window_start = _fit_programme_dates(session, now)
    seed_cases(
        session,
        practitioners=[users[e] for r, e, _n, _b in DEMO_USERS if r == "practitioner"],
        manager=next(users[e] for r, e, _n, _b in DEMO_USERS if r == "manager"),
        boroughs=boroughs,
        window_start=window_start,
        now=now,
    )
    session.flush()
    seed_marac(session, now.astimezone(LONDON).date())
    seed_placements(
        session,
        today=now.astimezone(LONDON).date(),
        spocs={b: users[e] for r, e, _n, b in DEMO_USERS if r == "spoc"},
        finance=next(users[e] for r, e, _n, _b in DEMO_USERS if r == "finance"),
    )
    seed_safety_plans(session, now.astimezone(LONDON).date())
    seed_outcomes(session, now.astimezone(LONDON).date())
    seed_subject_access(
        session,
        now.astimezone(LONDON).date(),
        manager=next(users[e] for r, e, _n, _b in DEMO_USERS if r == "manager"),
    )
    seed_dashboard(session, now.astimezone(LONDON).date())
    session.add(AppState(key=DEMO_DATA_KEY, value=now.isoformat()))
    session.commit()
    seed_approvals(
        session,
        admin=next(users[e] for r, e, _n, _b in DEMO_USERS if r == "admin"),
        finance=next(users[e] for r, e, _n, _b in DEMO_USERS if r == "finance"),
        password=DEMO_PASSWORD,
        now=now,
    )
    seed_events(
        session,
        admin=next(users[e] for r, e, _n, _b in DEMO_USERS if r == "admin"),
        password=DEMO_PASSWORD,
        now=now,
    )
    seed_notifications(session, now.astimezone(LONDON).date(), now)
    seed_data_requests(
        session,
        manager=next(users[e] for r, e, _n, _b in DEMO_USERS if r == "manager"),
        today=now.astimezone(LONDON).date(),
    )
    # Last: the pilot's cases are the newest rows, and nothing above should pick them.
    seed_retention(
        session,
        now.astimezone(LONDON).date(),
        next(users[e] for r, e, _n, _b in DEMO_USERS if r == "manager"),
    )
    session.commit()
    # Last: the evaluator sees figures on first sign-in, built from every case above.
    if config is None and has_app_context():
        config = current_app.config
    if config is not None:
        seed_evaluation(
            session, next(users[e] for r, e, _n, _b in DEMO_USERS if r == "manager"), config
        )
    return SeedResult(created=True, sign_ins=sign_ins)
