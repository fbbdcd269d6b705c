"""Test data for subject access: a case whose client and partner each have every detail the
other must never receive, with records of every kind naming them in free text."""

from __future__ import annotations

from datetime import date, timedelta

from accommodation.models import Placement
from eip.auth.models import User
from eip.cases.models import Case, Person
from eip.cases.records import CaseNote, Child, MaracReferral, PartnerSupportContact, SafetyPlan
from eip.clock import today
from eip.extensions import db
from eip.privacy.statutory import due_date
from eip.privacy.subject_access import SubjectAccessRequest
from tests import factories_pathway_activity as fa

# What the client's pack must never hold.
PARTNER = {
    "name": "Rosalind Quennell",
    "address": "14 Larkspur Mews\nLondon NW1 8QT",
    "phone": "07700 900456",
    "email": "rosalind.q@example.net",
    "dob": date(1991, 4, 17),
    "safe_contact": "Tuesday afternoons via the library phone",
    "code_word": "Marigold",
}
# What the partner's pack must never hold.
CLIENT = {
    "name": "Desmond Haverstock",
    "address": "3 Ironbridge Terrace\nLondon N7 6PL",
    "phone": "07700 900789",
    "email": "des.haverstock@example.com",
    "dob": date(1988, 11, 2),
    "safe_contact": "Evenings after seven on the landline",
}
PLAN_SAFE_CONTACT = "Text first from a withheld number, Thursday mornings"
MARAC_SAFE_CONTACT = "Only through the IDVA at the refuge office"


def _person(values: dict) -> Person:
    person = Person(
        full_name=values["name"],
        name_key=values["name"].lower(),
        address=values["address"],
        phone=values["phone"],
        email=values["email"],
        date_of_birth=values["dob"],
    )
    db.session.add(person)
    db.session.commit()
    return person


def family_case(practitioner: User | None = None) -> Case:
    case = fa.case("active", practitioner=practitioner)
    client, partner = _person(CLIENT), _person(PARTNER)
    case.client_id, case.partner_id = client.id, partner.id
    case.client_safe_contact = CLIENT["safe_contact"]
    case.partner_safe_contact_times = PARTNER["safe_contact"]
    case.partner_code_word = PARTNER["code_word"]
    case.reason_for_referral = (
        f"Rosalind called police; {CLIENT['name']} shouted at her. Call her on "
        f"{PARTNER['phone'].replace(' ', '')} or write to {PARTNER['email']}."
    )
    child = Child(
        case_id=case.id,
        position=1,
        age_years=6,
        lives_with="partner",
        childrens_services_status="child_in_need",
        school_known="yes",
    )
    db.session.add(child)
    db.session.commit()
    day = today() - timedelta(days=5)
    review = fa.dash_review(case, day, 15, "high")
    review.judgement_note = "Quennell is very frightened"
    fa.incident(case, day).description = f"Desmond followed Rosalind to {PARTNER['address']}"
    fa.session(case, day).notes = "Desmond spoke about Rosalind's new job"
    fa.action(case, "plan", description="Check in with the IDVA").owner = "Rosalind's IDVA"
    db.session.add_all(
        [
            CaseNote(
                case_id=case.id,
                noted_on=day,
                contact="made",
                method="phone",
                note=f"Desmond asked where Ms Quennell lives; told him no. {PARTNER['code_word']}",
                sensitive=True,
            ),
            SafetyPlan(
                case_id=case.id,
                person="partner",
                risks="Desmond turning up at work",
                safe_contact=PLAN_SAFE_CONTACT,
                steps=[],
            ),
            MaracReferral(
                case_id=case.id,
                dash_review_id=review.id,
                partner_id=partner.id,
                reasons="Threats to kill Rosalind",
                agencies_involved="Police",
                safe_contact=MARAC_SAFE_CONTACT,
                partner_aware="yes",
                referrer_phone="020 7946 0000",
            ),
            PartnerSupportContact(
                case_id=case.id,
                contacted_on=day,
                made_by="IDVA Kim",
                with_whom="partner",
                contact="made",
                method="phone",
                outcome=f"Rosalind worried Desmond will call {CLIENT['phone']}",
                risk_change="no_change",
            ),
            Placement(
                case_id=case.id,
                client_id=client.id,
                borough_id=case.borough_id,
                move_in_on=day,
                nights=7,
                areas_to_avoid="Larkspur Mews and NW1",
                address="Room 4, Travel Lodge Holloway",
            ),
        ]
    )
    db.session.commit()
    return case


def request(case: Case, role: str, received_on: date | None = None) -> SubjectAccessRequest:
    received_on = received_on or today() - timedelta(days=2)
    found = SubjectAccessRequest(
        person_id=case.client_id if role == "client" else case.partner_id,
        case_id=case.id,
        role=role,
        requested_by="Themselves",
        received_on=received_on,
        due_on=due_date(received_on),
    )
    db.session.add(found)
    db.session.commit()
    return found
