"""Equality data through the real pages: the referral form and its change page take the
client's and the partner's answers (bad ones refused beside the field, nothing written),
the partner's page shows them, and the equality figures are for managers only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.cases.models import Case
from eip.clock import today
from eip.extensions import db
from evaluation import services
from tests import factories
from tests import factories_evaluation as fe
from tests import factories_pathway_referral as rf
from tests.conftest import post_form
from tests.web.test_referral_steps_pages import _edit_data

NEW = "/cases/new"
EQUALITY = {
    "client_sexual_orientation": "prefer_not_to_say",
    "partner_gender": "woman",
    "partner_ethnicity": "black_caribbean",
    "partner_disability": "yes",
    "partner_sexual_orientation": "bisexual",
    "partner_age_band": "45_54",
}


def html_of(response) -> str:
    return response.get_data(as_text=True)


def test_the_form_asks_the_partners_equality_questions_in_their_own_fieldset(signed_in):
    client, _user = signed_in("practitioner")
    factories.borough("Camden")
    page = html_of(client.get(NEW))
    assert 'id="group-partner-equality">Partner: equality questions</h2>' in page
    for name in EQUALITY:
        assert f'name="{name}"' in page, name
    assert "Prefer not to say" in page and "Straight or heterosexual" in page


def test_a_referral_saves_both_parties_equality_answers_and_the_band_from_the_birth_date(
    signed_in,
):
    client, user = signed_in("practitioner")
    camden = factories.borough("Camden")
    data = rf.form_data(camden.id, user.id, **EQUALITY)
    assert post_form(client, NEW, data).status_code == 302
    case = db.session.scalar(select(Case))
    assert case.client.sexual_orientation == "prefer_not_to_say"
    assert case.client.age_band == "35_44"  # born 27 March 1990, referred September 2026
    partner = case.partner
    assert (partner.gender, partner.ethnicity, partner.disability) == (
        "woman",
        "black_caribbean",
        "yes",
    )
    assert partner.sexual_orientation == "bisexual"
    # Born 14 November 1991: the date of birth decides, not the band typed.
    assert partner.age_band == "25_34"


def test_without_a_birth_date_the_partners_band_is_as_recorded_and_unasked_is_not_known(
    signed_in,
):
    client, user = signed_in("practitioner")
    camden = factories.borough("Camden")
    data = rf.form_data(camden.id, user.id, partner_born=None, partner_age_band="45_54")
    assert post_form(client, NEW, data).status_code == 302
    partner = db.session.scalar(select(Case)).partner
    assert partner.age_band == "45_54"
    assert (partner.gender, partner.sexual_orientation) == ("not_known", "not_known")


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("partner_sexual_orientation", "Select the partner&#39;s sexual orientation from the list"),
        ("partner_age_band", "Select the partner&#39;s age band from the list"),
        ("partner_ethnicity", "Select the partner&#39;s ethnicity from the list"),
        ("client_sexual_orientation", "Select the client&#39;s sexual orientation from the list"),
    ],
)
def test_an_answer_not_in_the_list_is_refused_beside_its_field_and_nothing_is_saved(
    signed_in, field, message
):
    client, user = signed_in("practitioner")
    camden = factories.borough("Camden")
    response = post_form(client, NEW, rf.form_data(camden.id, user.id, **{field: "martian"}))
    page = html_of(response)
    assert response.status_code == 400
    assert "govuk-error-summary" in page and page.count(message) >= 2  # summary and field
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_a_change_to_the_partners_answers_is_saved_and_audited_by_field_name(signed_in):
    client, user = signed_in("practitioner")
    case = rf.recorded_case(user)
    url = f"/cases/{case.reference}/referral"
    page = html_of(client.get(url))
    data = _edit_data(page, case, partner_sexual_orientation="gay_or_lesbian")
    assert post_form(client, url, data).status_code == 302
    db.session.expire_all()
    assert case.partner.sexual_orientation == "gay_or_lesbian"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.updated"))
    assert "partner_sexual_orientation" in event.details["fields"]
    # Answers posted unchanged (or not posted at all) are not named as changes.
    assert not {"partner_gender", "partner_age_band", "partner_disability"} & set(
        event.details["fields"]
    )
    # The change page shows the saved answer selected.
    assert 'value="gay_or_lesbian" checked' in html_of(client.get(url))


def test_the_partners_page_shows_their_equality_answers(signed_in):
    client, user = signed_in("practitioner")
    case = rf.recorded_case(user, partner_sexual_orientation="prefer_not_to_say")
    page = html_of(client.get(f"/cases/{case.reference}/partner"))
    assert "Sexual orientation" in page and "Prefer not to say" in page
    assert "Aged 25 to 34" in page


def test_a_manager_sees_the_equality_figures(signed_in):
    practitioner = factories.user("practitioner")
    for i in range(6):
        rf.recorded_case(
            practitioner,
            client_name=f"Client {i}",
            partner_name=f"Partner {i}",
            partner_gender="woman",
        )
    client, _ = signed_in("manager")
    page = html_of(client.get("/evaluation/figures"))
    assert "Equality: who is referred" in page
    table = page.split('id="equality-gender"', 1)[1].split("</table>", 1)[0]
    assert "Woman" in table and ">6<" in table and "100.0%" in table
    assert 'id="chart-gender-partner-title">Gender: partners<' in page


def test_an_evaluator_sees_no_equality_figures(app, signed_in):
    fe.many(6)
    manager = factories.user("manager")
    item = services.prepare(
        db.session, manager, start=today() - timedelta(days=60), end=today(), config=app.config
    )
    services.release(db.session, manager, item.id, config=app.config)
    client, _ = signed_in("evaluator")
    page = html_of(client.get("/evaluation/figures"))
    assert 'id="figure-cases">6<' in page  # the released extract's figures
    assert "Equality" not in page and "equality-gender" not in page


@pytest.mark.parametrize("role", ["practitioner", "spoc", "finance", "admin"])
def test_other_roles_are_refused_the_figures(signed_in, role):
    client, _ = signed_in(role)
    response = client.get("/evaluation/figures")
    assert response.status_code == 403
    assert "Equality" not in html_of(response)


def test_the_managers_figures_csv_carries_the_equality_tables_and_the_evaluators_does_not(
    app, signed_in
):
    practitioner = factories.user("practitioner")
    for i in range(6):
        rf.recorded_case(
            practitioner,
            client_name=f"Client {i}",
            partner_name=f"Partner {i}",
            partner_sexual_orientation="prefer_not_to_say",
        )
    client, _ = signed_in("manager")
    csv = html_of(client.get("/evaluation/figures.csv"))
    assert "Equality: Sexual orientation,Prefer not to say,Partners,6" in csv
    assert "Equality: Sexual orientation,Prefer not to say,% of partners,100.0%" in csv
    manager = factories.user("manager")
    # From well before the cases' fixed referral dates, so the clock a year ahead finds them.
    item = services.prepare(
        db.session, manager, start=date(2020, 1, 1), end=today(), config=app.config
    )
    services.release(db.session, manager, item.id, config=app.config)
    evaluator, _ = signed_in("evaluator")
    assert "Equality" not in html_of(evaluator.get("/evaluation/figures.csv"))


def test_changing_the_partners_birth_date_moves_their_band_with_it(signed_in):
    client, user = signed_in("practitioner")
    case = rf.recorded_case(user)
    assert case.partner.age_band == "25_34"
    url = f"/cases/{case.reference}/referral"
    page = html_of(client.get(url))
    data = _edit_data(page, case, partner_date_of_birth=["14", "11", "1976"])
    assert post_form(client, url, data).status_code == 302
    db.session.expire_all()
    assert case.partner.age_band == "45_54"  # 49 on the day the referral was received
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.updated"))
    assert {"partner_date_of_birth", "partner_age_band"} <= set(event.details["fields"])
