"""Cases ready for accommodation, and placements in each state, built through the real
models with money written through `accommodation.store` (so every figure comes from real
ledger entries). Every name is fictional; dates are relative to today."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from accommodation import store
from accommodation.models import Placement, ReturnHomeReview
from eip.auth.models import User
from eip.cases.models import Case, Person
from eip.cases.records import ScenarioPlan
from eip.clock import today
from eip.extensions import db
from tests import factories
from tests.factories_pathway_progress import consent, consulted_case, days_ago

RATE = 6_500  # £65.00 a night
_people = itertools.count(1)


def accommodation_case(
    practitioner: User | None = None,
    borough_name: str = "Camden",
    *,
    accommodation_consents: bool = True,
    scenario_plan: bool = True,
) -> Case:
    """An active case whose consultation outcome is intervention with accommodation, with both
    intervention consents, both accommodation consents (unless told not) and a scenario plan."""
    case = consulted_case("intervention_with_accommodation", practitioner, borough_name)
    if case.client_id is None:
        n = next(_people)
        client = Person(full_name=f"Client Fictional{n}", name_key=f"client fictional{n}")
        partner = Person(full_name=f"Partner Fictional{n}", name_key=f"partner fictional{n}")
        db.session.add_all([client, partner])
        db.session.flush()
        case.client_id, case.partner_id = client.id, partner.id
    consent(case, "client")
    consent(case, "partner")
    if accommodation_consents:
        consent(case, "client", "accommodation")
        consent(case, "partner", "accommodation")
    if scenario_plan:
        db.session.add(
            ScenarioPlan(
                case_id=case.id,
                plan="If they stay apart: the client moves to a friend's flat in Barnet",
            )
        )
    case.status = "active"
    case.intervention_started_on = days_ago(10)
    db.session.commit()
    return case


def _request(case: Case, *, move_in_on: date, nights: int, by: User | None) -> Placement:
    placement = Placement(
        case_id=case.id,
        client_id=case.client_id,
        borough_id=case.borough_id,
        state="requested",
        requested_by_id=by.id if by else None,
        move_in_on=move_in_on,
        nights=nights,
        location_preference="Close to the children's school in Kentish Town",
        areas_to_avoid="Anywhere in Holloway",
        booking_needs="Ground floor room; works early shifts",
        safe_practitioner=True,
        safe_social_worker=True,
        social_worker_name="Mira Fictional",
        safety_judged_on=today(),
    )
    db.session.add(placement)
    db.session.flush()
    return placement


def placement(
    case: Case | None = None,
    state: str = "requested",
    *,
    nights: int = 28,
    rate_pence: int = RATE,
    move_in_on: date | None = None,
    moved_out_after: int | None = None,
    by: User | None = None,
    spoc: User | None = None,
) -> Placement:
    """A placement in `state`, with the ledger entries that state implies.

    approved / agreement_signed / checked_in / ended / cancelled write a commit of
    nights x rate; ended writes the release for nights not used (`moved_out_after` nights
    after check-in, default all of them) and a return-home review; cancelled releases it all.
    Check-in is `move_in_on` (default 10 days ago for stays, 7 days ahead otherwise).
    """
    case = case or accommodation_case()
    stay = state in ("checked_in", "ended")
    move_in_on = move_in_on or (today() - timedelta(days=10) if stay else today() + timedelta(7))
    p = _request(case, move_in_on=move_in_on, nights=nights, by=by)
    if state in {"declined", "withdrawn", "client_declined", "no_accommodation", "pot_exhausted"}:
        p.state = state
        p.decided_at = datetime.now(UTC)
        p.decided_by_id = spoc.id if spoc else None
        p.outcome_reason = "Recorded by the test"
    elif state != "requested":
        p.state = "approved"
        p.decided_at = datetime.now(UTC)
        p.decided_by_id = spoc.id if spoc else None
        p.provider = "Fictional Lets Ltd"
        p.address = "Flat 2, 10 Example Road, London N1 0AA"
        p.nightly_rate_pence = rate_pence
        p.approved_nights = nights
        store.append(db.session, spoc, "commit", p, nights * rate_pence, effective_on=today())
        if state in ("agreement_signed", "checked_in", "ended"):
            p.state = "agreement_signed"
            p.agreement_signed_on = min(move_in_on - timedelta(days=1), today())
        if stay:
            p.state = "checked_in"
            p.checked_in_on = move_in_on
        if state == "ended":
            used = nights if moved_out_after is None else moved_out_after
            p.state = "ended"
            p.moved_out_on = move_in_on + timedelta(days=used)
            p.ended_early = used < nights
            db.session.add(
                ReturnHomeReview(
                    placement_id=p.id,
                    reviewed_on=p.moved_out_on - timedelta(days=1),
                    children_risks_reviewed=True,
                    adults_risks_reviewed=True,
                    return_safe=True,
                    support_package="Weekly check-ins by the social worker",
                )
            )
            if used < nights:
                store.append(
                    db.session,
                    by,
                    "release",
                    p,
                    (nights - used) * rate_pence,
                    effective_on=p.moved_out_on,
                )
        if state == "cancelled":
            p.state = "cancelled"
            p.cancelled_on = today()
            p.cancel_reason = "The client found somewhere to stay with family"
            store.append(
                db.session, by, "release", p, nights * rate_pence, effective_on=p.cancelled_on
            )
    db.session.commit()
    return p


def spoc_of(case: Case, email: str | None = None) -> User:
    """A SPOC of the case's borough."""
    return factories.user("spoc", email=email, borough_name=case.borough.name)


def requested_through_the_service(practitioner: User, case: Case | None = None) -> Placement:
    """A placement request made by the practitioner through the real request service, so the
    notices and audit events a request sends are sent."""
    from accommodation.placements import request_services

    return request_services.request_placement(
        db.session,
        practitioner,
        case or accommodation_case(practitioner),
        move_in_on=today() + timedelta(days=3),
        nights=14,
        location_preference="Near the children's school",
        areas_to_avoid="None",
        booking_needs="",
        out_of_borough=False,
        out_of_borough_safety="",
        out_of_borough_mitigation="",
        safe_practitioner=True,
        safe_social_worker=True,
        social_worker_name="Mira Fictional",
        safety_judged_on=today() - timedelta(days=1),
    )


def invoice_unpaid_for_40_days(finance: User, number: str):
    """A stay approved 45 days ago with a £650.00 invoice dated 40 days ago and not paid,
    recorded by finance through the real service."""
    from accommodation.finance import services as finance_services

    stay = placement(accommodation_case(), "checked_in", rate_pence=6_500)
    # Invoices are dated no earlier than the approval: this stay was approved 45 days ago.
    stay.decided_at = datetime.now(UTC) - timedelta(days=45)
    db.session.commit()
    return finance_services.record_invoice(
        db.session,
        finance,
        stay.id,
        supplier="Fictional Lets Ltd",
        number=number,
        invoice_date=today() - timedelta(days=40),
        first_night=stay.start_on,
        last_night=stay.start_on + timedelta(days=9),
        amount_pence=65_000,
    )
