"""The review's findings on the accommodation pages, through the real app and real forms:
finance's "Reverse" only on invoices and payments, the SPOC's reversal of an added
commitment, a mistyped invoice year that cannot break the budget, odd digits and NUL
characters refused with a message, impossible ids answered 404, a late check-in told what
happened, and free text kept from the roles that must not read it."""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from accommodation.models import LedgerEntry, Placement
from accommodation.placements import commitment_services as commitments
from eip.admin.models import ProgrammeSettings
from eip.clock import today
from eip.extensions import db
from tests import factories_accommodation as fa
from tests.conftest import post_form

RATE = fa.RATE
HUGE = "9" * 25


def _date(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _ledger_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(LedgerEntry))


def _text(page: str) -> str:
    return html_lib.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def _error_beside(page: str, field: str) -> str | None:
    found = re.search(
        rf'<p id="{field}-error" class="govuk-error-message">(.*?)</p>', page, re.DOTALL
    )
    return _text(found.group(1)).removeprefix("Error: ") if found else None


def _entry(placement: Placement, kind: str) -> LedgerEntry:
    return db.session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.placement_id == placement.id, LedgerEntry.kind == kind)
        .order_by(LedgerEntry.id.desc())
    ).first()


def _invoice_form(placement: Placement, **changes) -> dict:
    form = {
        "supplier": "Fictional Lets Ltd",
        "number": "INV-100",
        "invoice_date": _date(today()),
        "first_night": _date(placement.start_on),
        "last_night": _date(placement.start_on + timedelta(days=6)),
        "amount": "£455.00",
    }
    form.update(changes)
    return form


def _added_commitment(placement: Placement, amount: int = 13_000, reason="For the deposit"):
    spoc = fa.spoc_of(placement.case)
    db.session.refresh(placement)
    commitments.add_commitment(
        db.session,
        spoc,
        placement.id,
        amount_pence=amount,
        reason=reason,
        version=placement.version,
    )
    return _entry(placement, "commit")


# ---------------------------------------------------------------------------
# 1. Reversals


def test_finance_sees_reverse_only_on_invoices_and_payments(signed_in):
    p = fa.placement(state="ended", moved_out_after=10)
    finance, _user = signed_in("finance")
    assert post_form(finance, f"/placements/{p.id}/invoices/new", _invoice_form(p)).status_code == (
        302
    )
    page = finance.get(f"/placements/{p.id}").get_data(as_text=True)
    links = set(re.findall(r'href="/ledger/(\d+)/reverse"', page))
    assert links == {str(_entry(p, "invoice").id)}


def test_finance_reversing_a_commitment_is_refused_on_the_page_and_nothing_is_written(signed_in):
    p = fa.placement(state="checked_in")
    finance, _user = signed_in("finance")
    url = f"/ledger/{_entry(p, 'commit').id}/reverse"
    page = finance.get(url).get_data(as_text=True)
    assert "corrects only the invoices and payments it records" in _text(page)
    before = _ledger_count()
    response = post_form(finance, url, {"reason": "Mistake"})
    assert response.status_code == 400
    assert "corrects only the invoices and payments" in _text(response.get_data(as_text=True))
    assert _ledger_count() == before


def test_the_spoc_reverses_an_added_commitment_from_the_money_panel(signed_in):
    p = fa.placement(state="checked_in")
    added = _added_commitment(p)
    spoc, _user = signed_in("spoc", borough_name="Camden")
    page = spoc.get(f"/placements/{p.id}").get_data(as_text=True)
    url = f"/placements/{p.id}/commitments/{added.id}/reverse"
    assert f'href="{url}"' in page
    approval = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.kind == "commit").order_by(LedgerEntry.id)
    ).first()
    assert f"/commitments/{approval.id}/reverse" not in page
    form = spoc.get(url).get_data(as_text=True)
    assert "The practitioner will read this" in form
    db.session.refresh(p)
    response = post_form(spoc, url, {"reason": "The invoice was lower", "version": str(p.version)})
    assert response.status_code == 302, _text(response.get_data(as_text=True))
    reversal = _entry(p, "reversal")
    assert (reversal.reverses_id, reversal.amount_pence) == (added.id, 13_000)
    after = spoc.get(f"/placements/{p.id}").get_data(as_text=True)
    assert f'href="{url}"' not in after


def test_the_spoc_cannot_reverse_the_approval_commitment(signed_in):
    p = fa.placement(state="checked_in")
    spoc, _user = signed_in("spoc", borough_name="Camden")
    url = f"/placements/{p.id}/commitments/{_entry(p, 'commit').id}/reverse"
    db.session.refresh(p)
    before = _ledger_count()
    response = post_form(spoc, url, {"reason": "x", "version": str(p.version)})
    assert response.status_code == 400
    assert "Only an added commitment can be reversed here" in _text(response.get_data(as_text=True))
    assert _ledger_count() == before


@pytest.mark.parametrize("role", ["practitioner", "manager", "finance"])
def test_other_roles_may_not_open_the_spocs_reversal(signed_in, role):
    p = fa.placement(state="checked_in")
    added = _added_commitment(p)
    client, _user = signed_in(role)
    response = client.get(f"/placements/{p.id}/commitments/{added.id}/reverse")
    assert response.status_code == 403


# ---------------------------------------------------------------------------
# 2. A mistyped invoice year


def test_an_invoice_dated_year_one_is_refused_and_the_budget_still_opens(signed_in):
    p = fa.placement(state="checked_in")
    finance, _user = signed_in("finance")
    before = _ledger_count()
    response = post_form(
        finance,
        f"/placements/{p.id}/invoices/new",
        _invoice_form(p, invoice_date=["1", "1", "0001"]),
    )
    assert response.status_code == 400
    message = _error_beside(response.get_data(as_text=True), "invoice_date")
    assert message.startswith("The invoice date cannot be before the SPOC approved")
    assert _ledger_count() == before


def test_a_ledger_entry_dated_year_one_does_not_break_the_budget_or_the_homes(signed_in):
    from accommodation import store

    p = fa.placement(state="checked_in")
    store.append(db.session, None, "invoice", p, RATE, effective_on=date(1, 1, 1))
    db.session.commit()
    manager, _m = signed_in("manager")
    finance, _f = signed_in("finance")
    assert manager.get("/budget").status_code == 200
    assert finance.get("/budget").status_code == 200
    assert finance.get("/").status_code == 200
    months = manager.get("/budget/months.csv")
    assert months.status_code == 200
    assert len(months.get_data(as_text=True).splitlines()) < 12


# ---------------------------------------------------------------------------
# 3. Digits that are not ASCII


@pytest.mark.parametrize("typed", ["²", "٣", "\uff11\uff14"])
def test_nights_in_other_scripts_digits_get_a_message_not_an_error(signed_in, typed):
    client, _user = signed_in("practitioner")
    case = fa.accommodation_case()
    response = post_form(
        client,
        f"/cases/{case.reference}/placements/new",
        {
            "version": str(case.version),
            "move_in_on": _date(today() + timedelta(days=2)),
            "nights": typed,
            "location_preference": "Near the school",
            "areas_to_avoid": "None",
            "out_of_borough": "no",
            "safe_practitioner": "y",
            "safe_social_worker": "y",
            "social_worker_name": "Mira Fictional",
            "safety_judged_on": _date(today()),
        },
    )
    assert response.status_code == 400
    assert _error_beside(response.get_data(as_text=True), "nights") == (
        "The number of nights must be a whole number, like 14"
    )
    assert db.session.scalar(select(func.count()).select_from(Placement)) == 0


def test_the_spocs_approval_refuses_a_superscript_night_count(signed_in):
    p = fa.placement(state="requested")
    spoc, _user = signed_in("spoc", borough_name="Camden")
    response = post_form(
        spoc,
        f"/placements/{p.id}/approve",
        {"provider": "x", "address": "y", "rate": "65", "nights": "²", "version": str(p.version)},
    )
    assert response.status_code == 400
    assert "must be a whole number" in _error_beside(response.get_data(as_text=True), "nights")


def test_an_extension_refuses_a_superscript_night_count(signed_in):
    p = fa.placement(state="checked_in")
    client, _user = signed_in("practitioner")
    response = post_form(
        client,
        f"/placements/{p.id}/extensions/new",
        {"nights": "²", "reason": "Waiting for a refuge place", "version": str(p.version)},
    )
    assert response.status_code == 400
    assert "must be a whole number" in _error_beside(response.get_data(as_text=True), "nights")


# ---------------------------------------------------------------------------
# 13. NUL characters


def test_a_nul_character_in_free_text_is_stripped_and_never_a_server_error(signed_in):
    """Control characters are stripped from every request before a form sees them
    (eip/inputs.py): what was typed is kept without them, and a field that held nothing
    else is empty and asked for again."""
    from accommodation.models import Invoice

    p = fa.placement(state="checked_in")
    finance, _f = signed_in("finance")
    response = post_form(
        finance, f"/placements/{p.id}/invoices/new", _invoice_form(p, supplier="Fict\x00ional")
    )
    assert response.status_code == 302
    assert db.session.scalars(select(Invoice.supplier)).one() == "Fictional"

    practitioner, _p = signed_in("practitioner")
    approved = fa.placement(state="approved")
    response = post_form(
        practitioner,
        f"/placements/{approved.id}/cancel",
        {
            "cancelled_on": _date(today()),
            "reason": "Chose\x00 family",
            "version": str(approved.version),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Placement, approved.id).cancel_reason == "Chose family"

    requested = fa.placement(state="requested")
    response = post_form(
        practitioner,
        f"/placements/{requested.id}/withdraw",
        {"reason": "\x00", "version": str(requested.version)},
    )
    assert response.status_code == 400
    assert _error_beside(response.get_data(as_text=True), "reason")
    assert db.session.get(Placement, requested.id).state == "requested"


# ---------------------------------------------------------------------------
# 12. Ids no database can hold


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("practitioner", f"/placements/{HUGE}"),
        ("practitioner", f"/placements/{HUGE}/move-out"),
        ("spoc", f"/placements/{HUGE}/approve"),
        ("spoc", f"/placements/1/commitments/{HUGE}/reverse"),
        ("finance", f"/placements/{HUGE}/invoices/new"),
        ("finance", f"/invoices/{HUGE}/payments/new"),
        ("finance", f"/ledger/{HUGE}/reverse"),
    ],
)
def test_an_id_beyond_what_the_database_holds_is_not_found(signed_in, role, url):
    extra = {"borough_name": "Camden"} if role == "spoc" else {}
    client, _user = signed_in(role, **extra)
    assert client.get(url).status_code == 404


# ---------------------------------------------------------------------------
# 5. A late check-in


def test_a_late_check_in_says_the_stay_was_shortened_and_what_was_released(signed_in):
    p = fa.placement(state="agreement_signed", nights=28)
    p.decided_at = datetime.now(UTC) - timedelta(days=5)
    p.agreement_signed_on = today() - timedelta(days=2)
    settings = db.session.get(ProgrammeSettings, 1)
    settings.programme_end_date = today() + timedelta(days=20)
    db.session.commit()
    client, _user = signed_in("practitioner")
    response = post_form(
        client,
        f"/placements/{p.id}/check-in",
        {"checked_in_on": _date(today()), "version": str(p.version)},
    )
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Check-in recorded. The 28 approved nights would have run past the programme end" in (
        page
    )
    assert "now has 20 nights" in page and "£520.00 was released back to the pot" in page


# ---------------------------------------------------------------------------
# 8. Free text kept from the roles that must not read it


def test_the_spoc_sees_a_withdrawal_but_not_the_practitioners_reason(signed_in):
    p = fa.placement(state="requested")
    practitioner, _p = signed_in("practitioner")
    form = practitioner.get(f"/placements/{p.id}/withdraw").get_data(as_text=True)
    assert "Only practitioners and managers will see this" in form
    response = post_form(
        practitioner,
        f"/placements/{p.id}/withdraw",
        {"reason": "Moved in with her sister Zelda", "version": str(p.version)},
    )
    assert response.status_code == 302
    spoc, _s = signed_in("spoc", borough_name="Camden")
    page = spoc.get(f"/placements/{p.id}").get_data(as_text=True)
    assert "Withdrawn by the practitioner" in page and "Zelda" not in page
    assert "Zelda" in practitioner.get(f"/placements/{p.id}").get_data(as_text=True)


def test_the_practitioner_reads_the_spocs_reason_for_declining(signed_in):
    p = fa.placement(state="requested")
    spoc, _s = signed_in("spoc", borough_name="Camden")
    form = spoc.get(f"/placements/{p.id}/decline").get_data(as_text=True)
    assert "The practitioner will read this: do not include risk details or names" in form
    response = post_form(
        spoc,
        f"/placements/{p.id}/decline",
        {"reason": "No rooms near Kentish Town", "version": str(p.version)},
    )
    assert response.status_code == 302
    assert "No rooms near Kentish Town" in spoc.get(f"/placements/{p.id}").get_data(as_text=True)
    practitioner, _p = signed_in("practitioner")
    page = practitioner.get(f"/placements/{p.id}").get_data(as_text=True)
    assert "No rooms near Kentish Town" in page


def test_finance_reads_fixed_words_for_ledger_entries_never_the_spocs_reason(signed_in):
    p = fa.placement(state="checked_in")
    _added_commitment(p, reason="Deposit for Zebedee's room")
    finance, _f = signed_in("finance")
    page = _text(finance.get(f"/placements/{p.id}").get_data(as_text=True))
    assert "Zebedee" not in page
    assert "Placement approved by the SPOC" in page
    assert "Added commitment approved by the SPOC" in page
    manager, _m = signed_in("manager")
    assert "Deposit for Zebedee" in _text(manager.get(f"/placements/{p.id}").get_data(as_text=True))


def test_forms_whose_text_the_spoc_reads_say_so(signed_in):
    client, _user = signed_in("practitioner")
    case = fa.accommodation_case()
    page = client.get(f"/cases/{case.reference}/placements/new").get_data(as_text=True)
    assert page.count("The SPOC will read this: do not include risk details or names") >= 4
    p = fa.placement(state="checked_in")
    page = client.get(f"/placements/{p.id}/extensions/new").get_data(as_text=True)
    assert "The SPOC will read this: do not include risk details or names" in page


def test_the_money_panel_and_the_budget_agree_on_what_is_accrued(signed_in):
    from accommodation.budget import queries
    from accommodation.budget import summary as budget

    p = fa.placement(state="checked_in", rate_pence=7_345)  # 10 nights stayed: £734.50
    manager, user = signed_in("manager")
    page = _text(manager.get(f"/placements/{p.id}").get_data(as_text=True))
    data = queries.load(db.session, user)
    row = next(r for r in budget.placement_rows(data.totals, data.placements, today()))
    assert row.accrued == 73_450
    assert "Nights stayed, not yet invoiced £734.50 (10 nights stayed so far)" in page
