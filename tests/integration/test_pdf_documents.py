"""The case documents, made by `eip.cases.documents.produce` on a real database and read
back with pypdf: the reference and the marking on every page, "Page 1 of N", the key
facts, the information-sharing consent rule and victim safety (DOMAIN.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from eip.audit import AuditEvent
from eip.auth.models import User
from eip.cases import documents
from eip.cases.documents_data import NO_PLAN, NOT_CLOSED, WITHHELD
from eip.cases.documents_meeting_data import NO_PACK
from eip.cases.models import Case, Person, name_key
from eip.cases.records import (
    CaseAction,
    Child,
    Consent,
    Consultation,
    DashReview,
    Incident,
    InterventionSession,
    OnwardReferral,
    ProfessionalsMeeting,
    ScenarioPlan,
)
from eip.domain import NotAllowed, NotFound, RuleBroken
from eip.extensions import db
from tests import factories

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # a Monday; documents are "generated" then
RECEIVED = date(2026, 1, 5)
HELD = date(2026, 1, 12)
MEETING_1 = date(2026, 2, 2)
MEETING_2 = date(2026, 2, 16)

CLIENT = {
    "name": "Fictional Clientname",
    "dob": date(1990, 4, 17),
    "address": "12 Clientside Road, London N1 0AA",
    "phone": "07700 900111",
    "email": "client.fictional@example.org",
}
PARTNER = {
    "name": "Fictional Partnername",
    "dob": date(1992, 9, 3),
    "address": "88 Hidden Lane, London E8 1ZZ",
    "phone": "07700 900222",
    "email": "partner.fictional@example.org",
}
PARTNER_SAFE_TIMES = "Tuesdays between 1pm and 2pm only"
CODE_WORD = "periwinkle"
CLIENT_SAFE_CONTACT = "Call the work mobile before 9am"
PARTNER_SECRETS = [
    PARTNER["address"],
    PARTNER["phone"],
    PARTNER["email"],
    PARTNER_SAFE_TIMES,
    CODE_WORD,
]
ALL_KINDS = ["acknowledgement", "plan", "meeting_pack", "minutes", "closure_summary"]


def _person(details: dict) -> Person:
    person = Person(
        full_name=details["name"],
        name_key=name_key(details["name"]),
        date_of_birth=details["dob"],
        address=details["address"],
        phone=details["phone"],
        email=details["email"],
    )
    db.session.add(person)
    db.session.flush()
    return person


def _consent(case, person, kind, state="given", withdrawn_on=None):
    db.session.add(
        Consent(
            case_id=case.id,
            person_role=person,
            kind=kind,
            state=state,
            recorded_on=HELD + timedelta(days=2),
            obtained_by="Referring social worker",
            how="in_person",
            withdrawn_on=withdrawn_on,
        )
    )


def full_case(*, partner_sharing: str = "given", client_sharing: str = "given"):
    """A case with every record a document reads. `*_sharing` is the information-sharing
    consent: given, declined, withdrawn or not_asked."""
    practitioner = factories.user("practitioner", name="Amara Fictional")
    case = factories.case("Camden", practitioner, status="active")
    case.received_at = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    case.acknowledged_at = datetime(2026, 1, 6, 14, 0, tzinfo=UTC)
    case.referrer_name = "Jo Socialworker"
    case.referrer_team = "Camden Family Support Team"
    case.referrer_email = "jo.socialworker@camden.example"
    case.client_id = _person(CLIENT).id
    case.partner_id = _person(PARTNER).id
    case.client_safe_contact = CLIENT_SAFE_CONTACT
    case.partner_safe_contact_times = PARTNER_SAFE_TIMES
    case.partner_code_word = CODE_WORD
    case.children_count = 2
    case.childrens_services_status = "child_in_need"
    for position, age in ((1, 3), (2, 6)):
        db.session.add(
            Child(
                case_id=case.id,
                position=position,
                age_years=age,
                childrens_services_status="child_in_need",
            )
        )
    case.intervention_started_on = HELD + timedelta(days=3)
    db.session.add(
        Consultation(
            case_id=case.id,
            scheduled_for=datetime(2026, 1, 12, 11, 0, tzinfo=UTC),
            medium="secure_video",
            attendees="Practitioner and social worker",
            held_on=HELD,
            outcome="intervention_with_accommodation",
            plan_risks="Arguments escalate when money is short",
            plan_protective_factors="Grandmother lives nearby and visits daily",
        )
    )
    for person in ("client", "partner"):
        _consent(case, person, "intervention")
    for person, state in (("client", client_sharing), ("partner", partner_sharing)):
        if state == "withdrawn":
            _consent(case, person, "information_sharing", withdrawn_on=HELD + timedelta(days=20))
        elif state != "not_asked":
            _consent(case, person, "information_sharing", state)
    actions = [
        (
            "plan",
            "Agree a safety plan through the social worker",
            "Social worker",
            date(2026, 1, 26),
            None,
        ),
        (
            "plan",
            "Book the first session",
            "Practitioner",
            date(2026, 1, 19),
            AT - timedelta(days=40),
        ),
        (
            "idva_referral",
            "Refer the partner to the IDVA service",
            "Practitioner",
            date(2026, 2, 24),
            None,
        ),
    ]
    for kind, description, owner, due_on, completed_at in actions:
        db.session.add(
            CaseAction(
                case_id=case.id,
                kind=kind,
                description=description,
                owner=owner,
                due_on=due_on,
                completed_at=completed_at,
                urgent=kind == "idva_referral",
            )
        )
    for day_, score, level in (
        (HELD, 6, "standard"),
        (date(2026, 2, 9), 11, "medium"),
        (date(2026, 2, 23), 15, "high"),
    ):
        db.session.add(
            DashReview(
                case_id=case.id,
                completed_on=day_,
                answers={},
                score=score,
                police_callouts_12_months=1,
                risk_level=level,
            )
        )
    for day_, themes in (
        (date(2026, 1, 26), "Early session themes"),
        (date(2026, 2, 18), "Recognising triggers"),
        (date(2026, 2, 25), "Time-out plan"),
    ):
        db.session.add(
            InterventionSession(
                case_id=case.id,
                held_on=day_,
                duration_minutes=60,
                attendance="attended",
                themes=themes,
                notes="Private session notes",
            )
        )
    db.session.add(
        Incident(
            case_id=case.id,
            occurred_on=date(2026, 2, 20),
            source="police_callout",
            police_callout=True,
            description="Neighbour heard shouting",
        )
    )
    db.session.add(
        ScenarioPlan(case_id=case.id, plan="Client stays with his brother after the 4 weeks")
    )
    db.session.add(
        OnwardReferral(case_id=case.id, agency="idva", referred_on=date(2026, 2, 24), status="made")
    )
    db.session.flush()
    meetings = []
    for held_on, risk in ((MEETING_1, "First risk update"), (MEETING_2, "Second risk update")):
        meeting = ProfessionalsMeeting(
            case_id=case.id,
            held_on=held_on,
            attendees="Practitioner; social worker; school nurse",
            risk_update=risk,
            progress=f"Progress at {risk.lower()}",
        )
        db.session.add(meeting)
        db.session.flush()
        meetings.append(meeting)
        db.session.add(
            CaseAction(
                case_id=case.id,
                kind="meeting",
                source_id=meeting.id,
                description=f"Action from the {risk.split()[0].lower()} meeting",
                owner="School nurse",
                due_on=held_on + timedelta(days=7),
            )
        )
    db.session.commit()
    return case, practitioner, meetings


def close(case: Case) -> None:
    case.status = "closed"
    case.status_before_closure = "active"
    case.closed_at = AT - timedelta(days=1)
    case.closure_outcome = "completed"
    case.closure_risk_level = "medium"
    case.closure_living_arrangements = "living_apart"
    case.closure_childrens_services_status = "early_help"
    case.closure_police_callouts = 1
    case.closure_reason = "Plan completed; family supported by early help"
    db.session.commit()


def produce(case, user, kind, meeting=None):
    return documents.produce(
        db.session, user, case, kind, meeting_id=meeting.id if meeting else None, at=AT
    )


def produce_any(built, kind, user=None):
    """Any kind of document from the full case: closed first for the closure summary,
    the first meeting's minutes."""
    case, practitioner, meetings = built
    if kind == "closure_summary":
        close(case)
    return produce(case, user or practitioner, kind, meetings[0] if kind == "minutes" else None)


def pages(document) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(document.content)).pages]


def text(document) -> str:
    return "\n".join(pages(document))


def flat(value: str) -> str:
    """Text with line breaks joined, so a phrase the layout wrapped still matches."""
    return " ".join(value.split())


@pytest.fixture
def built(app_context):
    """The full case, active, with both information-sharing consents."""
    return full_case()


# ---------------------------------------------------------------------------
# Every document


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_every_document_has_the_reference_marking_and_page_numbers_on_every_page(built, kind):
    case, _, _ = built
    document = produce_any(built, kind)
    assert document.content.startswith(b"%PDF")
    assert document.filename.startswith(f"{case.reference}-")
    found = pages(document)
    for number, page in enumerate(found, start=1):
        assert f"Case {case.reference}" in page
        assert page.count("OFFICIAL-SENSITIVE") == 2
        assert f"Page {number} of {len(found)}" in page
        assert "by Amara Fictional" in page
        assert "2 March 2026, 9:30am (London time)" in page


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_every_download_is_audited_with_the_kind_of_document_only(built, kind):
    case, practitioner, _ = built
    produce_any(built, kind)
    (event,) = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "document.downloaded")
    ).all()
    assert event.details == {"document": kind}
    assert event.case_reference == case.reference
    assert event.actor_id == practitioner.id


@pytest.mark.parametrize("role", ["spoc", "finance", "evaluator", "admin"])
def test_roles_without_the_documents_rule_are_refused_and_nothing_is_audited(built, role):
    case, _, _ = built
    outsider = factories.user(role)
    with pytest.raises(NotAllowed):
        produce(case, outsider, "plan")
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "document.downloaded"))
        is None
    )


def test_a_manager_may_produce_the_documents(built):
    manager = factories.user("manager", name="Helen Fictional")
    assert "by Helen Fictional" in text(produce_any(built, "closure_summary", manager))


# ---------------------------------------------------------------------------
# The acknowledgement to the referrer


def test_the_acknowledgement_confirms_receipt_and_says_where_the_consultation_stands(built):
    case, practitioner, _ = built
    document = produce(case, practitioner, "acknowledgement")
    body = flat(text(document))
    assert document.filename == f"{case.reference}-acknowledgement.pdf"
    assert "Dear Jo Socialworker," in body
    assert "received on Monday 5 January 2026" in body
    assert f"Its reference is {case.reference}" in body
    # The full case's consultation is held: the letter no longer offers one.
    assert "The case consultation was held on Monday 12 January 2026" in body
    assert "offer you a case consultation" not in body
    assert "Amara Fictional" in body and practitioner.email in body
    assert "outside the programme's referral window" not in body


def test_a_late_referrals_acknowledgement_says_it_needs_the_three_organisations_agreement(
    app_context,
):
    practitioner = factories.user("practitioner")
    case = factories.case("Camden", practitioner)
    case.received_at = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    case.late_referral = True
    db.session.commit()
    body = flat(text(produce(case, practitioner, "acknowledgement")))
    assert "outside the programme's referral window" in body
    # Once the consultation is held the decision is made: a reprint does not say it waits.
    built_case, built_practitioner, _ = full_case()
    built_case.late_referral = True
    db.session.commit()
    body = flat(text(produce(built_case, built_practitioner, "acknowledgement")))
    assert "outside the programme's referral window" not in body


def test_the_acknowledgement_holds_nothing_about_the_client_or_the_partner(app_context):
    case, practitioner, _ = full_case()
    body = flat(text(produce(case, practitioner, "acknowledgement")))
    for value in (
        *PARTNER_SECRETS,
        CLIENT_SAFE_CONTACT,
        PARTNER["name"],
        CLIENT["name"],
        CLIENT["phone"],
        CLIENT["address"],
        "17 April 1990",
        "3 September 1992",
    ):
        assert value not in body


def test_with_no_practitioner_allocated_the_practitioner_writing_it_is_the_contact(app_context):
    case, _, _ = full_case()
    case.allocated_practitioner_id = None
    db.session.commit()
    writer = factories.user("practitioner", name="Tom Fictional")
    assert "Tom Fictional" in text(produce(case, writer, "acknowledgement"))
    manager = factories.user("manager")
    with pytest.raises(RuleBroken, match="No practitioner is allocated"):
        produce(case, manager, "acknowledgement")


# ---------------------------------------------------------------------------
# The Risk Management and Intervention Plan


def test_the_plan_holds_the_outcome_risks_protective_factors_actions_and_scenario_plan(built):
    case, practitioner, _ = built
    body = flat(text(produce(case, practitioner, "plan")))
    assert "Risk Management and Intervention Plan" in body
    assert "Agreed at the case consultation on 12 January 2026" in body
    assert "Intervention with temporary accommodation" in body
    assert "Arguments escalate when money is short" in body
    assert "Grandmother lives nearby and visits daily" in body
    assert "Agree a safety plan through the social worker" in body
    assert "26 January 2026" in body and "Overdue" in body  # open, past its due date
    assert "Done 21 January 2026" in body
    assert "Client stays with his brother after the 4 weeks" in body
    # The children from their records, by number and age: never the old free text.
    assert "2 children: Child 1, aged 3; Child 2, aged 6" in body
    assert "score 15 of 24, high risk" in body
    # Every open action, whatever its kind (issue 20): a meeting's too.
    assert "Action from the first meeting" in body


def test_the_plan_shows_both_people_when_both_consent_to_information_sharing(built):
    case, practitioner, _ = built
    body = flat(text(produce(case, practitioner, "plan")))
    for value in (
        CLIENT["name"],
        "17 April 1990",
        CLIENT["phone"],
        PARTNER["name"],
        "3 September 1992",
    ):
        assert value in body
    assert WITHHELD not in body


@pytest.mark.parametrize("kind", ["plan", "meeting_pack"])
@pytest.mark.parametrize("state", ["declined", "withdrawn", "not_asked"])
def test_a_partner_without_information_sharing_consent_is_left_out(app_context, kind, state):
    case, practitioner, _ = full_case(partner_sharing=state)
    body = flat(text(produce(case, practitioner, kind)))
    assert PARTNER["name"] not in body and "3 September 1992" not in body
    assert "details withheld: no information-sharing consent" in body.lower()
    assert CLIENT["name"] in body and CLIENT["phone"] in body


@pytest.mark.parametrize("kind", ["plan", "meeting_pack"])
def test_a_client_without_information_sharing_consent_is_left_out(app_context, kind):
    case, practitioner, _ = full_case(client_sharing="withdrawn")
    body = flat(text(produce(case, practitioner, kind)))
    for value in (CLIENT["name"], "17 April 1990", CLIENT["phone"], CLIENT["email"]):
        assert value not in body
    assert WITHHELD in body
    assert PARTNER["name"] in body


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_no_document_ever_holds_the_partners_contact_safe_times_or_code_word(built, kind):
    body = flat(text(produce_any(built, kind)))
    for value in (*PARTNER_SECRETS, CLIENT_SAFE_CONTACT, CLIENT["address"]):
        assert value not in body


def test_a_case_without_a_held_consultation_has_no_plan(app_context):
    case, practitioner, _ = full_case()
    db.session.execute(db.delete(Consultation).where(Consultation.case_id == case.id))
    db.session.commit()
    with pytest.raises(RuleBroken) as refused:
        produce(case, practitioner, "plan")
    assert refused.value.message == NO_PLAN
    assert db.session.scalar(select(AuditEvent)) is None


# ---------------------------------------------------------------------------
# The meeting pack and the minutes


def test_the_meeting_pack_is_an_agenda_made_from_the_case(built):
    case, practitioner, _ = built
    document = produce(case, practitioner, "meeting_pack")
    body = flat(text(document))
    assert document.filename == f"{case.reference}-meeting-pack.pdf"
    assert "Agenda" in body
    assert "Last meeting 16 February 2026" in body
    assert "Next meeting due 23 February 2026 (overdue)" in body
    # Open actions only, the urgent IDVA referral among them.
    assert "Refer the partner to the IDVA service" in body and "urgent" in body
    assert "Action from the second meeting" in body
    assert "Book the first session" not in body  # done
    # The current risk and the DASH trend chart with its figures.
    assert "score 15 of 24, high risk" in body
    assert "MARAC threshold (14)" in body and "DASH score" in body
    # Both thresholds drawn, each with its key and named in the sentence (issue 17).
    assert "High-risk threshold (10)" in body
    assert "The dotted line is the high-risk threshold of 10." in body
    assert "(high-risk threshold 10, MARAC threshold 14)" in body
    assert "at 3 reviews from 12 January 2026 to 23 February 2026" in body
    # Sessions and incidents since the last meeting only; never the session notes.
    assert "Recognising triggers" in body and "Time-out plan" in body
    assert "Early session themes" not in body
    assert "Private session notes" not in body
    assert "2 sessions since the last meeting on 16 February 2026, 2 attended" in body
    assert "20 February 2026" in body and "Police call-out" in body
    # What happened, with the partner's information-sharing consent in force (issue 20).
    assert "Neighbour heard shouting" in body


def test_without_any_meeting_the_pack_counts_sessions_from_the_start(app_context):
    case, practitioner, meetings = full_case()
    for meeting in meetings:
        db.session.execute(db.delete(CaseAction).where(CaseAction.source_id == meeting.id))
        db.session.delete(meeting)
    db.session.commit()
    body = flat(text(produce(case, practitioner, "meeting_pack")))
    assert "since the intervention started (no meeting recorded yet)" in body
    assert "Early session themes" in body


def test_a_case_not_yet_acknowledged_has_no_meeting_pack(app_context):
    practitioner = factories.user("practitioner")
    case = factories.case("Camden", practitioner, status="referred")
    with pytest.raises(RuleBroken) as refused:
        produce(case, practitioner, "meeting_pack")
    assert refused.value.message == NO_PACK


def test_the_minutes_hold_one_meetings_record_and_its_actions(built):
    case, practitioner, meetings = built
    document = produce(case, practitioner, "minutes", meetings[0])
    body = flat(text(document))
    assert document.filename == f"{case.reference}-minutes-2026-02-02.pdf"
    assert "Held on 2 February 2026 (meeting 1 of 2 on this case)" in body
    assert "Practitioner; social worker; school nurse" in body
    assert "First risk update" in body and "Progress at first risk update" in body
    assert "Action from the first meeting" in body and "School nurse" in body
    assert "Second risk update" not in body and "Action from the second meeting" not in body


def test_minutes_of_another_cases_meeting_are_not_found(built):
    case, practitioner, _ = built
    _, _, other_meetings = full_case()
    with pytest.raises(NotFound):
        produce(case, practitioner, "minutes", other_meetings[0])


# ---------------------------------------------------------------------------
# The closure summary


def test_the_closure_summary_holds_the_outcome_risk_living_arrangements_dates_and_counts(built):
    case, _, _ = built
    document = produce_any(built, "closure_summary")
    body = flat(text(document))
    assert document.filename == f"{case.reference}-closure-summary.pdf"
    assert "Closed on 1 March 2026. Outcome: Completed." in body
    assert "Risk at closure Medium" in body
    assert "Living arrangements Living apart" in body
    assert "Children's services at closure Early help" in body
    assert "Plan completed; family supported by early help" in body
    assert "Referral received 5 January 2026" in body
    assert "Consultation held 12 January 2026" in body
    assert "Intervention started 15 January 2026" in body
    assert "Intervention sessions 3 (3 attended)" in body
    assert "Professionals meetings 2" in body
    assert "DASH reviews 3: score 6 at the first, 15 at the last" in body
    assert "Independent domestic violence adviser (IDVA)" in body


def test_an_open_case_has_no_closure_summary(app_context):
    case, practitioner, _ = full_case()
    with pytest.raises(RuleBroken) as refused:
        produce(case, practitioner, "closure_summary")
    assert refused.value.message == NOT_CLOSED


# ---------------------------------------------------------------------------
# Long records still make a clean document


def test_long_free_text_and_many_actions_run_onto_more_pages_with_the_header_repeated(built):
    case, practitioner, _ = built
    consultation = db.session.scalar(select(Consultation).where(Consultation.case_id == case.id))
    consultation.plan_risks = "\n".join(f"Risk line {n} <with> & markup" for n in range(90))
    for n in range(40):
        db.session.add(
            CaseAction(
                case_id=case.id,
                kind="plan",
                description=f"Plan action number {n}",
                owner="Practitioner",
                due_on=date(2026, 4, 1),
            )
        )
    db.session.commit()
    found = pages(produce(case, practitioner, "plan"))
    assert len(found) >= 3
    body = flat("\n".join(found))
    assert "Risk line 89 <with> & markup" in body and "Plan action number 39" in body
    continued = next(p for p in found if "Plan action number 39" in p)
    assert "Action" in continued and "Owner" in continued and "Due date" in continued


# ---------------------------------------------------------------------------
# Victim safety over the demo data


def _partner_values(case: Case) -> list[str]:
    partner = case.partner
    values = [case.partner_safe_contact_times, case.partner_code_word]
    if partner is not None:
        values += [partner.address, partner.phone, partner.email]
    return [v for v in values if v]


def test_no_demo_document_holds_the_partners_contact_safe_times_or_code_word(app_context):
    from eip.demo import seed_demo

    seed_demo(db.session, "test")
    practitioner = db.session.scalar(
        select(User).where(User.email == "amara.okafor@cranstoun.example")
    )
    checked = 0
    # An anonymised case (the demo's granted erasure) holds no partner details to leak: its
    # fields all read "[anonymised]", which its documents print as such.
    cases = select(Case).where(Case.anonymised_at.is_(None)).order_by(Case.id)
    for case in db.session.scalars(cases).all():
        client = case.client
        shared_by_client = {client.phone, client.email} if client else set()
        forbidden = [v for v in _partner_values(case) if v not in shared_by_client]
        meeting = db.session.scalar(
            select(ProfessionalsMeeting).where(ProfessionalsMeeting.case_id == case.id).limit(1)
        )
        for kind in ALL_KINDS:
            try:
                document = produce(case, practitioner, kind, meeting if kind == "minutes" else None)
            except (RuleBroken, ValueError):
                continue  # the case has nothing to make this document from
            body = flat(text(document))
            for value in forbidden:
                assert value not in body, (case.reference, kind)
            if kind == "acknowledgement":
                for value in (
                    case.client_safe_contact,
                    client and client.full_name,
                    case.partner and case.partner.full_name,
                ):
                    assert not value or value not in body, (case.reference, kind)
            checked += 1
    assert checked > 60  # every kind of document, over the demo's 36 cases
