"""Camden finance's pages through the real app: the invoice, payment and reversal forms, the
invoices list; bad input beside its field with a 400; every other role refused with a 403
that is audited; and never a client's or partner's name on any page finance sees."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accommodation import ledger, store
from accommodation.models import Invoice, LedgerEntry
from eip.audit import AuditEvent
from eip.cases.models import Person
from eip.clock import today
from eip.extensions import db
from tests import factories_accommodation as fa
from tests.conftest import csrf_token_from, post_form

CLIENT_NAME = "Zebedee Quillfeather"
PARTNER_NAME = "Ottoline Marchbanks"
RATE = fa.RATE


def named_placement(state="checked_in", borough="Camden", **kwargs):
    """A placement whose client and partner have names no page should ever show finance."""
    case = fa.accommodation_case(borough_name=borough)
    client, partner = (
        db.session.get(Person, case.client_id),
        db.session.get(Person, case.partner_id),
    )
    client.full_name, partner.full_name = CLIENT_NAME, PARTNER_NAME
    db.session.commit()
    return fa.placement(case, state, **kwargs)


def ledger_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(LedgerEntry))


def error_beside(page: str, field: str) -> str | None:
    """The message GOV.UK Frontend shows beside `field`, or None."""
    found = re.search(
        rf'<p id="{field}-error" class="govuk-error-message">(.*?)</p>', page, re.DOTALL
    )
    if found is None:
        return None
    text = re.sub(r"<[^>]+>", "", found.group(1))
    return html_lib.unescape(" ".join(text.split())).removeprefix("Error: ")


def date_parts(day) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def invoice_form(placement, **changes) -> dict:
    form = {
        "supplier": "Fictional Lets Ltd",
        "number": "INV-100",
        "invoice_date": date_parts(today()),
        "first_night": date_parts(placement.start_on),
        "last_night": date_parts(placement.start_on + timedelta(days=6)),
        "amount": "£455.00",
    }
    form.update(changes)
    return form


def invoice_url(placement) -> str:
    return f"/placements/{placement.id}/invoices/new"


def recorded_invoice(placement, finance_client, number="INV-100") -> Invoice:
    form = invoice_form(placement, number=number)
    response = post_form(finance_client, invoice_url(placement), form)
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(select(Invoice).order_by(Invoice.id.desc())).first()


@pytest.fixture
def finance(signed_in):
    client, _user = signed_in("finance")
    return client


# ---------------------------------------------------------------------------
# Recording an invoice


def test_finance_records_an_invoice_and_goes_back_to_the_placement(finance):
    p = named_placement()
    page = finance.get(invoice_url(p)).get_data(as_text=True)
    assert "Record an invoice" in page and p.case.reference in page
    assert "£1,820.00" in page  # committed: 28 nights at £65.00
    response = post_form(finance, invoice_url(p), invoice_form(p, amount="1,234.5"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/placements/{p.id}")
    invoice = db.session.scalars(select(Invoice)).one()
    assert (invoice.amount_pence, invoice.number) == (123_450, "INV-100")
    assert ledger.placement_totals(store.entries(db.session), p.id).invoiced == 123_450
    followed = finance.get(response.headers["Location"]).get_data(as_text=True)
    assert "Invoice recorded: £1,234.50" in followed


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "The amount must be more than £0"),
        ("0", "The amount must be more than £0"),
        ("0.00", "The amount must be more than £0"),
        ("12.345", "The amount can have at most 2 decimal places"),
        ("99999999", "The amount is too large"),
        ("twelve", "Enter an amount in pounds, like 1,234.50"),
        ("", "Enter an amount in pounds, like 1,234.50"),
    ],
)
def test_a_bad_amount_is_refused_beside_the_field_and_nothing_is_written(finance, typed, message):
    p = named_placement()
    before = ledger_count()
    response = post_form(finance, invoice_url(p), invoice_form(p, amount=typed))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert error_beside(page, "amount") == message
    assert "There is a problem" in page
    assert ledger_count() == before
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 0


def test_nights_outside_the_stay_are_refused_beside_the_last_night(finance):
    p = named_placement()
    move_out = p.planned_move_out_on
    response = post_form(
        finance,
        invoice_url(p),
        invoice_form(p, last_night=date_parts(move_out), amount="1820"),
    )
    assert response.status_code == 400
    message = error_beside(response.get_data(as_text=True), "last_night")
    assert message.startswith("The last night must be before the move-out on")
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 0


def test_an_invoice_above_the_commitment_is_refused_beside_the_amount(finance):
    p = named_placement()
    response = post_form(finance, invoice_url(p), invoice_form(p, amount="1820.01"))
    assert response.status_code == 400
    assert "added commitment of £0.01" in error_beside(response.get_data(as_text=True), "amount")


def test_a_duplicate_invoice_number_is_refused_beside_the_number(finance):
    p = named_placement()
    recorded_invoice(p, finance)
    before = ledger_count()
    response = post_form(
        finance, invoice_url(p), invoice_form(p, supplier="FICTIONAL lets  ltd", amount="10")
    )
    assert response.status_code == 400
    assert "already recorded" in error_beside(response.get_data(as_text=True), "number")
    assert ledger_count() == before


def test_dates_that_are_not_real_are_refused_beside_their_fields(finance):
    p = named_placement()
    response = post_form(
        finance,
        invoice_url(p),
        invoice_form(p, invoice_date=["31", "2", "2026"], first_night=["", "", ""]),
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert error_beside(page, "invoice_date").startswith("The invoice date must be a real date")
    assert error_beside(page, "first_night") == "Enter the first night the invoice covers"


# ---------------------------------------------------------------------------
# Payments and reversals


def test_finance_records_a_payment_and_is_stopped_from_paying_it_twice(finance):
    p = named_placement()
    invoice = recorded_invoice(p, finance)
    url = f"/invoices/{invoice.id}/payments/new"
    page = finance.get(url).get_data(as_text=True)
    assert "INV-100" in page and "£455.00" in page
    form = {"paid_on": date_parts(today()), "amount": "455", "reference": "BACS-1"}
    assert post_form(finance, url, form).status_code == 302
    again = post_form(finance, url, form, form_url="/invoices")
    assert again.status_code == 400
    assert error_beside(again.get_data(as_text=True), "amount") == (
        "This invoice has already been paid in full"
    )
    assert "already been paid in full" in finance.get(url).get_data(as_text=True)


def test_an_overpayment_is_refused_beside_the_amount(finance):
    p = named_placement()
    invoice = recorded_invoice(p, finance)
    url = f"/invoices/{invoice.id}/payments/new"
    form = {"paid_on": date_parts(today()), "amount": "455.01", "reference": "BACS-1"}
    response = post_form(finance, url, form)
    assert response.status_code == 400
    assert error_beside(response.get_data(as_text=True), "amount") == (
        "This invoice has £455.00 left to pay: £455.01 would overpay it"
    )
    bad = post_form(finance, url, {**form, "amount": "-1", "reference": ""})
    assert error_beside(bad.get_data(as_text=True), "amount") == "The amount must be more than £0"
    assert error_beside(bad.get_data(as_text=True), "reference") == "Enter the payment reference"


def test_finance_reverses_an_entry_with_a_reason(finance):
    p = named_placement()
    invoice = recorded_invoice(p, finance)
    entry = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.invoice_id == invoice.id)
    ).one()
    url = f"/ledger/{entry.id}/reverse"
    assert "Reverse an invoice" in finance.get(url).get_data(as_text=True)
    empty = post_form(finance, url, {"reason": "  "})
    assert empty.status_code == 400
    assert (
        error_beside(empty.get_data(as_text=True), "reason") == "Enter the reason for the reversal"
    )
    done = post_form(finance, url, {"reason": "Entered against the wrong placement"})
    assert done.status_code == 302
    assert ledger.placement_totals(store.entries(db.session), p.id).invoiced == 0
    page = finance.get(url).get_data(as_text=True)
    assert "This entry has already been reversed" in page
    assert 'name="reason"' not in page


def test_a_refused_reversal_is_shown_at_the_top_of_the_form(finance):
    p = named_placement()
    invoice = recorded_invoice(p, finance)
    post_form(
        finance,
        f"/invoices/{invoice.id}/payments/new",
        {"paid_on": date_parts(today()), "amount": "455", "reference": "BACS-1"},
    )
    entry = db.session.scalars(
        select(LedgerEntry).where(
            LedgerEntry.invoice_id == invoice.id, LedgerEntry.kind == "invoice"
        )
    ).one()
    url = f"/ledger/{entry.id}/reverse"
    assert "Reverse the payment of this invoice first" in finance.get(url).get_data(as_text=True)
    response = post_form(finance, url, {"reason": "Wrong"}, form_url="/invoices")
    assert response.status_code == 400
    assert "Reverse the payment of this invoice first" in response.get_data(as_text=True)


def test_the_invoices_list_shows_unpaid_first_with_days_since_the_invoice_date(finance):
    camden = named_placement()
    old = recorded_invoice(camden, finance)
    old.invoice_date = today() - timedelta(days=40)
    paid = recorded_invoice(named_placement(borough="Islington"), finance, number="INV-200")
    db.session.commit()
    post_form(
        finance,
        f"/invoices/{paid.id}/payments/new",
        {"paid_on": date_parts(today()), "amount": "455", "reference": "BACS-1"},
    )
    page = finance.get("/invoices").get_data(as_text=True)
    assert page.index(camden.case.reference) < page.index(paid.placement.case.reference)
    assert "40 days ago" in page and "Over 30 days" in page
    assert "1 unpaid, £455.00 in all" in page
    # Each placement named on sight by case reference and move-in date, as on every page:
    # two placements of one case are told apart.
    assert f">{camden.name}</a>" in page


# ---------------------------------------------------------------------------
# No names


def test_no_page_finance_uses_shows_a_client_or_partner_name(finance):
    p = named_placement()
    invoice = recorded_invoice(p, finance)
    entry = db.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "commit")).one()
    pages = [
        invoice_url(p),
        f"/invoices/{invoice.id}/payments/new",
        f"/ledger/{entry.id}/reverse",
        "/invoices",
        "/budget",
        "/",
    ]
    for url in pages:
        response = finance.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        for name in (CLIENT_NAME, PARTNER_NAME, "Zebedee", "Quillfeather", "Marchbanks"):
            assert name not in page, (url, name)
        assert p.case.reference in page, url


def test_the_placement_page_money_panel_shows_finance_no_name(finance):
    p = named_placement()
    recorded_invoice(p, finance)
    page = finance.get(f"/placements/{p.id}").get_data(as_text=True)
    assert "Record an invoice" in page and "INV-100" in page
    assert CLIENT_NAME not in page and PARTNER_NAME not in page


def test_others_read_the_money_panel_without_finances_buttons(signed_in, finance):
    p = named_placement()
    recorded_invoice(p, finance)
    for role, extra in (
        ("practitioner", {}),
        ("manager", {}),
        ("spoc", {"borough_name": "Camden"}),
    ):
        client, _user = signed_in(role, **extra)
        page = client.get(f"/placements/{p.id}").get_data(as_text=True)
        assert "INV-100" in page and "£455.00" in page, role
        assert "Record an invoice" not in page and "/reverse" not in page, role


# ---------------------------------------------------------------------------
# Who may


def _refused_and_audited(client, url, endpoint):
    before = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "access.refused")
    )
    assert client.get(url).status_code == 403, url
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "access.refused")
        .order_by(AuditEvent.id.desc())
    ).all()
    assert len(events) == before + 1
    assert events[0].details["endpoint"] == endpoint


@pytest.mark.parametrize("role", ["practitioner", "manager", "spoc", "evaluator", "admin"])
def test_every_other_role_is_refused_finances_pages_and_the_refusal_is_audited(
    signed_in, finance, role
):
    p = named_placement()
    invoice = recorded_invoice(p, finance)
    entry = db.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "commit")).one()
    client, _user = signed_in(role, **({"borough_name": "Camden"} if role == "spoc" else {}))
    _refused_and_audited(client, invoice_url(p), "accommodation.invoice_new")
    _refused_and_audited(
        client, f"/invoices/{invoice.id}/payments/new", "accommodation.payment_new"
    )
    _refused_and_audited(client, f"/ledger/{entry.id}/reverse", "accommodation.reverse_entry")
    _refused_and_audited(client, "/invoices", "accommodation.invoices")
    before = ledger_count()
    # A real token (from the sign-out form every page has): the refusal is the policy's.
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    posted = client.post(invoice_url(p), data={**invoice_form(p), "csrf_token": token})
    assert posted.status_code == 403
    assert ledger_count() == before


def test_finance_is_refused_a_request_the_spoc_has_not_approved(finance):
    p = named_placement(state="requested")
    _refused_and_audited(finance, invoice_url(p), "accommodation.invoice_new")


def test_no_such_placement_invoice_or_entry_is_a_404(finance):
    for url in (
        "/placements/999999/invoices/new",
        "/invoices/999999/payments/new",
        "/ledger/999999/reverse",
    ):
        assert finance.get(url).status_code == 404, url


def test_a_post_without_the_csrf_token_is_refused(finance):
    p = named_placement()
    response = finance.post(invoice_url(p), data=invoice_form(p))
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 0
