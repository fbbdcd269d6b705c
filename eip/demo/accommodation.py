"""Fictional placements for `seed-demo`, in every state a newcomer should see.

Camden's SPOC finds a request waiting (within its fair share of the pot) and a stay ending
in two days (its return-home review due); Hackney's finds a request waiting (with the warning
that approving it would strand the places left) and a finished stay with invoices Camden finance
has not yet paid, one of them over 30 days old; there is an early move-out that released money,
a cancellation, refused requests, and a closed case whose stay was invoiced and paid in full.
Money is written as ledger entries through `accommodation.store`, so the budget page
reconciles with the ledger to the penny. Every provider, address and invoice is invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accommodation import store
from accommodation.models import Invoice, Payment, Placement, ReturnHomeReview
from accommodation.placements import notices as placement_notices
from accommodation.stay.services import CANCELLED, EARLY_MOVE_OUT
from eip.audit import record
from eip.auth.models import User
from eip.cases.models import Case
from eip.demo.cases import LONDON
from eip.programme import current_settings


@dataclass(frozen=True)
class Stay:
    """One demo placement: days are counted from the case's intervention start."""

    number: int
    state: str
    provider: str | None = None
    rate_pence: int | None = None
    nights: int = 28  # a request's nights asked for, or the stay's approved nights
    check_in_days_ago: int | None = None
    used_nights: int | None = None  # for an ended stay
    outcome_reason: str | None = None


NORTHSIDE = ("Northside Lets Ltd", "Room 4, 18 Fictional Terrace, London NW5 9ZZ")
RIVERSIDE = ("Riverside Rooms Ltd", "Flat B, 7 Invented Wharf, London E9 9ZZ")
GREENWAY = ("Greenway House (fictional)", "Room 12, 3 Example Lane, London SE13 9ZZ")

# Camden's request asks for 14 nights, Hackney's for 28: with 4 of the demo's 8 places used
# and £6,846.00 left, each SPOC sees the fair share (£1,711.50 for each of 4 places), and
# Hackney's the warning that approving would leave less than one typical stay (28 nights at
# the median £69.25) for each of the 3 places left; Camden's shorter stay would not.
DEMO_MAX_PEOPLE = 8

STAYS = (
    Stay(18, "requested", nights=14),
    Stay(19, "requested"),
    Stay(24, "checked_in", "northside", 6_850, check_in_days_ago=26),
    Stay(30, "ended", "northside", 7_000, check_in_days_ago=50, used_nights=20),
    Stay(25, "ended", "riverside", 7_200, check_in_days_ago=48, used_nights=28),
    Stay(16, "agreement_signed", "greenway", 6_500),
    Stay(
        20,
        "cancelled",
        "greenway",
        6_500,
        outcome_reason="The client found a room with his sister before the move",
    ),
    Stay(22, "client_declined", outcome_reason="The client chose to stay with a friend"),
    Stay(
        31,
        "no_accommodation",
        outcome_reason="No room close enough to the children's school in time",
    ),
)
PROVIDERS = {"northside": NORTHSIDE, "riverside": RIVERSIDE, "greenway": GREENWAY}


def _at(day: date, hour: int = 11) -> datetime:
    return datetime.combine(day, time(hour), LONDON).astimezone(UTC)


def _audit(session: Session, action: str, placement: Placement, case: Case) -> None:
    record(
        session,
        action,
        actor_label="seed-demo",
        object_type="placement",
        object_id=placement.id,
        case_reference=case.reference,
    )


def _request(session: Session, case: Case, practitioner: User, requested_on: date, nights: int):
    placement = Placement(
        case_id=case.id,
        client_id=case.client_id,
        borough_id=case.borough_id,
        state="requested",
        created_at=_at(requested_on, 10),
        requested_by_id=practitioner.id,
        move_in_on=requested_on + timedelta(days=5),
        nights=nights,
        location_preference=f"In or near {case.borough.name}, close to the children's school",
        areas_to_avoid="The streets around the family home and the partner's workplace",
        booking_needs="Ground-floor room; works early shifts so needs a key, not a curfew",
        safe_practitioner=True,
        safe_social_worker=True,
        social_worker_name=case.referrer_name,
        safety_judged_on=requested_on,
    )
    session.add(placement)
    session.flush()
    _audit(session, "placement.requested", placement, case)
    return placement


def _invoice(
    session: Session,
    finance: User,
    placement: Placement,
    supplier: str,
    number: str,
    first_night: date,
    nights: int,
    invoice_date: date,
    paid_on: date | None,
) -> None:
    amount = nights * placement.nightly_rate_pence
    invoice = Invoice(
        placement_id=placement.id,
        supplier=supplier,
        supplier_key=" ".join(supplier.casefold().split()),
        number=number,
        invoice_date=invoice_date,
        first_night=first_night,
        last_night=first_night + timedelta(days=nights - 1),
        amount_pence=amount,
        recorded_by_id=finance.id,
        created_at=_at(invoice_date, 14),
    )
    session.add(invoice)
    session.flush()
    store.append(
        session, finance, "invoice", placement, amount, effective_on=invoice_date,
        invoice_id=invoice.id,
    )  # fmt: skip
    if paid_on is None:
        return
    payment = Payment(
        invoice_id=invoice.id,
        paid_on=paid_on,
        amount_pence=amount,
        reference=f"CAM-PAY-{invoice.id:05d}",
        recorded_by_id=finance.id,
        created_at=_at(paid_on, 15),
    )
    session.add(payment)
    session.flush()
    store.append(
        session, finance, "payment", placement, amount, effective_on=paid_on,
        payment_id=payment.id,
    )  # fmt: skip


def _demo_people_cap(session: Session) -> None:
    """The demo programme has 8 places, so that one waiting request fits the fair share and
    the other does not (recorded like a manager's change)."""
    settings = current_settings(session)
    if settings.max_people != DEMO_MAX_PEOPLE:
        changes = {"max_people": [settings.max_people, DEMO_MAX_PEOPLE]}
        settings.max_people = DEMO_MAX_PEOPLE
        record(session, "settings.updated", actor_label="seed-demo", details={"changes": changes})


def seed_placements(session: Session, today: date, spocs: dict[str, User], finance: User) -> int:
    """Write the demo placements; returns how many. `spocs` maps borough name to its SPOC."""
    cases = {
        int(c.reference.rsplit("-", 1)[1]) - 1: c
        for c in session.scalars(select(Case).where(Case.client_id.is_not(None)))
    }
    _demo_people_cap(session)
    made = 0
    for stay in STAYS:
        case = cases[stay.number]
        practitioner = case.allocated_practitioner
        spoc = spocs.get(case.borough.name)
        if stay.state == "requested":
            placement = _request(
                session,
                case,
                practitioner,
                today - timedelta(days=2 + stay.number % 3),
                stay.nights,
            )
            # Waiting for the borough's SPOC: they see it in their notifications.
            placement_notices.request_made(session, practitioner, placement)
            made += 1
            continue
        check_in = (
            today - timedelta(days=stay.check_in_days_ago)
            if stay.check_in_days_ago is not None
            else today + timedelta(days=2)
        )
        requested_on = min(check_in - timedelta(days=6), today - timedelta(days=4))
        placement = _request(session, case, practitioner, requested_on, stay.nights)
        placement.move_in_on = check_in
        made += 1
        decided_on = requested_on + timedelta(days=1)
        placement.decided_at = _at(decided_on, 16)
        placement.decided_by_id = spoc.id if spoc else None
        if stay.provider is None:  # a request that ended without a stay
            placement.state = stay.state
            placement.outcome_reason = stay.outcome_reason
            _audit(session, f"placement.{stay.state}", placement, case)
            continue
        provider, address = PROVIDERS[stay.provider]
        placement.provider, placement.address = provider, address
        placement.nightly_rate_pence = stay.rate_pence
        placement.approved_nights = stay.nights
        placement.state = "approved"
        store.append(
            session, spoc, "commit", placement, stay.nights * stay.rate_pence,
            effective_on=decided_on,
        )  # fmt: skip
        _audit(session, "placement.approved", placement, case)
        placement.agreement_signed_on = min(check_in - timedelta(days=1), today)
        placement.state = "agreement_signed"
        if stay.state == "cancelled":
            placement.state = "cancelled"
            placement.cancelled_on = placement.agreement_signed_on
            placement.cancel_reason = stay.outcome_reason
            store.append(
                session, practitioner, "release", placement, stay.nights * stay.rate_pence,
                effective_on=placement.cancelled_on, reason=CANCELLED,
            )  # fmt: skip
            continue
        if stay.state == "agreement_signed":
            continue
        placement.checked_in_on, placement.state = check_in, "checked_in"
        supplier = provider
        prefix = "NS" if stay.provider == "northside" else "RR"
        if stay.state == "checked_in":
            # The first fortnight invoiced and paid; the rest still to come.
            _invoice(
                session, finance, placement, supplier, f"{prefix}-{2400 + stay.number}",
                check_in, 14, check_in + timedelta(days=15), check_in + timedelta(days=22),
            )  # fmt: skip
            continue
        used = stay.used_nights or stay.nights
        moved_out = check_in + timedelta(days=used)
        session.add(
            ReturnHomeReview(
                placement_id=placement.id,
                reviewed_on=moved_out - timedelta(days=2),
                children_risks_reviewed=True,
                adults_risks_reviewed=True,
                return_safe=True,
                support_package="Weekly visits from the family support worker; the client "
                "continues 1:1 sessions; the partner has the IDVA's number.",
                recorded_by_id=practitioner.id,
            )
        )
        placement.moved_out_on, placement.state = moved_out, "ended"
        placement.ended_early = used < stay.nights
        if used < stay.nights:
            store.append(
                session, practitioner, "release", placement,
                (stay.nights - used) * stay.rate_pence, effective_on=moved_out,
                reason=EARLY_MOVE_OUT,
            )  # fmt: skip
        if stay.number == 25:
            # Hackney's finished stay: two invoices Camden has not paid, one over 30 days old.
            _invoice(
                session, finance, placement, supplier, f"{prefix}-{2400 + stay.number}",
                check_in, 14, today - timedelta(days=34), None,
            )  # fmt: skip
            _invoice(
                session, finance, placement, supplier, f"{prefix}-{2500 + stay.number}",
                check_in + timedelta(days=14), 14, today - timedelta(days=12), None,
            )  # fmt: skip
        else:
            _invoice(
                session, finance, placement, supplier, f"{prefix}-{2400 + stay.number}",
                check_in, used, moved_out + timedelta(days=3), moved_out + timedelta(days=10),
            )  # fmt: skip
    session.flush()
    return made
