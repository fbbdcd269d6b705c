"""A change to every case's due dates at a scale one request should not hold: the save
commits at once, the pages say the dates are being recalculated and how far, and the
scheduler's "due-items" job rewrites the cases a batch at a time (eip.cases.due_store).
The app here holds at most 2 cases in a commit, so 3 cases stand for 100,000."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eip.admin.models import ProgrammeSettings
from eip.cases import due_store
from eip.cases.models import CaseDueItem, DueRefresh
from eip.clock import today
from eip.extensions import db
from eip.job_claims import JobRun
from eip.jobs import run_due
from eip.workdays import is_working_day
from tests import factories
from tests import factories_pathway_progress as progress
from tests.conftest import post_form, sign_in
from tests.integration.test_due_store import assert_stored_equals_computed
from tests.web.test_admin_pages import SETTINGS_FORM

NOTICE = "Due dates are being recalculated"


@pytest.fixture
def small_commits(make_app):
    application = make_app(EIP_DUE_REFRESH_IN_COMMIT=2)
    with application.app_context():
        yield application


def signed_in_to(application, account):
    client = application.test_client()
    assert sign_in(client, account.email, factories.PASSWORD).status_code == 302
    return client


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def dash_dates() -> list:
    return list(
        db.session.scalars(
            select(CaseDueItem.due_on).where(CaseDueItem.kind == "dash_review").order_by("due_on")
        )
    )


def three_active_cases(practitioner) -> None:
    for _ in range(3):
        progress.case_in("active", practitioner)


@pytest.mark.usefixtures("programme_as_migrated")
def test_a_big_change_is_saved_at_once_and_the_scheduler_rewrites_every_case(small_commits):
    practitioner = factories.user("practitioner")
    manager = factories.user("manager")
    three_active_cases(practitioner)
    before = dash_dates()
    assert len(before) == 3
    staff = signed_in_to(small_commits, manager)

    response = post_form(
        staff, "/admin/settings/change", {**SETTINGS_FORM, "dash_review_days": "21"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ProgrammeSettings, 1).dash_review_days == 21
    # Saved, not yet rewritten: the stored dates still follow the 28 days.
    assert dash_dates() == before
    settings_page = page(staff, "/admin/settings")
    assert "Due dates on the home pages are being recalculated for 3 cases." in settings_page
    assert NOTICE in settings_page and "0 of 3 cases are done (0%)" in settings_page
    worker = signed_in_to(small_commits, practitioner)
    assert NOTICE in page(worker, "/") and NOTICE in page(worker, "/work")

    outcomes = run_due(db.session, datetime.now(UTC), worker="test")
    assert outcomes["due-items"] == "done"
    assert dash_dates() == [day - timedelta(days=7) for day in before]
    assert_stored_equals_computed()
    assert NOTICE not in page(worker, "/") and NOTICE not in page(worker, "/work")
    assert NOTICE not in page(staff, "/admin/settings")


def test_the_job_claims_nothing_while_no_rewrite_waits(small_commits):
    moment = datetime(2026, 12, 7, 10, 1, tzinfo=UTC)
    assert run_due(db.session, moment, worker="test")["due-items"] == "nothing to do"
    assert db.session.scalar(select(func.count()).where(JobRun.job == "due-items")) == 0


def test_a_setting_the_due_dates_do_not_read_rewrites_no_case(small_commits):
    three_active_cases(factories.user("practitioner"))
    db.session.execute(CaseDueItem.__table__.delete())
    db.session.commit()
    settings = db.session.get(ProgrammeSettings, 1)
    settings.contact_phone = "020 7946 0999"
    settings.invoice_unpaid_days += 1
    db.session.commit()
    assert db.session.scalar(select(func.count(CaseDueItem.id))) == 0
    assert due_store.progress(db.session) is None


def test_a_non_working_day_over_the_limit_is_left_to_the_scheduler_too(small_commits):
    practitioner = factories.user("practitioner")
    manager = factories.user("manager")
    three_active_cases(practitioner)
    staff = signed_in_to(small_commits, manager)
    day = due_store.soon_until(today()) + timedelta(days=10)
    while not is_working_day(day):
        day += timedelta(days=1)
    response = post_form(
        staff,
        "/admin/settings/non-working-days/new",
        {"day": [str(day.day), str(day.month), str(day.year)], "reason": "Staff training"},
        follow_redirects=True,
    )
    assert response.status_code == 200, response.get_data(as_text=True)[-3000:]
    assert "Due dates on the home pages are being recalculated for 3 cases." in html.unescape(
        response.get_data(as_text=True)
    )
    assert due_store.progress(db.session).total == 3
    due_store.continue_refresh(db.session, datetime.now(UTC))
    assert due_store.progress(db.session) is None
    assert_stored_equals_computed()


def test_a_new_change_while_the_rewrite_runs_starts_it_again(small_commits):
    three_active_cases(factories.user("practitioner"))
    settings = db.session.get(ProgrammeSettings, 1)
    settings.dash_review_days = 21
    db.session.commit()
    assert due_store.progress(db.session).total == 3
    changed = []

    def change_again(_progress: due_store.Progress) -> None:
        # After the first batch, a manager changes the interval again: the cases already
        # done read 21 days, so all of them must be done again with 14.
        if not changed:
            row = db.session.get(ProgrammeSettings, 1)
            row.dash_review_days = 14
            db.session.commit()
            changed.append(True)

    summary = due_store.continue_refresh(db.session, datetime.now(UTC), on_batch=change_again)
    assert summary == "refreshed the due items of 6 cases"
    row = db.session.get(DueRefresh, 1)
    assert row.finished_at is not None and row.done == row.total == 3
    assert_stored_equals_computed()


def test_a_change_within_the_limit_is_rewritten_in_the_same_commit(make_app):
    application = make_app(EIP_DUE_REFRESH_IN_COMMIT=3)
    with application.app_context():
        three_active_cases(factories.user("practitioner"))
        before = dash_dates()
        settings = db.session.get(ProgrammeSettings, 1)
        settings.dash_review_days = 21
        db.session.commit()
        assert dash_dates() == [day - timedelta(days=7) for day in before]
        assert due_store.progress(db.session) is None


def test_the_cli_shows_its_progress_and_finishes_a_waiting_rewrite(small_commits):
    three_active_cases(factories.user("practitioner"))
    settings = db.session.get(ProgrammeSettings, 1)
    settings.dash_review_days = 21
    db.session.commit()
    assert due_store.progress(db.session) is not None
    result = small_commits.test_cli_runner().invoke(args=["eip", "refresh-due-items"])
    assert result.exit_code == 0, result.output
    assert "Rewriting due items" in result.output
    assert "Refreshed the due items of 3 cases." in result.output
    assert due_store.progress(db.session) is None
    assert_stored_equals_computed()
