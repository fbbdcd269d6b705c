"""Test data for the MARAC referral: a case at MARAC risk with its partner and children,
and the referral form as a browser sends it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from eip.auth.models import User
from eip.cases.models import Case, Person
from eip.cases.records import Child, MaracReferral
from eip.clock import today
from eip.extensions import db
from tests import factories_pathway_activity as fa


def partner(name: str = "Partner Fictional") -> Person:
    person = Person(full_name=name, name_key=name.lower(), phone="07700 900123")
    db.session.add(person)
    db.session.commit()
    return person


def marac_case(
    *, practitioner: User | None = None, score: int = 15, person: Person | None = None
) -> Case:
    """An active case whose latest DASH review (score 15, yesterday) met MARAC, with an
    open MARAC referral action, a partner with safe contact times and two children."""
    case = fa.case("active", practitioner=practitioner)
    case.partner_id = (person or partner()).id
    case.partner_safe_contact_times = "Weekday mornings on her mobile, never at weekends"
    db.session.add_all(
        [
            Child(case_id=case.id, position=1, age_years=4, lives_with="both"),
            Child(
                case_id=case.id,
                position=2,
                age_band="11_to_15",
                lives_with="partner",
                childrens_services_status="child_in_need",
                school_known="yes",
            ),
        ]
    )
    db.session.commit()
    review = fa.dash_review(case, today() - timedelta(days=1), score, "high")
    fa.action(case, "marac_referral", description="Refer the case to MARAC", urgent=True)
    fa.action(case, "idva_referral", description="Refer the partner to the IDVA", urgent=True)
    assert review.marac == (score >= 14)
    return case


def referral_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reasons": "Visible high risk: a DASH score of 15. Threats to kill last week.",
        "agencies_involved": "Children's social care (Camden)\nPolice",
        "safe_contact": "Weekday mornings on her mobile",
        "partner_aware": "yes",
        "referrer_phone": "020 7946 0000",
    }
    data.update(overrides)
    return data


def referral(case: Case, user: User | None = None, *, sent_on: date | None = None) -> MaracReferral:
    from eip.cases.marac_services import latest_review

    review = latest_review(db.session, case)
    assert review is not None
    record = MaracReferral(
        case_id=case.id,
        recorded_by_id=user.id if user else None,
        dash_review_id=review.id,
        partner_id=case.partner_id,
        reasons="Visible high risk",
        agencies_involved="Police",
        safe_contact="Mornings",
        partner_aware="yes",
        referrer_phone="020 7946 0000",
        sent_on=sent_on,
    )
    db.session.add(record)
    db.session.commit()
    return record
