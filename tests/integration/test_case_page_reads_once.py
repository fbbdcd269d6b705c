"""The case page reads each of the case's records once and works out the rest from them: what
it works out must be what reading again gives (issue 16, item 4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from accommodation.placements.page import case_panel
from accommodation.placements.request_services import readiness
from eip import clock
from eip.auth.models import User
from eip.cases import queries
from eip.cases.models import Case
from eip.cases.page import load_records
from eip.cases.records import Incident
from eip.demo.synthetic import seed_synthetic
from eip.extensions import db


def _in_order(facts):
    return replace(
        facts,
        incidents=tuple(sorted(facts.incidents, key=lambda i: (i.occurred_on, i.recorded_on))),
        open_actions=tuple(sorted(facts.open_actions, key=lambda a: a.id)),
    )


def test_due_facts_and_the_accommodation_panel_from_the_pages_records_match_reading_again(
    app, app_context
):
    seed_synthetic(db.session, 80, placements=40)
    manager = db.session.scalar(select(User).where(User.email == "synthetic.manager1@example.org"))
    cases = db.session.scalars(select(Case).order_by(Case.id)).all()
    assert len(cases) == 80
    # seed-synthetic writes no incidents: two on the first intervention case, one late-recorded.
    active = next(c for c in cases if c.status == "active")
    for days_ago in (3, 40):
        when = clock.now() - timedelta(days=days_ago)
        db.session.add(
            Incident(
                case_id=active.id,
                occurred_on=(when - timedelta(days=days_ago)).date(),
                created_at=when,
                source="police",
                description="Synthetic incident",
            )
        )
    db.session.commit()
    read_again = queries.facts_for(db.session, cases)
    kinds_seen = set()
    for case in cases:
        records = load_records(db.session, case)
        kinds_seen.update(name for name, rows in records.items() if rows)
        worked_out = queries.facts_from_records(case, records)
        assert _in_order(worked_out) == _in_order(read_again[case.id]), case.reference
        assert readiness(db.session, case, records=records) == readiness(db.session, case)
        assert case_panel(db.session, manager, case, records) == case_panel(
            db.session, manager, case
        )
    # Every kind of record the due facts and the panel are made from was there to compare.
    assert {"consultations", "consents", "actions", "meetings", "incidents"} <= kinds_seen
