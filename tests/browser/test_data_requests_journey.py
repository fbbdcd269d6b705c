"""Issue 18's rectification and erasure requests in a real browser (axe checks every page):
a practitioner records an erasure request (a mistake first, shown in the error summary and
nothing saved), a manager grants it and the case is anonymised, its pages refusing changes;
a rectification granted, corrected on the referral's edit page and recorded as corrected; a
refused request with its reason; a practitioner may not decide."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from eip.cases.models import Case, Person
from eip.extensions import db
from eip.formatting import long_date
from eip.privacy.models import DataRequest
from eip.privacy.statutory import due_date
from tests import factories
from tests import factories_pathway_referral as rf
from tests.browser.signing import sign_in, sign_out

CLIENT_NAME = "Alex Marlowe"  # the referral factory's client


def _date(page, prefix: str, day: date) -> None:
    page.locator(f"#{prefix}-day").fill(str(day.day))
    page.locator(f"#{prefix}-month").fill(str(day.month))
    page.locator(f"#{prefix}-year").fill(str(day.year))


def _read(query):
    """One value read afresh, the transaction ended at once: on SQLite an open read would
    lock the live server out of its next write."""
    db.session.rollback()
    try:
        return db.session.scalar(query)
    finally:
        db.session.rollback()


def _requests() -> int:
    return _read(select(func.count()).select_from(DataRequest))


def _record(page, reference: str, kind: str, what: str, received: date) -> None:
    """The practitioner's or manager's form, from the list page."""
    page.goto("/data-requests")
    page.get_by_role("button", name="Record a request").click()
    page.locator("#reference").fill(reference)
    page.locator("input[name=person_role][value=client]").check()
    page.locator("input[name=asked_by][value=client]").check()
    page.locator(f"input[name=kind][value={kind}]").check()
    page.locator("#what").fill(what)
    _date(page, "received_on", received)
    page.get_by_role("button", name="Record the request").click()


def _decide(page, decision: str, reason: str) -> None:
    page.get_by_role("button", name="Decide the request").click()
    page.locator(f"input[name=decision][value={decision}]").check()
    page.locator("#reason").fill(reason)
    page.get_by_role("button", name="Save the decision").click()


def _open_from_list(page, reference: str) -> None:
    page.goto("/data-requests")
    page.get_by_role("link", name=reference).first.click()


def test_an_erasure_is_recorded_granted_and_the_case_anonymised(page, app_context):
    practitioner = factories.user("practitioner", name="Pat Practitioner")
    manager = factories.user("manager", name="Morgan Manager")
    case = rf.recorded_case(practitioner)
    case.status = "closed"
    case.closed_at = datetime.now(UTC) - timedelta(days=30)
    db.session.commit()
    reference, p_email, m_email = case.reference, practitioner.email, manager.email
    db.session.rollback()
    received = date.today() - timedelta(days=3)

    sign_in(page, p_email)
    page.goto(f"/cases/{reference}")
    assert CLIENT_NAME in page.locator("main").inner_text()
    # A mistake first: no date received. The error summary says so and nothing is saved.
    page.goto("/data-requests")
    page.get_by_role("button", name="Record a request").click()
    page.locator("#reference").fill(reference)
    page.locator("input[name=person_role][value=client]").check()
    page.locator("input[name=asked_by][value=client]").check()
    page.locator("input[name=kind][value=erasure]").check()
    page.locator("#what").fill("Fictional: erase everything about me")
    page.get_by_role("button", name="Record the request").click()
    summary = page.locator(".govuk-error-summary")
    assert "There is a problem" in summary.inner_text()
    assert "date received" in summary.inner_text().lower()
    assert _requests() == 0

    _date(page, "received_on", received)
    page.get_by_role("button", name="Record the request").click()
    assert "Request recorded" in page.locator("main").inner_text()
    assert "Waiting for a decision" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Decide the request").count() == 0
    assert _requests() == 1
    sign_out(page)

    sign_in(page, m_email)
    _open_from_list(page, reference)
    facts = " ".join(page.locator("main").inner_text().split())
    assert f"{long_date(due_date(received))} (one calendar month from receipt)" in facts
    page.get_by_role("button", name="Decide the request").click()
    assert "cannot be undone" in page.locator("main").inner_text()
    # The reason is required: the decision alone is refused, and nothing is anonymised.
    page.locator("input[name=decision][value=granted]").check()
    page.get_by_role("button", name="Save the decision").click()
    assert "Enter the reason for the decision" in page.locator(".govuk-error-summary").inner_text()
    assert _read(select(DataRequest.decision)) is None
    page.locator("input[name=decision][value=granted]").check()
    page.locator("#reason").fill("No lawful reason to keep the data")
    page.get_by_role("button", name="Save the decision").click()
    main = page.locator("main").inner_text()
    assert "the case was anonymised" in main and "Erased (anonymised)" in main

    page.get_by_role("link", name=reference).first.click()
    main = page.locator("main").inner_text()
    assert "This case was anonymised on" in main and CLIENT_NAME not in main
    page.goto("/data-requests")
    assert "Erased (anonymised)" in page.locator("table").inner_text()
    sign_out(page)

    # The practitioner's pages of the case refuse every change, saying why.
    sign_in(page, p_email)
    page.goto(f"/cases/{reference}/notes/new")
    main = page.locator("main").inner_text()
    assert f"Case {reference} was anonymised on" in main and "cannot be changed" in main
    assert page.locator("textarea[name=note]").count() == 0
    page.goto(f"/cases/{reference}/referral")
    main = page.locator("main").inner_text()
    assert f"Case {reference} was anonymised on" in main and "cannot be changed" in main
    assert page.locator("#client_name").count() == 0


def test_a_rectification_is_granted_corrected_and_recorded_as_corrected(page, app_context):
    practitioner = factories.user("practitioner", name="Pat Practitioner")
    manager = factories.user("manager", name="Morgan Manager")
    reference = rf.recorded_case(practitioner).reference
    p_email, m_email = practitioner.email, manager.email
    db.session.rollback()
    received = date.today() - timedelta(days=1)

    sign_in(page, p_email)
    _record(page, reference, "rectification", "Fictional: my address is wrong", received)
    assert "Request recorded" in page.locator("main").inner_text()
    sign_out(page)

    sign_in(page, m_email)
    _open_from_list(page, reference)
    _decide(page, "granted", "The address on file is out of date")
    assert "Granted: correction to make" in page.locator("main").inner_text()
    sign_out(page)

    sign_in(page, p_email)
    _open_from_list(page, reference)
    page.get_by_role("link", name="Change the referral details").click()
    page.locator("#client_address").fill("2 Fictional Close")
    page.get_by_role("button", name="Save changes").click()
    assert f"Changes to referral {reference} saved" in page.locator("main").inner_text()
    client_id = _read(select(Case.client_id).where(Case.reference == reference))
    assert _read(select(Person.address).where(Person.id == client_id)) == "2 Fictional Close"

    _open_from_list(page, reference)
    page.get_by_role("button", name="Record the correction as made").click()
    page.get_by_role("button", name="Record the correction as made").click()
    main = page.locator("main").inner_text()
    assert "Correction recorded" in main and "Carried out" in main
    page.goto("/data-requests")
    assert "Corrected" in page.locator("table").inner_text()


def test_a_refused_request_shows_its_reason_and_a_practitioner_may_not_decide(page, app_context):
    practitioner = factories.user("practitioner", name="Pat Practitioner")
    manager = factories.user("manager", name="Morgan Manager")
    reference = rf.recorded_case(practitioner).reference
    p_email, m_email = practitioner.email, manager.email
    db.session.rollback()

    sign_in(page, m_email)
    _record(page, reference, "erasure", "Fictional: erase me", date.today())
    _decide(page, "refused", "Kept while the children's case is open (Art. 17(3)(b))")
    main = page.locator("main").inner_text()
    assert "Refused" in main and "Kept while the children's case is open" in main
    page.goto("/data-requests")
    assert "Refused" in page.locator("table").inner_text()
    sign_out(page)

    sign_in(page, p_email)
    _open_from_list(page, reference)
    assert "Kept while the children's case is open" in page.locator("main").inner_text()
    request_id = _read(select(DataRequest.id))
    response = page.goto(f"/data-requests/{request_id}/decide")
    assert response.status == 403
