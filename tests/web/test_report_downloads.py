"""Downloading the accommodation agreement, Camden's statement and the monthly programme
report through the app: each allowed role gets the PDF as an attachment (audited), every
other role is refused (403, audited), bad input shows the form again with the reason
(400), a placement with no stay to agree goes back to its page with the reason, and the
links and forms appear on the pages they belong to for the roles allowed only."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader

from accommodation.stay.agreement import NO_STAY, NOT_APPROVED
from eip.cases.models import Case, Person, name_key
from eip.cases.records import Consultation, DashReview, OnwardReferral, ProfessionalsMeeting
from eip.clock import today
from eip.extensions import db
from eip.reports.monthly import FUTURE_MONTH, NOT_A_MONTH, monthly_data
from tests import factories
from tests import factories_accommodation as fa
from tests.audit_trail import events

ROLES = ["practitioner", "manager", "spoc", "finance", "evaluator", "admin"]
STATEMENT = "/budget/statement.pdf?start=1&start=4&start=2026&end=30&end=4&end=2026"
REPORT = "/reports/monthly.pdf?month=3&month=2026"


def date_query(name: str, day) -> str:
    """A date as the GOV.UK day, month and year boxes send it."""
    return f"{name}={day.day}&{name}={day.month}&{name}={day.year}"


def month_query(day) -> str:
    return f"month={day.month}&month={day.year}"


def pdf_text(response) -> str:
    reader = PdfReader(BytesIO(response.data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def assert_pdf_attachment(response, filename: str) -> None:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"] == f"attachment; filename={filename}"
    assert "no-store" in response.headers["Cache-Control"]


def assert_refused(client, url: str, rule: str) -> None:
    response = client.get(url)
    assert response.status_code == 403
    assert not response.data.startswith(b"%PDF")
    (refusal,) = events("access.refused")
    assert refusal.details["action"] == rule
    assert events("document.downloaded") == []


def signed_in_as(signed_in, role: str):
    return signed_in(role, borough_name="Camden") if role == "spoc" else signed_in(role)


# ---------------------------------------------------------------------------
# The accommodation agreement


@pytest.fixture
def approved(app_context):
    return fa.placement(fa.accommodation_case(), "approved")


@pytest.mark.parametrize("role", ["practitioner", "manager"])
def test_practitioners_and_managers_download_the_agreement(signed_in, approved, role):
    client, user = signed_in(role)
    response = client.get(f"/placements/{approved.id}/agreement.pdf")
    reference = approved.case.reference
    assert_pdf_attachment(response, f"{reference}-accommodation-agreement.pdf")
    assert f"Case {reference}" in pdf_text(response)
    (event,) = events("document.downloaded")
    assert event.details == {"document": "accommodation_agreement"}
    assert event.actor_id == user.id


@pytest.mark.parametrize("role", ["spoc", "finance", "evaluator", "admin"])
def test_every_other_role_is_refused_the_agreement_and_it_is_audited(signed_in, approved, role):
    client, _ = signed_in_as(signed_in, role)  # the SPOC is the placement's own borough's
    assert_refused(client, f"/placements/{approved.id}/agreement.pdf", "placement.agreement")


@pytest.mark.parametrize(
    ("state", "message"), [("requested", NOT_APPROVED), ("cancelled", NO_STAY)]
)
def test_a_placement_with_no_stay_to_agree_goes_back_to_its_page_with_the_reason(
    signed_in, app_context, state, message
):
    client, _ = signed_in("practitioner")
    placement = fa.placement(fa.accommodation_case(), state)
    response = client.get(f"/placements/{placement.id}/agreement.pdf")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/placements/{placement.id}")
    page = client.get(f"/placements/{placement.id}").get_data(as_text=True)
    assert message in page
    assert 'class="govuk-notification-banner__link" href="#stay">Go to The stay' in page
    assert events("document.downloaded") == []


def test_an_unknown_placement_has_no_agreement(signed_in, app_context):
    client, _ = signed_in("practitioner")
    assert client.get("/placements/999999/agreement.pdf").status_code == 404
    assert client.get(f"/placements/{2**40}/agreement.pdf").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, approved):
    response = client.get(f"/placements/{approved.id}/agreement.pdf")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize(
    ("role", "state", "shown"),
    [
        ("practitioner", "approved", True),
        ("manager", "agreement_signed", True),
        ("practitioner", "checked_in", True),
        ("practitioner", "requested", False),
        ("practitioner", "ended", True),  # a signed agreement, reprinted after the stay
        ("spoc", "approved", False),
        ("finance", "approved", False),
    ],
)
def test_the_placement_page_links_the_agreement_for_those_who_may_download_it(
    signed_in, app_context, role, state, shown
):
    client, _ = signed_in_as(signed_in, role)
    placement = fa.placement(fa.accommodation_case(), state)
    page = client.get(f"/placements/{placement.id}").get_data(as_text=True)
    assert (f"/placements/{placement.id}/agreement.pdf" in page) is shown


# ---------------------------------------------------------------------------
# Camden's statement


@pytest.fixture
def ledgered(app_context):
    return fa.placement(fa.accommodation_case(), "checked_in")


@pytest.mark.parametrize("role", ["finance", "manager"])
def test_finance_and_managers_download_the_statement_for_a_period(signed_in, ledgered, role):
    client, user = signed_in(role)
    on = today()
    url = f"/budget/statement.pdf?{date_query('start', on.replace(day=1))}&{date_query('end', on)}"
    response = client.get(url)
    assert_pdf_attachment(
        response, f"camden-accommodation-statement-{on.replace(day=1)}-to-{on}.pdf"
    )
    text = pdf_text(response)
    assert ledgered.case.reference in text
    assert ledgered.client.full_name not in text
    assert "Total commitments £1,820.00" in text  # 28 nights at £65.00, approved today
    (event,) = events("document.downloaded")
    assert event.details == {"document": "finance_statement"}
    assert event.actor_id == user.id


@pytest.mark.parametrize("role", ["practitioner", "spoc", "evaluator", "admin"])
def test_every_other_role_is_refused_the_statement_and_it_is_audited(signed_in, role):
    client, _ = signed_in_as(signed_in, role)
    assert_refused(client, STATEMENT, "finance.statement")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=&start=&start=&end=&end=&end=", "Enter the start date of the period"),
        ("start=1&start=4&start=2026", "Enter the end date of the period"),
        ("start=30&start=2&start=2026&end=31&end=3&end=2026", "The start date must be a real date"),
        ("start=1%2F4%2F2026&start=&start=&end=30&end=4&end=2026", "The start date must include a"),
        ("start=1&start=&start=2026&end=30&end=4&end=2026", "The start date must include a month"),
        ("start=1&start=4&start=26&end=30&end=4&end=2026", "The start date must be a real date"),
        ("start=30&start=4&start=2026&end=1&end=4&end=2026", "The end date must be the same as"),
    ],
)
def test_bad_dates_show_the_form_again_with_the_reason(signed_in, query, message):
    client, _ = signed_in("finance")
    response = client.get(f"/budget/statement.pdf?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and message in page
    assert page.count('name="start"') == 3 and page.count('name="end"') == 3
    assert page.count("govuk-error-message") >= 1
    assert 'type="date"' not in page
    assert events("document.downloaded") == []


def test_the_statement_without_dates_shows_its_form(signed_in):
    client, _ = signed_in("finance")
    response = client.get("/budget/statement.pdf")
    assert response.status_code == 200
    assert "Download the accommodation statement" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES[:4])
def test_the_budget_page_has_the_statement_form_for_finance_and_managers(signed_in, role):
    client, _ = signed_in_as(signed_in, role)
    page = client.get("/budget").get_data(as_text=True)
    assert ('action="/budget/statement.pdf"' in page) is (role in ("finance", "manager"))


# ---------------------------------------------------------------------------
# The monthly programme report


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _case(borough: str, received: date, acknowledged: date | None) -> Case:
    case = factories.case(borough, status="acknowledged" if acknowledged else "referred")
    case.received_at = _at(received)
    case.acknowledged_at = _at(acknowledged, 14) if acknowledged else None
    client = Person(full_name=f"Reportclient {case.id}", name_key=name_key(f"x {case.id}"))
    db.session.add(client)
    db.session.flush()
    case.client_id = client.id
    return case


def _consultation(case: Case, held_on: date, outcome: str) -> None:
    db.session.add(
        Consultation(
            case_id=case.id,
            scheduled_for=_at(held_on),
            medium="phone",
            held_on=held_on,
            outcome=outcome,
        )
    )


@pytest.fixture
def march(app_context):
    """March 2026: four referrals (three Camden, one Hackney), two acknowledged within 3
    working days; two consultations held, 10 and 14 days after receipt; a high-risk DASH
    review and an IDVA referral; one referral in February for the trend."""
    on_time = _case("Camden", date(2026, 3, 2), date(2026, 3, 4))  # due Thursday 5 March
    late = _case("Camden", date(2026, 3, 2), date(2026, 3, 9))
    _case("Camden", date(2026, 3, 27), None)  # due 1 April, never acknowledged
    hackney = _case("Hackney", date(2026, 3, 3), date(2026, 3, 5))
    _case("Hackney", date(2026, 2, 10), date(2026, 2, 11))
    _consultation(on_time, date(2026, 3, 12), "intervention_with_accommodation")
    _consultation(late, date(2026, 3, 16), "intervention")
    on_time.intervention_started_on = date(2026, 3, 15)
    db.session.add_all(
        [
            DashReview(
                case_id=hackney.id,
                completed_on=date(2026, 3, 20),
                answers={},
                score=15,
                risk_level="high",
            ),
            OnwardReferral(
                case_id=hackney.id, agency="idva", referred_on=date(2026, 3, 20), status="made"
            ),
            ProfessionalsMeeting(
                case_id=on_time.id, held_on=date(2026, 3, 22), attendees="Practitioner"
            ),
        ]
    )
    db.session.commit()
    return on_time


def test_the_report_counts_a_saturday_referral_as_due_on_the_thursday(app_context):
    saturday = date(2026, 6, 13)  # 3 working days: due Thursday 18 June
    _case("Camden", saturday, date(2026, 6, 17))  # Wednesday: on time
    _case("Camden", saturday, date(2026, 6, 19))  # Friday: late
    _case("Camden", saturday, None)
    db.session.commit()
    manager, june = factories.user("manager"), date(2026, 6, 1)
    on_thursday = monthly_data(db.session, manager, june, date(2026, 6, 18)).timeliness
    assert (on_thursday.on_time, on_thursday.late, on_thursday.not_yet_due) == (1, 1, 1)
    on_friday = monthly_data(db.session, manager, june, date(2026, 6, 19)).timeliness
    assert (on_friday.on_time, on_friday.late, on_friday.not_yet_due) == (1, 2, 0)


def test_managers_download_the_monthly_report_with_its_figures(signed_in, march):
    client, user = signed_in("manager")
    response = client.get(REPORT)
    assert_pdf_attachment(response, "programme-report-2026-03.pdf")
    text = pdf_text(response)
    for expected in (
        "Monthly programme report",
        "March 2026. 1 March 2026 to 31 March 2026.",
        "Referrals received 4",
        "Consultations held 2",
        "Acknowledged within 3 working days 2 of 3 (67%)",
        "Median wait for a consultation 12 days",
        "Professionals meetings 1 held; 2 were due, 1 of them overdue at 31 March 2026",
        "Cases found at high risk (DASH) 1",
        "IDVA and MARAC referrals made 1",
        "Camden 0 0 0 0 0 3 3",
        "Hackney 0 0 0 0 1 1 2",
        "Intervention with temporary accommodation 1",
        "Share acknowledged on time 67%",
        "Referrals to the IDVA service 1 made, 0 planned",
        "Available at 31 March 2026 £14,000.00",
        "Page 1 of",
    ):
        assert expected in text, expected
    assert "Reportclient" not in text and march.reference not in text
    (event,) = events("document.downloaded")
    assert event.details == {"document": "programme_report"}
    assert event.actor_id == user.id


@pytest.mark.parametrize("role", ["practitioner", "spoc", "finance", "evaluator", "admin"])
def test_every_other_role_is_refused_the_report_and_it_is_audited(signed_in, role):
    client, _ = signed_in_as(signed_in, role)
    assert_refused(client, REPORT, "programme.report")


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("month=&month=", "Enter the month of the report"),
        ("month=13&month=2026", NOT_A_MONTH),
        ("month=March&month=2026", NOT_A_MONTH),
        ("month=12&month=1999", NOT_A_MONTH),
        ("month=10&month=26", NOT_A_MONTH),
        ("month=10&month=", "The month of the report must include a year"),
        ("future", FUTURE_MONTH),
    ],
)
def test_a_month_that_cannot_be_reported_shows_the_form_again_with_the_reason(
    signed_in, month, message
):
    client, _ = signed_in("manager")
    if month == "future":
        month = f"month=1&month={today().year + 1}"
    response = client.get(f"/reports/monthly.pdf?{month}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and message in page
    assert page.count('name="month"') == 2 and 'type="month"' not in page
    assert events("document.downloaded") == []


def test_the_report_for_this_month_says_it_is_not_over(signed_in, app_context):
    client, _ = signed_in("manager")
    on = today()
    response = client.get(f"/reports/monthly.pdf?{month_query(on)}")
    assert_pdf_attachment(response, f"programme-report-{on:%Y-%m}.pdf")
    text = pdf_text(response)
    assert f"The month is not over: figures up to {on.day} {on:%B %Y}" in text
    assert "Referrals received 0" in text
    assert "No referrals were received in these months." in text


def test_the_report_without_a_month_shows_its_form(signed_in):
    client, _ = signed_in("manager")
    response = client.get("/reports/monthly.pdf")
    assert response.status_code == 200
    assert 'name="month"' in response.get_data(as_text=True)


def test_the_managers_home_has_the_report_form(signed_in):
    client, _ = signed_in("manager")
    page = client.get("/").get_data(as_text=True)
    assert 'action="/reports/monthly.pdf"' in page
    # The GOV.UK month and year boxes, not a browser's month picker.
    assert page.count('name="month"') == 2 and 'type="month"' not in page


def test_the_acknowledgement_deadline_leaves_out_the_programmes_extra_non_working_days(
    signed_in, march
):
    from eip.admin.models import NonWorkingDay

    # With 4 and 5 March closed, a referral received on Monday 2 March is due on Monday
    # 9 March, so the one acknowledged that day is on time (the one due 1 April was not
    # yet due at the end of March).
    for day in (4, 5):
        db.session.add(NonWorkingDay(day=date(2026, 3, day), reason="Fictional closure"))
    db.session.commit()
    client, _ = signed_in("manager")
    text = pdf_text(client.get(REPORT))
    assert "Acknowledged within 3 working days 3 of 3 (100%)" in text


def test_meetings_due_count_each_case_in_its_intervention_in_the_month(app_context):
    """Open, closed in the month (on its last day late at night), closed after it, closed
    before it (late on 30 September in UTC, which is 1 October in London: one day), started
    in it: with no meeting held, each has the one meeting the case page shows due (from
    September, or 27 October), overdue at the month's end while the case is open."""
    october, interval = date(2026, 10, 1), 7
    plan = [  # (intervention started, closed at, days of October in intervention)
        (date(2026, 9, 1), None, 31),
        (date(2026, 9, 1), None, 31),
        (date(2026, 9, 1), datetime(2026, 10, 14, 12, tzinfo=UTC), 14),
        (date(2026, 9, 1), datetime(2026, 10, 31, 23, 30, tzinfo=UTC), 31),  # GMT by then
        (date(2026, 9, 1), datetime(2026, 11, 20, tzinfo=UTC), 31),
        (date(2026, 9, 1), datetime(2026, 9, 30, 23, 30, tzinfo=UTC), 1),  # BST: 1 October
        (date(2026, 9, 1), datetime(2026, 9, 30, 22, 30, tzinfo=UTC), None),  # 30 September
        (date(2026, 10, 20), None, 12),
        (date(2026, 8, 1), datetime(2026, 9, 29, tzinfo=UTC), None),  # closed before October
    ]
    for started, closed_at, _days in plan:
        case = factories.case("Camden", status="closed" if closed_at else "active")
        case.intervention_started_on = started
        case.closed_at = closed_at
    db.session.commit()
    meetings = monthly_data(
        db.session, factories.user("manager"), october, date(2026, 12, 1)
    ).meetings
    counted = [days for _s, _c, days in plan if days is not None]
    assert meetings.cases == len(counted)
    assert meetings.due == len(counted)
    open_at_the_end = [
        c for _s, c, _d in plan if c is None or c > datetime(2026, 11, 1, tzinfo=UTC)
    ]
    assert meetings.overdue == len(open_at_the_end)
    assert meetings.interval_days == interval
