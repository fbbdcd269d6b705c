"""The demo's placements: every state a newcomer should see, figures that reconcile with the
ledger to the penny, and pages that open for each role that works with them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accommodation import ledger, store
from accommodation.models import Invoice, Placement
from eip.cases.common import today
from eip.demo import DEMO_PASSWORD
from eip.extensions import db
from eip.programme import current_settings
from tests.conftest import run_seed_demo, sign_in


@pytest.fixture
def demo(runner, app_context):
    run_seed_demo(runner)


def _signed_in(app, email: str):
    browser = app.test_client()
    assert sign_in(browser, email, DEMO_PASSWORD).status_code == 302
    return browser


def test_the_demo_has_placements_in_several_states(demo):
    states = {p.state for p in db.session.scalars(select(Placement))}
    assert {
        "requested",
        "agreement_signed",
        "checked_in",
        "ended",
        "cancelled",
        "client_declined",
        "no_accommodation",
    } <= states


def test_the_demo_stays_obey_the_pathway_and_the_caps(demo):
    settings = current_settings(db.session)
    for placement in db.session.scalars(select(Placement)):
        case = placement.case
        if placement.checked_in_on:
            assert placement.checked_in_on >= case.intervention_started_on
            assert placement.agreement_signed_on <= placement.checked_in_on
        if placement.planned_move_out_on:
            assert placement.planned_move_out_on <= settings.programme_end_date
        if placement.state == "ended":
            assert placement.return_home_review is not None
        assert placement.nights_used <= settings.max_nights_per_client
    assert len(store.people_counted(db.session)) <= settings.max_people
    for invoice in db.session.scalars(select(Invoice)):
        assert invoice.first_night >= invoice.placement.checked_in_on
        assert invoice.last_night < (
            invoice.placement.moved_out_on or invoice.placement.planned_move_out_on
        )


def test_the_demo_ledger_never_overspends_and_shows_unpaid_invoices(demo):
    totals = ledger.pot_totals(store.entries(db.session), current_settings(db.session).pot_pence)
    assert totals.committed > 0
    assert totals.available >= 0
    assert totals.paid < totals.invoiced <= totals.exposure
    unpaid_old = [
        i
        for i in db.session.scalars(select(Invoice))
        if not i.payments and (today() - i.invoice_date).days > 30
    ]
    assert unpaid_old, "finance should see an invoice unpaid for over 30 days"


def test_the_demo_budget_page_reconciles_with_the_ledger_to_the_penny(demo, app):
    from accommodation.money import format_pence

    totals = ledger.pot_totals(store.entries(db.session), current_settings(db.session).pot_pence)
    page = _signed_in(app, "grace.lin@camden.example").get("/budget").get_data(as_text=True)
    for figure in (totals.pot, totals.committed, totals.invoiced, totals.paid, totals.available):
        assert format_pence(figure) in page


@pytest.mark.parametrize(
    "email",
    [
        "amara.okafor@cranstoun.example",
        "helen.marsh@respect.example",
        "dev.patel@camden.example",
        "nia.campbell@hackney.example",
        "grace.lin@camden.example",
    ],
)
def test_every_demo_placement_page_a_role_may_see_opens(demo, app, email):
    from eip.access import visible_placements
    from eip.auth.models import User

    user = db.session.scalar(select(User).where(User.email == email))
    ids = db.session.scalars(visible_placements(user).with_only_columns(Placement.id)).all()
    assert ids
    browser = _signed_in(app, email)
    assert browser.get("/placements").status_code == 200
    assert browser.get("/budget").status_code == 200
    for placement_id in ids:
        assert browser.get(f"/placements/{placement_id}").status_code == 200, placement_id


def test_the_demo_spocs_each_find_a_request_waiting(demo, app):
    for email in ("dev.patel@camden.example", "nia.campbell@hackney.example"):
        home = _signed_in(app, email).get("/").get_data(as_text=True)
        assert "Open and decide" in home, email
