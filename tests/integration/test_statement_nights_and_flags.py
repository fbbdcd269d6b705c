"""Issue 20, the statement: each placement's nights at the period's end, its status then,
the reasons of its releases, invoices long unpaid, and negative figures in brackets. Read
from the PDF's text, on the ledger the test writes."""

from __future__ import annotations

from datetime import date, timedelta

from accommodation import store
from accommodation.models import Placement
from accommodation.stay.services import EARLY_MOVE_OUT
from eip.extensions import db
from tests import factories_accommodation as fa
from tests.integration.test_pdf_accommodation_documents import (
    END,
    START,
    approved,
    invoice,
    payment,
    statement_text,
)

RATE_70 = 7_000


def early_move_out(reason: str | None = EARLY_MOVE_OUT) -> Placement:
    """28 nights at £70.00 approved on 1 April (£1,960.00), checked in on 2 April, moved
    out after 20 nights on 22 April: 8 nights (£560.00) released that day."""
    placement = fa.placement(fa.accommodation_case(), "requested", nights=28)
    placement.state, placement.provider = "ended", "Fictional Lets Ltd"
    placement.nightly_rate_pence, placement.approved_nights = RATE_70, 28
    store.append(db.session, None, "commit", placement, 28 * RATE_70, effective_on=date(2026, 4, 1))
    placement.state = "ended"
    placement.checked_in_on = date(2026, 4, 2)
    placement.moved_out_on = date(2026, 4, 22)
    placement.ended_early = True
    store.append(
        db.session, None, "release", placement, 8 * RATE_70, effective_on=date(2026, 4, 22),
        reason=reason,
    )  # fmt: skip
    db.session.commit()
    return placement


def test_each_placement_says_its_nights_approved_used_and_released(app_context):
    """Defect: "28 nights at £70.00" printed beside £1,400 committed after an early move-out,
    with nothing about the nights used or released."""
    early_move_out()
    text = statement_text()
    assert "28 nights approved at £70.00: 20 used, 8 released" in text
    assert "£1,400.00" in text


def test_a_live_stay_says_the_nights_used_by_the_period_end_and_those_to_come(app_context):
    """The nights of a stay still running at the period's end are counted to that end."""
    placement = approved(fa.accommodation_case(), 28, date(2026, 4, 20), date(2026, 4, 15))
    placement.state, placement.checked_in_on = "checked_in", date(2026, 4, 20)
    db.session.commit()
    text = statement_text()
    # 20 to 30 April: the nights beginning on each of those 11 days.
    assert "28 nights approved at £65.00: 11 used, 17 to come" in text


def test_the_status_is_the_one_at_the_period_end_not_today(app_context):
    """Defect: the status read "Today: Ended" on a statement for a period when the client
    was still in the accommodation."""
    early_move_out()
    april = statement_text(START, date(2026, 4, 15))
    assert "Today:" not in april
    assert "Checked in on 2 Apr 2026" in april and "Ended" not in april
    assert "Ended early on 22 Apr 2026" in statement_text()


def test_a_release_says_why_and_how_many_nights_even_without_a_fixed_reason(app_context):
    """Defect: releases read only "Release" (the demo's were written with other words)."""
    early_move_out(reason="Early move-out")
    text = statement_text()
    assert "Early move-out: nights approved but not used (8 nights at £70.00) £560.00" in text
    assert " Release " not in text


def test_an_invoice_unpaid_more_than_30_days_at_the_period_end_is_flagged(app_context):
    """Defect: an invoice unpaid 34 days at the end of the period was not flagged."""
    placement = approved(fa.accommodation_case(), 28, date(2026, 3, 1), date(2026, 3, 1))
    invoice(placement, "INV-OLD", 7 * 6_500, END - timedelta(days=34))
    invoice(placement, "INV-NEW", 7 * 6_500, END - timedelta(days=30))
    paid = invoice(placement, "INV-PAID", 7 * 6_500, END - timedelta(days=40))
    payment(paid, "PAY-1", END - timedelta(days=2))
    text = statement_text()
    heading = "Invoices unpaid more than 30 days at 30 April 2026"
    assert heading in text
    flagged = text.split(heading, 1)[1].split("Placements at", 1)[0]
    assert "INV-OLD from Fictional Lets Ltd 34 £455.00" in flagged
    assert "INV-NEW" not in flagged and "INV-PAID" not in flagged
    # Paid after the period's end: still unpaid at its end.
    assert (
        "INV-PAID"
        in statement_text(START, END - timedelta(days=5))
        .split("Placements at", 1)[0]
        .split("Invoices unpaid more than", 1)[1]
    )


def test_negative_figures_print_in_brackets(app_context):
    """Defect: negatives printed as "-£1,358.00"."""
    early_move_out()
    text = statement_text(date(2026, 4, 22), END)
    assert "Total releases £560.00" in text
    assert "-£" not in text
    assert "Available £12,040.00 £560.00 £12,600.00" in text
    before = statement_text(date(2026, 4, 1), date(2026, 4, 1))
    assert "Available £14,000.00 (£1,960.00) £12,040.00" in before
