"""Anonymisation in place (eip.privacy.anonymise): every figure the programme shows is the
same to the penny afterwards, the consent-declined exclusion still holds, no personal datum
of the case is left anywhere in the database, and every text column is classified."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
import time_machine
from flask import current_app
from pypdf import PdfReader
from sqlalchemy import JSON, String, Text, cast, select

from accommodation import documents
from accommodation.models import (
    Invoice,
    LedgerEntry,
    Payment,
    Placement,
    PlacementExtension,
    ReturnHomeReview,
)
from eip.audit import AuditEvent
from eip.cases import records
from eip.cases.models import Case, CaseDueItem, Person
from eip.clock import today
from eip.domain import RuleBroken
from eip.extensions import db
from eip.notifications.centre import Notification
from eip.privacy import anonymise
from eip.privacy.anonymise import INVENTORY, MARKER, anonymise_case
from eip.privacy.models import DataRequest
from eip.reports.monthly_document import produce as monthly_report
from evaluation import extract, pseudonym, services
from tests import factories
from tests import factories_accommodation as fa
from tests.conftest import run_seed_demo, sign_in

CASE_MODELS = (
    Person,
    Case,
    CaseDueItem,
    *records.RECORD_TYPES,
    Placement,
    PlacementExtension,
    ReturnHomeReview,
    Invoice,
    Payment,
    LedgerEntry,
    Notification,
    DataRequest,
)


def _text_columns(model) -> set[str]:
    return {
        c.key
        for c in model.__table__.columns
        if isinstance(c.type, String | Text | JSON) or c.key == "date_of_birth"
    }


def test_every_text_column_of_every_case_model_is_classified_once():
    listed = [(model, name) for model, name, _how in INVENTORY]
    assert len(listed) == len(set(listed)), "a column is listed twice"
    for model in CASE_MODELS:
        named = {name for m, name in listed if m is model}
        missing = _text_columns(model) - named - {"answers"}  # DASH answers: kept, not text
        assert not missing, f"{model.__name__}: classify {sorted(missing)} in INVENTORY"
        assert named <= {c.key for c in model.__table__.columns}


# ---------------------------------------------------------------------------
# Every figure the same, to the penny


def _pdf_text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(content)).pages).split())


def _outputs(app, manager, finance, start: date, end: date) -> dict[str, object]:
    """What the programme shows of its money and its figures, as its users get it."""
    seen: dict[str, object] = {}
    client = app.test_client()
    assert sign_in(client, manager.email, factories.PASSWORD).status_code == 302
    page = client.get("/budget").get_data(as_text=True)
    seen["budget page figures"] = re.findall(r"£[\d,]+\.\d\d|£[\d,]+", page)
    # The figures page (the equality tables among them), but for the per-request tokens.
    figures = client.get("/evaluation/figures").get_data(as_text=True)
    figures = figures[figures.index("<main") : figures.index("</main>")]
    seen["figures page"] = re.sub(r'(nonce|value)="[^"]*"', "", figures)
    for path in ("/budget/placements.csv", "/budget/months.csv", "/evaluation/figures.csv"):
        response = client.get(path)
        seen[path] = (response.status_code, response.get_data(as_text=True))
    statement = documents.produce_statement(db.session, finance, start, end)
    seen["statement"] = _pdf_text(statement.content)
    month = today().replace(day=1)
    seen["monthly report"] = _pdf_text(monthly_report(db.session, manager, month).content)
    prepared = services.prepare(db.session, manager, start=start, end=end, config=app.config)
    with zipfile.ZipFile(services.folder(app.config["INSTANCE_PATH"]) / prepared.file_name) as z:
        # Every file but the manifest (its hashes) and the report's line naming the extract.
        seen["extract"] = {
            name: [line for line in z.read(name).decode().splitlines() if "Extract " not in line]
            for name in z.namelist()
            if name != "manifest.sha256"
        }
    seen["extract left out"] = prepared.left_out
    db.session.commit()
    return seen


@pytest.mark.usefixtures("app_context")
def test_every_money_figure_and_extract_is_the_same_after_anonymising_every_case(app, runner):
    run_seed_demo(runner)
    manager = factories.user("manager")
    finance = factories.user("finance")
    cases = list(db.session.scalars(select(Case).where(Case.anonymised_at.is_(None))))
    assert db.session.scalar(select(LedgerEntry.id).limit(1)) is not None
    assert db.session.scalar(select(records.DashReview.id).limit(1)) is not None
    start, end = date(2020, 1, 1), today()
    moment = datetime.now(UTC).replace(microsecond=0)
    with time_machine.travel(moment, tick=False):
        before = _outputs(app, manager, finance, start, end)
    assert len(before["extract"]["cases.csv"]) > 5 and "£" in before["statement"]
    assert before["budget page figures"] and before["/budget/placements.csv"][0] == 200
    assert "Age band" in before["figures page"], before["figures page"][:3000]
    for case in cases:
        anonymise_case(db.session, manager, case, reason="Past retention")
    db.session.commit()
    assert db.session.scalar(select(Person.id).where(Person.full_name != MARKER)) is None
    with time_machine.travel(moment, tick=False):
        after = _outputs(app, manager, finance, start, end)
    for name, value in before.items():
        assert after[name] == value, name


# ---------------------------------------------------------------------------
# Nothing personal left

CLIENT = {
    "full_name": "Zebedee Quarrington",
    "address": "17 Quillfeather Mews, London N7 0QQ",
    "phone": "07700 900461",
    "email": "zebedee.q@example.org",
    "date_of_birth": date(1990, 5, 17),
}
PARTNER = {
    "full_name": "Marigold Thistlewood",
    "address": "4 Larkspur Yard, London E2 9XX",
    "phone": "07700 900782",
    "email": "marigold.t@example.org",
}
CODE_WORD = "butterscotch-lantern"
DISTINCTIVE = (
    "Zebedee",
    "Quarrington",
    "Quillfeather",
    "900461",
    "zebedee.q",
    "Marigold",
    "Thistlewood",
    "Larkspur",
    "900782",
    "marigold.t",
    CODE_WORD,
    "Wobblesworth",  # the referrer
    "1990-05-17",
)


def _personal_case() -> Case:
    case = fa.accommodation_case()
    client, partner = case.client, case.partner
    for name, value in CLIENT.items():
        setattr(client, name, value)
    for name, value in PARTNER.items():
        setattr(partner, name, value)
    case.referrer_name = "Penelope Wobblesworth"
    case.referrer_phone = "020 7946 0999"
    case.partner_code_word = CODE_WORD
    case.partner_safe_contact_times = "Call Marigold on 07700 900782 after 2pm"
    case.reason_for_referral = "Zebedee Quarrington threatened Marigold on 3 March"
    db.session.add_all(
        [
            records.CaseNote(
                case_id=case.id,
                noted_on=today(),
                contact="made",
                method="phone",
                note="Spoke to Zebedee at Quillfeather Mews",
            ),
            records.Incident(
                case_id=case.id,
                occurred_on=today(),
                source="police_callout",
                description="Marigold Thistlewood called the police",
            ),
            records.SafetyPlan(
                case_id=case.id,
                person="partner",
                risks="Zebedee knows Larkspur Yard",
                safe_contact="Text marigold.t@example.org",
                steps=[{"action": "Tell Marigold", "by_whom": "IDVA", "by_when": "2026-03-19"}],
            ),
            records.PartnerSupportContact(
                case_id=case.id,
                contacted_on=today(),
                made_by="Support worker",
                with_whom="partner",
                contact="made",
                method="phone",
                outcome="Marigold said Zebedee phoned from 07700 900461",
                risk_change="no_change",
            ),
        ]
    )
    db.session.commit()
    placement = fa.placement(case, "ended")
    placement.address = "Room 3, Quillfeather Mews"
    placement.booking_needs = "Zebedee needs a ground floor"
    db.session.commit()
    return case


def _text_hits(needle: str) -> list[str]:
    """Every table.column whose text holds `needle` (JSON read as text)."""
    hits = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String | Text | JSON):
                continue
            value = column if not isinstance(column.type, JSON) else cast(column, Text)
            query = select(table.c[column.name]).where(value.ilike(f"%{needle}%")).limit(1)
            if db.session.execute(query).first() is not None:
                hits.append(f"{table.name}.{column.name}")
    return hits


@pytest.mark.usefixtures("app_context")
def test_no_personal_datum_of_an_anonymised_case_is_left_in_the_database():
    case = _personal_case()
    assert _text_hits("Quarrington")  # the scan finds what is there
    anonymise_case(db.session, factories.user("manager"), case, reason="Erasure granted")
    db.session.commit()
    found = {needle: _text_hits(needle) for needle in DISTINCTIVE}
    assert found == {needle: [] for needle in DISTINCTIVE}
    dob = db.session.scalar(select(Person.id).where(Person.date_of_birth == date(1990, 5, 17)))
    assert dob is None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.anonymised"))
    details = event.one().details
    assert "partner_code_word" in details["fields"] and "client_name" in details["fields"]
    assert set(details) == {"fields"}


@pytest.mark.usefixtures("app_context")
def test_the_stand_in_keeps_the_age_band_at_referral_and_the_equality_answers():
    case = _personal_case()
    case.client.gender, case.client.ethnicity = "man", "white_british"
    db.session.commit()
    referred = case.received_at.date() if case.received_at else today()
    anonymise_case(db.session, None, case, reason="Past retention")
    db.session.commit()
    assert case.client.full_name == MARKER and case.client.date_of_birth is None
    assert (case.client.gender, case.client.ethnicity) == ("man", "white_british")
    age = referred.year - 1990 - ((referred.month, referred.day) < (5, 17))
    assert case.client.age_band == {True: "35_44", False: "25_34"}[age >= 35]
    plan = db.session.scalars(
        select(records.SafetyPlan).where(records.SafetyPlan.case_id == case.id)
    )
    assert plan.one().steps == [{"action": MARKER, "by_whom": MARKER, "by_when": "2026-03-01"}]


@pytest.mark.usefixtures("app_context")
def test_a_person_shared_with_a_case_not_anonymised_keeps_their_details_there():
    case = _personal_case()
    other = factories.case()
    other.client_id = case.client_id
    db.session.commit()
    anonymise_case(db.session, None, case, reason="Past retention")
    db.session.commit()
    assert other.client.full_name == CLIENT["full_name"]
    assert case.client.full_name == MARKER and case.client_id != other.client_id


@pytest.mark.usefixtures("app_context")
def test_an_anonymised_case_keeps_its_consents_and_is_still_left_out_when_declined():
    case = _personal_case()
    declined = records.Consent(
        case_id=case.id,
        person_role="partner",
        kind="evaluation",
        state="declined",
        recorded_on=today() - timedelta(days=1),
    )
    db.session.add(declined)
    db.session.commit()
    key = pseudonym.key_from(current_app.config)
    before = extract.population(db.session, key, None, None)
    anonymise_case(db.session, None, case, reason="Past retention")
    db.session.commit()
    after = extract.population(db.session, key, None, None)
    assert before.left_out == after.left_out == {"evaluation_consent_declined": 1}
    assert after.candidates == []


@pytest.mark.usefixtures("app_context")
def test_an_anonymised_case_cannot_be_anonymised_again_and_says_when_it_was():
    case = _personal_case()
    anonymise_case(db.session, None, case, reason="Past retention")
    db.session.commit()
    with pytest.raises(RuleBroken, match=f"Case {case.reference} was anonymised on"):
        anonymise.refuse_if_anonymised(case)
    with pytest.raises(RuleBroken):
        anonymise_case(db.session, None, case, reason="again")


@pytest.mark.usefixtures("app_context")
def test_no_record_of_an_anonymised_case_can_be_added_or_changed_whoever_writes_it():
    case = _personal_case()
    anonymise_case(db.session, None, case, reason="Past retention")
    db.session.commit()
    db.session.add(
        records.CaseNote(case_id=case.id, noted_on=today(), contact="none", note="Later")
    )
    with pytest.raises(anonymise.CaseAnonymised):
        db.session.flush()
    db.session.rollback()
    case.closure_reason = "Changed"
    with pytest.raises(anonymise.CaseAnonymised):
        db.session.commit()
    db.session.rollback()
    extension = PlacementExtension(
        placement_id=db.session.scalar(select(Placement.id).where(Placement.case_id == case.id)),
        nights=2,
        reason="More",
    )
    db.session.add(extension)
    with pytest.raises(anonymise.CaseAnonymised):
        db.session.flush()
    db.session.rollback()
    assert (
        db.session.scalar(select(records.CaseNote.id).where(records.CaseNote.note == "Later"))
        is None
    )


@pytest.mark.usefixtures("app_context")
def test_a_late_invoice_for_an_anonymised_cases_stay_is_still_recorded_and_counted():
    from accommodation.finance import services as finance

    case = _personal_case()
    stay = db.session.scalars(select(Placement).where(Placement.case_id == case.id)).one()
    anonymise_case(db.session, None, case, reason="Erasure granted")
    db.session.commit()
    invoice = finance.record_invoice(
        db.session,
        factories.user("finance"),
        stay.id,
        supplier="Fictional Lets Ltd",
        number="INV-LATE",
        invoice_date=today(),
        first_night=stay.start_on,
        last_night=stay.start_on + timedelta(days=6),
        amount_pence=7 * fa.RATE,
    )
    assert invoice.id is not None
    assert db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.invoice_id == invoice.id))
