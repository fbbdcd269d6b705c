"""Many referred cases for the evaluation extract, the same for the same `cases` and `seed`
on any engine and any day: fixed calendar dates, one seeded random generator, bulk inserts.

Used by the extract's stored fixture (tests/integration/test_evaluation_extract_fixture.py)
and to measure the extract at 10,000 or 100,000 cases (bench/extract.py). Every name is
fictional. The mix is uneven on purpose, so that the generalisation that wins differs
with k and the period: a few large boroughs and many small ones, rare age bands and
genders, re-referred clients, declined or withdrawn evaluation consent, cases with every
kind of record the extract reads (but no placements) and cases with none.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from eip.cases.models import Case, Person
from eip.cases.records import (
    CaseAction,
    Consent,
    Consultation,
    DashReview,
    Incident,
    InterventionSession,
    LateReferralDecision,
    OnwardReferral,
    ProfessionalsMeeting,
)
from eip.demo import ensure_boroughs
from eip.models import Borough

FIRST_REFERRAL = date(2025, 1, 6)
REFERRAL_DAYS = 540  # to the end of June 2026
TODAY = datetime(2026, 7, 15, 11, 0, tzinfo=UTC)  # freeze the clock here

BOROUGHS = (
    ("Camden", 300),
    ("Hackney", 250),
    ("Islington", 250),
    ("Lambeth", 60),
    ("Southwark", 60),
    ("Lewisham", 40),
    ("Barnet", 20),
    ("Brent", 10),
    ("Haringey", 5),
    ("Newham", 3),
)
AGES = ((19, 3), (29, 8), (39, 8), (49, 5), (59, 2), (70, 1), (16, 1))
GENDERS = (("man", 12), ("woman", 5), ("non_binary", 1), ("prefer_not_to_say", 1))
ETHNICITIES = (
    ("white_british", 8),
    ("white_other", 3),
    ("black_african", 3),
    ("black_caribbean", 2),
    ("asian_indian", 2),
    ("asian_bangladeshi", 1),
    ("mixed_other", 1),
    ("other_arab", 1),
    ("not_known", 1),
)
STATUSES = (
    ("acknowledged", 2),
    ("consultation_booked", 1),
    ("awaiting_consent", 1),
    ("active", 4),
    ("closed", 4),
    ("consultation_only", 1),
    ("not_accepted", 1),
)


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def build(session: Session, cases: int, seed: int = 16) -> dict[str, int]:
    """Insert `cases` referred cases and their records; returns counts by table."""
    rng = random.Random(seed)
    ensure_boroughs(session, active=tuple(name for name, _weight in BOROUGHS))
    borough_ids = {name: bid for name, bid in session.execute(select(Borough.name, Borough.id))}
    people_rows, case_rows, clients = [], [], []
    for n in range(cases):
        # Now and then the same client referred again: one person, two cases.
        if clients and rng.random() < 0.04:
            clients.append(rng.choice(clients))
            continue
        age, _ = AGES[rng.choices(range(len(AGES)), [w for _a, w in AGES])[0]]
        born = date(2025 - age, rng.randint(1, 12), rng.randint(1, 28))
        no_birth = rng.random() < 0.03
        people_rows.append(
            {
                "full_name": f"Client Bulk{n}",
                "name_key": f"client bulk{n}",
                "date_of_birth": None if no_birth else born,
                "gender": _pick(rng, GENDERS),
                "ethnicity": _pick(rng, ETHNICITIES),
            }
        )
        clients.append(len(people_rows) - 1)
    person_ids = list(
        session.scalars(
            insert(Person).returning(Person.id, sort_by_parameter_order=True), people_rows
        )
    )
    for n, client in enumerate(clients):
        received = FIRST_REFERRAL + timedelta(days=rng.randrange(REFERRAL_DAYS))
        borough = _pick(rng, BOROUGHS)
        status = _pick(rng, STATUSES)
        row = {
            "reference": f"BULK-{seed:02d}-{n + 1:06d}",
            "borough_id": borough_ids[borough],
            "status": status,
            "created_at": _at(received, 12),
            "received_at": None if rng.random() < 0.05 else _at(received),
            "client_id": None if rng.random() < 0.02 else person_ids[client],
            "acknowledged_at": _at(received + timedelta(days=rng.choice((0, 1, 2, 3, 6))), 15),
            "acknowledgement_method": rng.choice(("secure_email", "phone")),
            "childrens_services_status": rng.choice((None, "child_in_need", "none")),
            "police_callouts_12_months": rng.choice((None, 0, 1, 2, 4, 9)),
            "intervention_started_on": None,
            "closed_at": None,
            "closure_outcome": None,
            "closure_risk_level": None,
            "closure_living_arrangements": None,
            "closure_childrens_services_status": None,
        }
        if status in ("active", "closed"):
            row["intervention_started_on"] = received + timedelta(days=rng.randint(10, 30))
        if status in ("closed", "not_accepted"):
            row["closed_at"] = _at(received + timedelta(days=rng.randint(40, 120)), 16)
            row["closure_outcome"] = rng.choice(("completed", "disengaged", "other"))
            row["closure_risk_level"] = rng.choice(("standard", "medium", "high"))
            row["closure_living_arrangements"] = rng.choice(("separated", "together"))
            row["closure_childrens_services_status"] = rng.choice(("none", "child_in_need"))
        case_rows.append(row)
    case_ids = list(
        session.scalars(insert(Case).returning(Case.id, sort_by_parameter_order=True), case_rows)
    )
    records: dict[type, list[dict]] = {model: [] for model in RECORDS}
    for case_id, row in zip(case_ids, case_rows, strict=True):
        _records(rng, records, case_id, row["created_at"].date(), row)
    counts = {"persons": len(person_ids), "cases": len(case_ids)}
    for model, rows in records.items():
        for chunk in range(0, len(rows), 5000):
            session.execute(insert(model), rows[chunk : chunk + 5000])
        counts[model.__tablename__] = len(rows)
    session.commit()
    return counts


RECORDS = (
    Consent,
    Consultation,
    LateReferralDecision,
    InterventionSession,
    ProfessionalsMeeting,
    DashReview,
    Incident,
    OnwardReferral,
    CaseAction,
)


def _records(rng: random.Random, out: dict, case_id: int, referred: date, case: dict) -> None:
    def day(lo: int, hi: int) -> date:
        return referred + timedelta(days=rng.randint(lo, hi))

    base = {"case_id": case_id}
    consent = rng.random()
    if consent < 0.8:
        for person in ("client", "partner"):
            state = "declined" if consent < 0.06 and person == "partner" else "given"
            withdrawn = consent > 0.77 and person == "client"
            out[Consent].append(
                base
                | {
                    "person_role": person,
                    "kind": "evaluation",
                    "state": state,
                    "recorded_on": day(1, 5),
                    "withdrawn_on": day(20, 30) if withdrawn else None,
                }
            )
    if rng.random() < 0.05:
        out[LateReferralDecision].append(
            base | {"decision": rng.choice(("agreed", "refused")), "decided_on": day(0, 3)}
        )
    if case["status"] not in ("acknowledged", "not_accepted"):
        held = day(5, 15)
        out[Consultation].append(
            base
            | {
                "scheduled_for": _at(held),
                "medium": "video",
                "held_on": None if case["status"] == "consultation_booked" else held,
                "outcome": rng.choice(("intervention", "intervention_with_accommodation", None)),
            }
        )
    if case["intervention_started_on"]:
        for _ in range(rng.randint(0, 6)):
            out[InterventionSession].append(
                base
                | {
                    "held_on": day(15, 90),
                    "attendance": rng.choice(("attended", "attended", "did_not_attend")),
                }
            )
    if rng.random() < 0.2:
        out[ProfessionalsMeeting].append(base | {"held_on": day(10, 60), "attendees": "Team"})
    for number in range(rng.choice((0, 1, 1, 2, 3))):
        score = rng.randint(2, 20)
        out[DashReview].append(
            base
            | {
                "completed_on": day(number * 30, number * 30 + 5),
                "answers": {},
                "score": score,
                "professional_judgement_high": score > 16,
                "police_callouts_12_months": rng.choice((0, 1, 3, 7)),
                "risk_level": "high" if score >= 14 else "medium" if score >= 10 else "standard",
            }
        )
    if rng.random() < 0.15:
        out[Incident].append(
            base
            | {
                "occurred_on": day(-10, 60),
                "source": rng.choice(("police", "client")),
                "police_callout": rng.random() < 0.5,
                "description": "Fictional incident",
            }
        )
    if rng.random() < 0.1:
        out[OnwardReferral].append(
            base
            | {
                "agency": rng.choice(("idva", "marac")),
                "referred_on": day(5, 40),
                "status": rng.choice(("made", "accepted", "planned")),
            }
        )
    if rng.random() < 0.1:
        out[CaseAction].append(
            base
            | {
                "kind": rng.choice(("idva_referral", "marac_referral", "plan")),
                "description": "Fictional action",
                "completed_at": _at(day(3, 30)) if rng.random() < 0.7 else None,
            }
        )
