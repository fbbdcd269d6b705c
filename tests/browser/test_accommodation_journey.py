"""In a real browser, every document checked with axe: the temporary accommodation journey
of issue 6, with the money it moves checked on the pages at each step.

A practitioner requests a room; Camden's SPOC approves 28 nights at £65.00 (£1,820.00
committed, £12,180.00 left of the £14,000.00 pot); the practitioner records the signed
agreement and the check-in. Those steps run 12 days in the past (time-machine moves the
clock of the whole process, so the live server's thread sees it too): a check-in cannot be
in the future and the SPOC approves "today", so only travelling lets a real stay have
nights behind it. Back at the real now the practitioner records the return-home review (our
state machine wants it before any move-out) and an early move-out after 10 nights, which
releases 18 x £65.00 = £1,170.00; Camden finance invoices the 10 nights (£650.00) and pays
the invoice. The budget page agrees with the placement page at each step.

Two shorter tests: the SPOC's approval works with JavaScript turned off, and with the
keyboard alone.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import time_machine

from eip.clock import today
from eip.extensions import db
from tests import factories
from tests import factories_accommodation as fa
from tests.browser.signing import sign_in, sign_out

DAYS_BACK = 12
NIGHTS_STAYED = 10


def _fill_date(page, name: str, day: date) -> None:
    page.fill(f"#{name}-day", str(day.day))
    page.fill(f"#{name}-month", str(day.month))
    page.fill(f"#{name}-year", str(day.year))


def _submit(page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def _main(page) -> str:
    return page.locator("main").inner_text()


def _summary(page, scope: str) -> dict[str, str]:
    """The summary list rows under `scope`: key -> the value's first line (the budget
    page puts a hint under some values)."""
    rows = page.evaluate(
        """scope => [...document.querySelectorAll(scope + ' .govuk-summary-list__row')]
             .map(row => [row.querySelector('dt').innerText.trim(),
                          row.querySelector('dd').innerText.trim()])""",
        scope,
    )
    return {key: value.split("\n")[0].strip() for key, value in rows}


def _budget(page) -> dict[str, str]:
    page.goto("/budget")
    assert page.locator("h1").inner_text() == "Accommodation budget"
    figures = _summary(page, "#budget-figures")
    # The large figures at the top say the same as the list below them.
    assert (
        page.locator("#figure-available .eip-figure__number").inner_text() == (figures["Available"])
    )
    assert (
        page.locator("#figure-committed .eip-figure__number").inner_text() == (figures["Committed"])
    )
    assert page.locator("#figure-paid .eip-figure__number").inner_text() == figures["Paid"]
    return figures


def _money(page, placement_id: int) -> dict[str, str]:
    page.goto(f"/placements/{placement_id}")
    assert "EIP-" in page.locator("h1").inner_text()
    return _summary(page, "#money")


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def test_a_stay_from_request_to_payment_shows_the_right_money_at_every_step(page, app_context):
    practitioner = factories.user("practitioner")
    finance = factories.user("finance")
    now_today = today()
    stay_start = now_today - timedelta(days=DAYS_BACK)
    moved_out = stay_start + timedelta(days=NIGHTS_STAYED)
    # Noon UTC is the same date in London all year round.
    moment = datetime.combine(stay_start, time(12, 0), tzinfo=UTC)

    # ---- 12 days ago: the request, the approval, the agreement and the check-in ----
    with time_machine.travel(moment, tick=True):
        assert today() == stay_start
        case = fa.accommodation_case(practitioner, "Camden")
        spoc = fa.spoc_of(case)
        reference = case.reference
        practitioner_email, spoc_email, finance_email = (
            practitioner.email,
            spoc.email,
            finance.email,
        )
        db.session.rollback()

        # The practitioner asks for 28 nights from today.
        sign_in(page, practitioner_email)
        page.goto(f"/cases/{reference}")
        page.get_by_role("button", name="Request accommodation").click()
        assert page.locator("h1").inner_text() == "Request temporary accommodation"
        _fill_date(page, "move_in_on", stay_start)
        page.fill("#nights", "28")
        page.fill("#location_preference", "Close to the children's school in Kentish Town")
        page.fill("#areas_to_avoid", "Anywhere in Holloway")
        page.fill("#booking_needs", "Ground floor room; works early shifts")
        page.check("input[name=out_of_borough][value=no]")
        page.get_by_label("I, the practitioner, judge the placement safe and suitable").check()
        page.get_by_label("The social worker judges the placement safe and suitable").check()
        page.fill("#social_worker_name", "Mira Fictional")
        _fill_date(page, "safety_judged_on", stay_start)
        _submit(page, "Send the request to the SPOC")
        assert "Request sent to the borough's SPOC" in _main(page)
        placement_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
        assert ", moving in " in page.locator("h1").inner_text()
        text = _main(page)
        assert "Requested: waiting for the SPOC" in text
        assert "Available now: £14,000.00 of £14,000.00" in text
        sign_out(page)

        # Camden's SPOC approves: first without a provider, to see what it would cost.
        sign_in(page, spoc_email)
        page.goto(f"/placements/{placement_id}")
        assert "This request is waiting for your decision" in _main(page)
        page.get_by_role("button", name="Approve the placement").click()
        assert page.locator("h1").inner_text() == "Approve the placement"
        assert page.input_value("#nights") == "28"
        page.fill("#rate", "£65.00")
        _submit(page, "Approve and commit the money")
        text = _main(page)
        assert "There is a problem" in text
        assert "Enter the provider" in text
        assert "This would commit £1,820.00 (28 nights), leaving £12,180.00" in text
        page.fill("#provider", "Fictional Lets Ltd")
        page.fill("#address", "Flat 2, 10 Example Road, London N1 0AA")
        _submit(page, "Approve and commit the money")
        assert "Placement approved and the money committed" in _main(page)
        decision = _summary(page, "#decision")
        assert decision["Nightly rate (VAT included)"] == "£65.00"
        assert decision["Nights approved"] == "28"
        assert decision["Planned move-in"] == _long(stay_start)
        assert decision["Planned move-out"] == _long(stay_start + timedelta(days=28))
        money = _summary(page, "#money")
        assert money["Committed"] == "£1,820.00"
        assert money["Invoiced"] == "£0.00"
        assert money["Counts against the pot"].startswith("£1,820.00")
        figures = _budget(page)
        assert figures["Pot (VAT included)"] == "£14,000.00"
        assert figures["Committed"] == "£1,820.00"
        assert figures["Available"] == "£12,180.00"
        assert figures["Invoiced"] == "£0.00"
        assert figures["Paid"] == "£0.00"
        assert figures["People accommodated"] == "1 of 10 at most"
        sign_out(page)

        # The practitioner records the signed agreement and the check-in, both today.
        sign_in(page, practitioner_email)
        page.goto(f"/placements/{placement_id}")
        page.get_by_role("button", name="Record the signed agreement").click()
        _fill_date(page, "signed_on", stay_start)
        _submit(page, "Save the signed agreement")
        assert "Signed agreement recorded" in _main(page)
        page.get_by_role("button", name="Record the check-in").click()
        _fill_date(page, "checked_in_on", stay_start)
        _submit(page, "Save the check-in")
        assert "Check-in recorded" in _main(page)
        stay = _summary(page, "#stay")
        assert stay["Checked in"] == _long(stay_start)
        assert stay["Agreement signed"] == _long(stay_start)
        assert _summary(page, "#money")["Committed"] == "£1,820.00"

    # ---- The real now: 12 nights later ----
    # The session started 12 days ago has been idle far longer than the limit.
    page.goto(f"/placements/{placement_id}")
    assert page.locator("h1").inner_text() == "Sign in to EIP Tracker"
    sign_in(page, practitioner_email)
    page.goto(f"/placements/{placement_id}")
    assert _summary(page, "#stay")["Nights used"] == f"{DAYS_BACK} of 28 approved"
    # The move-out is offered only once the return-home review is recorded.
    assert page.get_by_role("button", name="Record the move-out").count() == 0

    page.get_by_role("button", name="Record the return-home review").click()
    _fill_date(page, "reviewed_on", moved_out - timedelta(days=1))
    page.get_by_label("The risks to the children have been reviewed").check()
    page.get_by_label("The risks to the adults have been reviewed").check()
    page.check("input[name=return_safe][value=yes]")
    page.fill("#support_package", "Weekly check-ins by the social worker")
    _submit(page, "Save the return-home review")
    assert "Return-home review recorded" in _main(page)

    # The client moved out after 10 of the 28 nights: 18 x £65.00 goes back to the pot.
    page.get_by_role("button", name="Record the move-out").click()
    _fill_date(page, "moved_out_on", moved_out)
    _submit(page, "Save the move-out")
    text = _main(page)
    assert "Move-out recorded. £1,170.00 was released back to the pot" in text
    stay = _summary(page, "#stay")
    assert stay["Moved out"] == f"{_long(moved_out)}, early"
    assert stay["Nights used"] == f"{NIGHTS_STAYED} of 28 approved"
    money = _summary(page, "#money")
    assert money["Committed"] == "£650.00"
    assert money["Invoiced"] == "£0.00"
    assert money["Nights stayed, not yet invoiced"].startswith("£650.00")
    figures = _budget(page)
    assert figures["Committed"] == "£650.00"
    assert figures["Available"] == "£13,350.00"
    assert figures["Accrued"] == "£650.00"
    sign_out(page)

    # Camden finance invoices the 10 nights.
    sign_in(page, finance_email)
    page.goto(f"/placements/{placement_id}")
    page.get_by_role("button", name=re.compile(r"^Record an invoice for EIP-")).click()
    assert page.locator("h1").inner_text() == "Record an invoice"
    invoice_page = _summary(page, "main")
    assert invoice_page["Committed"] == "£650.00"
    assert invoice_page["Left to invoice"] == "£650.00"
    page.fill("#supplier", "Fictional Lets Ltd")
    page.fill("#number", "FL-1001")
    _fill_date(page, "invoice_date", now_today)
    _fill_date(page, "first_night", stay_start)
    _fill_date(page, "last_night", moved_out - timedelta(days=1))
    page.fill("#amount", "£650.00")
    _submit(page, "Record the invoice")
    assert "Invoice recorded: £650.00" in _main(page)
    money = _summary(page, "#money")
    assert money["Committed"] == "£650.00"
    assert money["Invoiced"] == "£650.00"
    assert money["Paid"] == "£0.00"
    assert money["Invoiced, not yet paid"] == "£650.00"
    figures = _budget(page)
    assert figures["Invoiced"] == "£650.00"
    assert figures["Available"] == "£13,350.00"
    assert figures["Invoiced, not yet paid"] == "£650.00"
    assert figures["Accrued"] == "£0.00"

    # ... and pays it, from the invoice list.
    page.goto("/invoices")
    assert "1 unpaid, £650.00 in all" in _main(page)
    page.get_by_role("link", name="Record a payment of invoice FL-1001").click()
    assert page.locator("h1").inner_text() == "Record a payment"
    assert _summary(page, "main")["Left to pay"] == "£650.00"
    _fill_date(page, "paid_on", now_today)
    page.fill("#amount", "650.00")
    page.fill("#reference", "BACS-0042")
    _submit(page, "Record the payment")
    assert "Payment recorded: £650.00" in _main(page)
    money = _summary(page, "#money")
    assert money["Paid"] == "£650.00"
    assert money["Invoiced, not yet paid"] == "£0.00"
    page.goto("/invoices")
    assert "0 unpaid, £0.00 in all" in _main(page)
    row = page.locator("#invoices tbody tr").filter(has_text="FL-1001")
    assert row.locator(".govuk-tag").inner_text().strip().lower() == "paid"
    assert row.get_by_role("link", name="Record a payment").count() == 0
    figures = _budget(page)
    assert figures["Pot (VAT included)"] == "£14,000.00"
    assert figures["Committed"] == "£650.00"
    assert figures["Invoiced"] == "£650.00"
    assert figures["Paid"] == "£650.00"
    assert figures["Available"] == "£13,350.00"
    assert figures["Invoiced, not yet paid"] == "£0.00"
    placement_row = page.locator("#budget-placements tbody tr").filter(has_text=reference)
    assert placement_row.locator("td").all_inner_texts()[3:7] == [
        "£650.00",
        "£650.00",
        "£650.00",
        "£0.00",
    ]
    assert len(page.axe_checked) >= 20


def test_a_spoc_approves_a_request_without_javascript(browser, live_server, app_context):
    case = fa.accommodation_case()
    placement = fa.placement(case, "requested")
    spoc = fa.spoc_of(case)
    placement_id, email = placement.id, spoc.email
    db.session.rollback()

    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, email)
    page.goto(f"/placements/{placement_id}")
    page.get_by_role("button", name="Approve the placement").click()
    page.fill("#provider", "Fictional Lets Ltd")
    page.fill("#address", "Flat 2, 10 Example Road, London N1 0AA")
    page.fill("#rate", "£65.00")
    page.fill("#nights", "28")
    _submit(page, "Approve and commit the money")
    assert "Placement approved and the money committed" in _main(page)
    assert _summary(page, "#money")["Committed"] == "£1,820.00"
    context.close()


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.id : ''")


def test_a_spoc_approves_a_request_with_the_keyboard_alone(page, app_context):
    case = fa.accommodation_case()
    placement = fa.placement(case, "requested")
    spoc = fa.spoc_of(case)
    placement_id, email = placement.id, spoc.email
    db.session.rollback()

    sign_in(page, email)
    page.goto(f"/placements/{placement_id}/approve")
    assert page.locator("h1").inner_text() == "Approve the placement"
    # Tab from the top of the page (the skip link, the header, the navigation) to the form.
    for _ in range(80):
        page.keyboard.press("Tab")
        if _focused_id(page) == "provider":
            break
    else:
        raise AssertionError("Tab never reached the provider field")
    page.keyboard.type("Fictional Lets Ltd")
    page.keyboard.press("Tab")
    assert _focused_id(page) == "address"
    page.keyboard.type("Flat 2, 10 Example Road, London N1 0AA")
    page.keyboard.press("Tab")
    assert _focused_id(page) == "rate"
    page.keyboard.type("65.00")
    page.keyboard.press("Tab")
    assert _focused_id(page) == "nights"
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("28")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    assert page.evaluate("document.activeElement.textContent.trim()") == (
        "Approve and commit the money"
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Placement approved and the money committed" in _main(page)
    assert _summary(page, "#money")["Committed"] == "£1,820.00"
