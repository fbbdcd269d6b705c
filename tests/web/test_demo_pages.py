"""The demo through its pages: every case page opens for a practitioner, the budget page
reconciles with the ledger to the penny, and placement pages open for each role that works
with them. (What the demo holds, without HTTP: tests/integration/test_demo_data.py.)"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accommodation import ledger, store
from accommodation.models import Placement
from eip.cases.models import Case
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


def test_every_demo_case_page_opens_for_a_practitioner(demo, app):
    references = db.session.scalars(select(Case.reference)).all()
    client = _signed_in(app, "amara.okafor@cranstoun.example")
    for reference in references:
        assert client.get(f"/cases/{reference}").status_code == 200, reference
    assert client.get("/").status_code == 200


def test_the_demo_budget_page_reconciles_with_the_ledger_to_the_penny(demo, app):
    from eip.formatting import format_pence

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
    from eip.auth.models import User
    from eip.policy import visible_placements

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


def test_the_demo_spocs_see_the_fair_share_and_hackneys_request_warns(demo, app):
    camden = _signed_in(app, "dev.patel@camden.example").get("/").get_data(as_text=True)
    hackney = _signed_in(app, "nia.campbell@hackney.example").get("/").get_data(as_text=True)
    for home in (camden, hackney):
        assert "Fair share for each of the 4 places left: £1,711.50" in home
    assert "less than one typical stay" not in camden
    assert "less than one typical stay" in hackney


def test_the_demo_evaluator_sees_figures_from_a_released_extract_on_first_sign_in(demo, app):
    from evaluation.models import EvaluationExtract

    [item] = db.session.scalars(select(EvaluationExtract)).all()
    assert item.state == "released" and item.release_number == 1
    client = _signed_in(app, "sam.whitfield@scie.example")
    page = client.get("/evaluation/figures").get_data(as_text=True)
    assert "No extract has been released yet" not in page
    assert f"Built only from {item.label}" in page
    for key in ("pathway_outcome", "idva_timeliness", "marac_timeliness", "children_age_band",
                "partner_gender"):  # fmt: skip
        assert f'id="table-{key}"' in page, key
    # The outcome measures of the demo's few measured cases: the tables and their charts
    # (their counts mostly hidden under k, which the page explains).
    for key in ("outcome_points", "behaviour_by_point", "behaviour_change",
                "feels_safe_by_point", "feels_safe_change"):  # fmt: skip
        assert f'id="table-{key}"' in page, key
        assert f'id="chart-{key}-title"' in page, key
    assert "Few cases have been measured at each point" in page
    from evaluation import services

    measured = list(services.outcome_rows_of(item, app.config["INSTANCE_PATH"]))
    assert {row["point"] for row in measured} >= {"intake", "mid", "exit"}
    assert len(measured) >= 11  # three points on three closed cases, two on an active one
    download = client.get(f"/evaluation/extracts/{item.id}/download")
    assert download.status_code == 200
    download.close()
