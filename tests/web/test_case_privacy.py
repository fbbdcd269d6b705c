"""DOMAIN.md's field-by-role table on the demo's cases: SPOCs see reference, borough and
status of their own borough's cases and nothing of the pathway's personal data; finance,
evaluators and admins see no case at all."""

import pytest
from sqlalchemy import select

from eip.cases.models import Case, Person
from eip.demo import DEMO_PASSWORD
from eip.extensions import db
from tests.conftest import run_seed_demo, sign_in


@pytest.fixture
def demo(runner, app_context):
    run_seed_demo(runner)
    return db.session.scalars(select(Case)).all()


def personal_values(case: Case) -> list[str]:
    people = [db.session.get(Person, pid) for pid in (case.client_id, case.partner_id) if pid]
    values = [p.full_name for p in people] + [p.address for p in people if p.address]
    extra = (case.partner_code_word, case.referrer_name, case.reason_for_referral)
    values += [value for value in extra if value]
    return values


def test_a_spoc_sees_their_boroughs_cases_without_any_personal_or_risk_detail(app, demo):
    client = app.test_client()
    assert sign_in(client, "dev.patel@camden.example", DEMO_PASSWORD).status_code == 302
    camden = [c for c in demo if c.borough.name == "Camden"]
    assert camden
    for case in camden:
        html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
        assert case.reference in html
        for value in personal_values(case):
            assert value not in html, (case.reference, "leaked a personal detail")
        for word in ("DASH", "Timeline", "Consent", "Risk Management"):
            assert word not in html
        assert client.get(f"/cases/{case.reference}/partner").status_code == 403
    other = next(c for c in demo if c.borough.name != "Camden")
    assert client.get(f"/cases/{other.reference}").status_code == 403


@pytest.mark.parametrize(
    "email",
    ["grace.lin@camden.example", "sam.whitfield@scie.example", "alex.morgan@eip-admin.example"],
)
def test_finance_evaluators_and_admins_see_no_case_page_and_no_names_at_home(app, demo, email):
    client = app.test_client()
    assert sign_in(client, email, DEMO_PASSWORD).status_code == 302
    home = client.get("/").get_data(as_text=True)
    for case in demo[:10]:
        assert client.get(f"/cases/{case.reference}").status_code == 403
        for value in personal_values(case):
            assert value not in home
