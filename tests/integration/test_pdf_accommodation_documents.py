"""The accommodation documents, made by `accommodation.documents` on a real database and
read back with pypdf: the agreement (its terms, dates and signature lines, and victim
safety, on test data and on every approved demo placement) and Camden's statement (every
figure equal to the ledger's to the penny, the period filter, corrections)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from accommodation import documents, ledger, store
from accommodation.finance.statement import check_period
from accommodation.models import Invoice, LedgerEntry, Payment, Placement
from accommodation.stay.agreement import NO_STAY, NOT_APPROVED
from accommodation.stay.services import EARLY_MOVE_OUT
from eip.audit import AuditEvent
from eip.cases.models import Case, Person
from eip.domain import NotAllowed, RuleBroken
from eip.extensions import db
from eip.formatting import accounts_pence
from eip.programme import current_settings
from tests import factories
from tests import factories_accommodation as fa
from tests.conftest import run_seed_demo

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
PARTNER = {
    "full_name": "Fictional Partnername",
    "address": "88 Hidden Lane, London E8 1ZZ",
    "phone": "07700 900222",
    "email": "partner.fictional@example.org",
}
SAFE_TIMES = "Tuesdays between 1pm and 2pm only"
CODE_WORD = "periwinkle"
AREAS_TO_AVOID = "Anywhere in Holloway"  # the factory's request


def pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(content)).pages]


def flat(content: bytes) -> str:
    """Every page's text with line breaks joined, so a phrase the layout wrapped matches."""
    return " ".join(" ".join(pages(content)).split())


def downloads() -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == "document.downloaded")
    return list(db.session.scalars(query))


# ---------------------------------------------------------------------------
# The agreement


@pytest.fixture
def practitioner(app_context):
    return factories.user("practitioner", name="Amara Fictional")


def sensitive_case(practitioner) -> Case:
    """A case ready for accommodation whose partner has every detail a page could leak."""
    case = fa.accommodation_case(practitioner)
    partner = db.session.get(Person, case.partner_id)
    for field, value in PARTNER.items():
        setattr(partner, field, value)
    case.partner_safe_contact_times = SAFE_TIMES
    case.partner_code_word = CODE_WORD
    db.session.commit()
    return case


def test_the_agreement_sets_out_the_stay_the_terms_and_the_signature_lines(practitioner):
    case = sensitive_case(practitioner)
    placement = fa.placement(case, "approved", nights=21, move_in_on=date(2026, 3, 9))
    document = documents.produce_agreement(db.session, practitioner, placement, at=AT)
    assert document.filename == f"{case.reference}-accommodation-agreement.pdf"
    found = pages(document.content)
    for number, page in enumerate(found, start=1):
        assert f"Case {case.reference}" in page
        assert f"Page {number} of {len(found)}" in page
        assert page.count("OFFICIAL-SENSITIVE") == 2
    text = flat(document.content)
    client = db.session.get(Person, case.client_id).full_name
    for expected in (
        "Temporary accommodation agreement",
        f"Between {client} and the Early Intervention Project",
        "Fictional Lets Ltd",
        "Flat 2, 10 Example Road, London N1 0AA",
        "Monday 9 March 2026",
        "Monday 30 March 2026, in the morning",  # 21 nights later
        "Up to 21 nights",
        "It is not a tenancy",
        "No visitors",
        "house rules of Fictional Lets Ltd",
        "return-home review",
        "always comes before the move-out date",
        "may end early",
        "more than 28 nights in total",
        "To be signed before you move in",
        "Amara Fictional",
        "Signature",
        "Prepared on: 2 March 2026",
    ):
        assert expected in text, expected
    # A name, signature and date line each for the client and the practitioner.
    assert len(re.findall(r"\bSignature\b", text)) == 2
    assert len(re.findall(r"\bName\b", text)) == 2


def test_the_agreement_never_holds_the_partners_details_or_the_areas_to_avoid(practitioner):
    case = sensitive_case(practitioner)
    placement = fa.placement(case, "checked_in")
    assert placement.areas_to_avoid == AREAS_TO_AVOID
    text = flat(documents.produce_agreement(db.session, practitioner, placement).content)
    for secret in (*PARTNER.values(), SAFE_TIMES, CODE_WORD, AREAS_TO_AVOID, "Holloway"):
        assert secret not in text, secret
    assert "Recorded as signed on" in text


def test_a_signed_or_checked_in_stay_prints_a_copy_with_the_signed_date(practitioner):
    placement = fa.placement(fa.accommodation_case(practitioner), "agreement_signed")
    text = flat(documents.produce_agreement(db.session, practitioner, placement).content)
    signed = placement.agreement_signed_on
    assert f"Recorded as signed on {signed.day} {signed:%B %Y}; this is a copy" in text


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("requested", NOT_APPROVED),
        ("declined", NO_STAY),
        ("cancelled", NO_STAY),
    ],
)
def test_there_is_no_agreement_before_approval_or_once_the_stay_is_over(
    practitioner, state, message
):
    placement = fa.placement(fa.accommodation_case(practitioner), state)
    with pytest.raises(RuleBroken) as refused:
        documents.produce_agreement(db.session, practitioner, placement)
    assert refused.value.message == message
    assert downloads() == []


@pytest.mark.parametrize("role", ["spoc", "finance", "evaluator", "admin"])
def test_only_practitioners_and_managers_may_make_the_agreement(practitioner, role):
    placement = fa.placement(fa.accommodation_case(practitioner), "approved")
    with pytest.raises(NotAllowed):
        documents.produce_agreement(db.session, factories.user(role), placement)
    assert downloads() == []


def test_the_agreement_download_is_audited_with_the_kind_of_document_only(practitioner):
    placement = fa.placement(fa.accommodation_case(practitioner), "approved")
    manager = factories.user("manager")
    documents.produce_agreement(db.session, manager, placement)
    (event,) = downloads()
    assert event.details == {"document": "accommodation_agreement"}
    assert (event.object_type, event.object_id) == ("placement", str(placement.id))
    assert event.case_reference == placement.case.reference
    assert event.actor_id == manager.id


def test_no_approved_demo_placements_agreement_holds_the_partners_details(runner, app_context):
    run_seed_demo(runner)
    # An active one: the demo also has a practitioner whose account was disabled.
    practitioner = db.session.scalar(
        select(factories.User)
        .where(factories.User.role == "practitioner", factories.User.active.is_(True))
        .order_by(factories.User.id)
    )
    checked = 0
    for placement in db.session.scalars(select(Placement).order_by(Placement.id)):
        if placement.state not in ("approved", "agreement_signed", "checked_in"):
            continue
        case, partner = placement.case, placement.case.partner
        secrets = [
            partner.full_name,
            partner.address,
            partner.phone,
            partner.email,
            case.partner_safe_contact_times,
            case.partner_code_word,
            placement.areas_to_avoid,
        ]
        text = flat(documents.produce_agreement(db.session, practitioner, placement).content)
        assert case.reference in text and placement.address in text
        for secret in secrets:
            if secret:
                assert " ".join(secret.split()) not in text, (case.reference, secret)
        checked += 1
    assert checked >= 2  # the demo's signed stay and its stay under way


# ---------------------------------------------------------------------------
# The finance statement

START, END = date(2026, 4, 1), date(2026, 4, 30)
RATE = 6_500
ADDED_REASON = "Late checkout fee agreed with Fictional Clientname"


def approved(case: Case, nights: int, move_in_on: date, approved_on: date) -> Placement:
    """A placement the SPOC approved on `approved_on`, its commitment dated then."""
    placement = fa.placement(case, "requested", nights=nights, move_in_on=move_in_on)
    placement.state = "approved"
    placement.provider = "Fictional Lets Ltd"
    placement.address = "Flat 2, 10 Example Road, London N1 0AA"
    placement.nightly_rate_pence = RATE
    placement.approved_nights = nights
    store.append(db.session, None, "commit", placement, nights * RATE, effective_on=approved_on)
    db.session.commit()
    return placement


def invoice(placement: Placement, number: str, amount: int, on: date) -> Invoice:
    row = Invoice(
        placement_id=placement.id,
        supplier="Fictional Lets Ltd",
        supplier_key="fictional lets ltd",
        number=number,
        invoice_date=on,
        first_night=placement.start_on,
        last_night=placement.start_on + timedelta(days=6),
        amount_pence=amount,
    )
    db.session.add(row)
    db.session.flush()
    store.append(db.session, None, "invoice", placement, amount, effective_on=on, invoice_id=row.id)
    db.session.commit()
    return row


def payment(row: Invoice, reference: str, on: date) -> None:
    paid = Payment(
        invoice_id=row.id, paid_on=on, amount_pence=row.amount_pence, reference=reference
    )
    db.session.add(paid)
    db.session.flush()
    store.append(
        db.session,
        None,
        "payment",
        row.placement,
        row.amount_pence,
        effective_on=on,
        invoice_id=row.id,
        payment_id=paid.id,
    )
    db.session.commit()


def reverse(number: str, on: date) -> None:
    entry = db.session.scalar(
        select(LedgerEntry)
        .join(Invoice, Invoice.id == LedgerEntry.invoice_id)
        .where(Invoice.number == number, LedgerEntry.kind == "invoice")
    )
    store.append(
        db.session,
        None,
        "reversal",
        entry.placement,
        entry.amount_pence,
        effective_on=on,
        reverses_id=entry.id,
        invoice_id=entry.invoice_id,
        reason="Typed against the wrong placement",
    )
    db.session.commit()


@pytest.fixture
def ledgered(app_context):
    """Three placements with entries before, in and after April 2026.

    March (Camden): approved 18 March, invoiced 31 March, early move-out released on
    2 April, paid on 10 April. April (Hackney): approved 3 April, an added commitment on
    15 April, invoiced on 20 April, a mistaken invoice on 21 April reversed on 22 April.
    May (Camden): approved and invoiced in May only.
    """
    march = approved(fa.accommodation_case(), 10, date(2026, 3, 20), date(2026, 3, 18))
    april = approved(
        fa.accommodation_case(borough_name="Hackney"), 7, date(2026, 4, 6), date(2026, 4, 3)
    )
    may = approved(fa.accommodation_case(), 5, date(2026, 5, 4), date(2026, 5, 2))
    first = invoice(march, "INV-M1", 7 * RATE, date(2026, 3, 31))
    store.append(
        db.session, None, "release", march, 3 * RATE, effective_on=date(2026, 4, 2),
        reason=EARLY_MOVE_OUT,
    )  # fmt: skip
    payment(first, "PAY-0001", date(2026, 4, 10))
    store.append(
        db.session, None, "commit", april, 2 * RATE, effective_on=date(2026, 4, 15),
        reason=ADDED_REASON,
    )  # fmt: skip
    invoice(april, "INV-A1", 7 * RATE, date(2026, 4, 20))
    invoice(april, "INV-A2", 12_345, date(2026, 4, 21))
    reverse("INV-A2", date(2026, 4, 22))
    invoice(may, "INV-MAY", 5 * RATE, date(2026, 5, 10))
    return march, april, may


def entries_dated(keep) -> list[ledger.Entry]:
    rows = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id))
    return [
        ledger.Entry(r.kind, r.placement_id, r.amount_pence, r.reverses_id, r.id)
        for r in rows
        if keep(r.effective_on)
    ]


def statement_text(start: date = START, end: date = END, role: str = "finance") -> str:
    user = factories.user(role, name="Grace Fictional")
    document = documents.produce_statement(db.session, user, start, end, at=AT)
    found = pages(document.content)
    for number, page in enumerate(found, start=1):
        assert f"Page {number} of {len(found)}" in page
        assert page.count("OFFICIAL-SENSITIVE") == 2
    return flat(document.content)


def test_the_statements_balance_matches_the_ledger_to_the_penny(ledgered):
    text = statement_text()
    pot = current_settings(db.session).pot_pence
    closing = ledger.pot_totals(entries_dated(lambda on: on <= END), pot)
    opening = ledger.pot_totals(entries_dated(lambda on: on < START), pot)
    assert (opening.committed, opening.invoiced, opening.paid) == (65_000, 45_500, 0)
    assert (closing.committed, closing.invoiced, closing.paid) == (104_000, 91_000, 45_500)
    for label, before, after in (
        ("Committed", opening.committed, closing.committed),
        ("Invoiced", opening.invoiced, closing.invoiced),
        ("Paid", opening.paid, closing.paid),
        ("Available", opening.available, closing.available),
    ):
        change = accounts_pence(after - before)
        assert f"{label} {accounts_pence(before)} {change} {accounts_pence(after)}" in text, label
    assert "Pot (VAT included) £14,000.00 £0.00 £14,000.00" in text
    assert "At the start (31 March 2026)" in text and "At the end (30 April 2026)" in text


def test_the_movements_in_the_period_are_listed_with_totals_that_add_up(ledgered):
    _march, april, _may = ledgered
    text = statement_text()
    in_april = [
        r
        for r in db.session.scalars(select(LedgerEntry))
        if START <= r.effective_on <= END and r.kind != "reversal"
    ]
    kinds = ("commit", "release", "invoice", "payment")
    by_kind = {kind: sum(r.amount_pence for r in in_april if r.kind == kind) for kind in kinds}
    assert by_kind == {"commit": 58_500, "release": 19_500, "invoice": 57_845, "payment": 45_500}
    assert "Total commitments £585.00" in text
    assert "Total releases £195.00" in text
    assert "Total invoices £455.00" in text  # the mistaken £123.45 and its correction
    assert "Total payments £455.00" in text
    assert "3 Apr 2026 " + april.case.reference + " Hackney Placement approved £455.00" in text
    assert "Added commitment £130.00" in text
    assert "Early move-out: nights approved but not used (3 nights at £65.00) £195.00" in text
    assert "Invoice INV-A2 from Fictional Lets Ltd" in text
    assert "Correction of: Invoice INV-A2 from Fictional Lets Ltd" in text
    assert "(£123.45)" in text
    assert "Payment PAY-0001 of invoice INV-M1 £455.00" in text
    assert "7 ledger entries in the period" in text


def test_only_entries_dated_in_the_period_are_listed(ledgered):
    _march, _april, may = ledgered
    text = statement_text()
    assert "Invoice INV-M1" not in text  # dated 31 March: in the opening balance
    assert "INV-MAY" not in text  # dated May: after the period
    assert may.case.reference not in text  # nothing by the end of April
    march_only = statement_text(date(2026, 3, 1), date(2026, 3, 31))
    assert "Invoice INV-M1" in march_only
    assert "INV-A1" not in march_only and "PAY-0001" not in march_only
    assert "Total commitments £650.00" in march_only
    assert "Releases Commitments given back" in march_only
    assert "None in this period." in march_only


def test_the_placements_table_adds_up_to_the_closing_balance(ledgered):
    march, april, _may = ledgered
    text = statement_text()
    # Each placement named as on every page: case reference and move-in date.
    assert f"{march.name} Camden" in text
    assert f"{april.name} Hackney" in text
    assert "Total £1,040.00 £910.00 £455.00" in text


def test_the_statement_shows_references_and_boroughs_never_names_or_typed_reasons(ledgered):
    text = statement_text()
    for placement in ledgered:
        assert placement.client.full_name not in text
    assert ADDED_REASON not in text and "wrong placement" not in text


def test_a_correction_dated_before_the_entry_it_corrects_still_adds_up(app_context):
    placement = approved(fa.accommodation_case(), 7, date(2026, 4, 6), date(2026, 4, 3))
    invoice(placement, "INV-LATE", 7 * RATE, date(2026, 4, 28))  # back-dated after
    reverse("INV-LATE", date(2026, 4, 10))
    text = statement_text(date(2026, 4, 1), date(2026, 4, 15))
    assert "Correction of: Invoice INV-LATE" in text
    assert "Total invoices (£455.00)" in text
    assert "Total invoices £0.00" in statement_text()  # the whole month nets to nothing


def test_an_invoice_above_what_is_still_committed_counts_against_the_pot(app_context):
    # Invoiced in full, then two nights released: £325.00 committed, £455.00 invoiced. The
    # pot holds the larger of the two (DOMAIN.md), as on the budget page.
    placement = approved(fa.accommodation_case(), 7, date(2026, 4, 6), date(2026, 4, 3))
    invoice(placement, "INV-FULL", 7 * RATE, date(2026, 4, 10))
    store.append(
        db.session, None, "release", placement, 2 * RATE, effective_on=date(2026, 4, 12),
        reason=EARLY_MOVE_OUT,
    )  # fmt: skip
    db.session.commit()
    text = statement_text()
    assert "Committed £0.00 £325.00 £325.00" in text
    assert "Invoiced £0.00 £455.00 £455.00" in text
    assert "Available £14,000.00 (£455.00) £13,545.00" in text
    pot = current_settings(db.session).pot_pence
    assert ledger.pot_totals(store.entries(db.session), pot).available == 1_354_500


def test_a_period_with_no_money_still_gives_the_balance(ledgered):
    text = statement_text(date(2025, 1, 1), date(2025, 1, 31))
    assert text.count("None in this period.") == 4
    assert "No placement had money committed by the end of the period." in text
    assert "Available £14,000.00 £0.00 £14,000.00" in text


def test_the_statement_is_for_finance_and_managers_and_its_download_is_audited(ledgered):
    statement_text(role="manager")
    (event,) = downloads()
    assert event.details == {"document": "finance_statement"}
    assert event.object_type == "budget" and event.case_reference is None
    for role in ("practitioner", "spoc", "evaluator", "admin"):
        with pytest.raises(NotAllowed):
            documents.produce_statement(db.session, factories.user(role), START, END)
    assert len(downloads()) == 1


# The statement's dates are read by the form's GOV.UK date boxes (tests/web/
# test_report_downloads.py); the period's own rules are these.


@pytest.mark.parametrize(
    ("start", "end", "errors"),
    [
        (
            date(2026, 4, 30),
            date(2026, 4, 1),
            {"end": "The end date must be the same as or after the start date"},
        ),
        (
            date(26, 4, 1),
            date(2026, 4, 30),
            {"start": "The start date must be a real date, like 1 4 2026"},
        ),
    ],
)
def test_a_period_that_is_not_two_dates_in_order_is_refused_by_field(start, end, errors):
    with pytest.raises(RuleBroken) as refused:
        check_period(start, end)
    assert refused.value.errors == errors


def test_a_one_day_period_is_a_period():
    assert check_period(date(2026, 4, 1), date(2026, 4, 1)) == (date(2026, 4, 1), date(2026, 4, 1))
