"""A busy case for the documents' layout tests (issue 20, item 7): 30 actions, long free
text, accented names, many meetings, incidents, DASH reviews, stays and invoices, so every
document runs over several pages. Built from the other factories; every name is fictional.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from accommodation.finance import services as finance_services
from accommodation.models import Placement
from eip.auth.models import User
from eip.cases.models import Case
from eip.cases.records import CaseNote, Incident, ProfessionalsMeeting
from eip.clock import today
from eip.extensions import db
from tests import factories
from tests import factories_accommodation as fa
from tests import factories_pathway_activity as activity

CLIENT_NAME = "Zoë Ó Súilleabháin-Nuñez"
PARTNER_NAME = "Łukasz Kowalczyk-Brontë"
PRACTITIONER_NAME = "Siân Ní Bhriain-Müller"
ACTIONS = 30
MEETINGS = 8
INCIDENTS = 6
DASH_SCORES = (8, 11, 15, 12, 16)
LONG = (
    "Zoë said the arguments start when money is short at the end of the month; she would "
    "like the social worker, Renée, to be at the next visit, and asked that nobody rings "
    "the landline before ten because the children's café shift starts early. "
)


def long_text(what: str, times: int = 3) -> str:
    return f"{what}. " + LONG * times


@dataclass(frozen=True)
class BusyCase:
    practitioner: User
    case: Case
    meeting: ProfessionalsMeeting
    placements: list[Placement]


def _days_ago(n: int) -> date:
    return today() - timedelta(days=n)


def busy_case() -> BusyCase:
    practitioner = factories.user("practitioner", name=PRACTITIONER_NAME)
    case = fa.accommodation_case(practitioner)
    case.client.full_name, case.client.name_key = CLIENT_NAME, CLIENT_NAME.lower()
    case.partner.full_name, case.partner.name_key = PARTNER_NAME, PARTNER_NAME.lower()
    case.intervention_started_on = _days_ago(70)
    db.session.commit()

    meetings = []
    for n in range(MEETINGS):
        meetings.append(
            ProfessionalsMeeting(
                case_id=case.id,
                held_on=_days_ago(64 - 8 * n),
                attendees=f"{PRACTITIONER_NAME}, Renée Dubois (social worker), PC Ólafsson",
                risk_update=long_text(f"Risk update {n + 1}", 2),
                progress=long_text(f"Progress {n + 1}", 2),
            )
        )
    db.session.add_all(meetings)
    db.session.flush()
    kinds = ("plan", "meeting", "idva_referral", "marac_referral", "consent_review", "other")
    for n in range(ACTIONS):
        kind = kinds[n % len(kinds)]
        action = activity.action(
            case,
            kind,
            description=long_text(f"Action {n + 1}: {kind.replace('_', ' ')}", 1 + n % 3),
            owner="Renée Dubois" if n % 2 else PRACTITIONER_NAME,
            due_on=_days_ago(20 - n),
            urgent=kind in ("idva_referral", "marac_referral"),
        )
        if kind == "meeting":
            action.source_id = meetings[-1].id
    for n in range(INCIDENTS):
        db.session.add(
            Incident(
                case_id=case.id,
                occurred_on=_days_ago(60 - 9 * n),
                source="police_callout",
                police_callout=True,
                description=long_text(f"Incident {n + 1}: shouting reported by a neighbour", 2),
            )
        )
    for n, score in enumerate(DASH_SCORES):
        level = "high" if score >= 10 else "standard"
        activity.dash_review(case, _days_ago(66 - 12 * n), score, level)
    for n in range(4):
        activity.session(case, _days_ago(50 - 7 * n))
    db.session.add(
        CaseNote(
            case_id=case.id,
            noted_on=_days_ago(5),
            contact="made",
            method="in_person",
            outcome="Discussed the next steps with Zoë",
            note=long_text("Note", 4),
        )
    )
    db.session.commit()

    spoc = fa.spoc_of(case)
    ended = fa.placement(
        case, "ended", nights=28, rate_pence=7_000, move_in_on=_days_ago(50), moved_out_after=8
    )
    stay = fa.placement(case, "checked_in", nights=21, rate_pence=6_500, spoc=spoc)
    for p in (ended, stay):
        p.decided_at = datetime.now(UTC) - timedelta(days=55)
    db.session.commit()
    finance = factories.user("finance")
    for n, (p, nights) in enumerate([(ended, 8), (stay, 5), (stay, 5)]):
        first = p.start_on + timedelta(days=0 if n < 2 else 5)
        invoice = finance_services.record_invoice(
            db.session,
            finance,
            p.id,
            supplier="Hôtel Écrins Lets Ltd",
            number=f"HE-{n + 1:04d}",
            invoice_date=min(first + timedelta(days=nights), today()),
            first_night=first,
            last_night=first + timedelta(days=nights - 1),
            amount_pence=nights * p.nightly_rate_pence,
        )
        if n == 0:
            finance_services.record_payment(
                db.session,
                finance,
                invoice.id,
                paid_on=today() - timedelta(days=1),
                amount_pence=invoice.amount_pence,
                reference=f"PAY-{n + 1:04d}",
            )
    return BusyCase(practitioner, case, meetings[-1], [ended, stay])
