"""DASH risk reviews through the real form, and the risk panel on the case page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eip.cases import dash
from eip.cases.records import CaseAction, DashReview
from eip.clock import today
from eip.extensions import db
from eip.programme import current_settings
from tests import factories_pathway_activity as fa
from tests.conftest import csrf_token_from

FRIDAY = date(2026, 3, 6)


def html_of(response) -> str:
    return response.get_data(as_text=True)


def section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>", start)]


def reviews() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(DashReview))


def form_url(case) -> str:
    return f"/cases/{case.reference}/dash/new"


@pytest.fixture
def practitioner(signed_in):
    return signed_in("practitioner")


def test_the_form_asks_all_24_questions_each_in_its_own_fieldset(practitioner):
    client, _ = practitioner
    case = fa.case("active")
    html = html_of(client.get(form_url(case)))
    legends = re.findall(r'<legend class="govuk-fieldset__legend[^"]*">\s*(.*?)\s*</legend>', html)
    for q in dash.questions():
        assert any(legend.startswith(f"{q.number}. ") for legend in legends), q.number
        assert f'id="q{q.number}-hint"' in html
        assert f'name="q{q.number}" type="radio" value="not_known"' in html
    assert "Has the current incident resulted in injury?" in html
    assert html.count('type="radio" value="yes"') == 24
    for value in dash.JUDGEMENTS:
        assert f'name="professional_judgement" type="radio" value="{value}"' in html


def test_the_form_gives_the_referral_deadlines_the_settings_hold(practitioner):
    client, _ = practitioner
    case = fa.case("active")
    page = html_of(client.get(form_url(case)))
    assert "IDVA referral action, due in 1 working day." in page
    assert "MARAC referral action too, due in 2 working days." in page
    settings = current_settings(db.session)
    settings.idva_action_working_days, settings.marac_action_working_days = 2, 3
    db.session.add(settings)
    db.session.commit()
    page = html_of(client.get(form_url(case)))
    assert "IDVA referral action, due in 2 working days." in page
    assert "MARAC referral action too, due in 3 working days." in page


def test_the_escalation_count_starts_from_the_police_callouts_recorded_in_the_last_12_months(
    practitioner,
):
    client, _ = practitioner
    case = fa.case("active")
    fa.incident(case, today() - timedelta(days=30))
    fa.incident(case, today() - timedelta(days=60))
    fa.incident(case, today() - timedelta(days=400))
    fa.incident(case, today() - timedelta(days=10), source="other_agency")
    html = html_of(client.get(form_url(case)))
    [box] = re.findall(r'<input[^>]*name="escalation_incidents"[^>]*>', html)
    assert 'value="2"' in box
    assert "2 police call-outs known in the 12 months to today" in html


def test_the_callouts_count_the_referrals_call_outs_with_the_incidents_since(practitioner):
    # The referral said 1 call-out in the 12 months to its receipt: the form starts from 1,
    # not "0 police call-outs recorded"; an incident since adds one, while one dated before
    # the receipt may be the referral's own and does not.
    client, user = practitioner
    case = fa.case("active", practitioner=user, received_on=today() - timedelta(days=20))
    case.police_callouts_12_months = 1
    db.session.commit()
    html = html_of(client.get(form_url(case)))
    [box] = re.findall(r'<input[^>]*name="escalation_incidents"[^>]*>', html)
    assert 'value="1"' in box
    assert "1 police call-out known in the 12 months to today" in html
    fa.incident(case, today() - timedelta(days=40))
    fa.incident(case, today() - timedelta(days=5))
    html = html_of(client.get(form_url(case)))
    assert "2 police call-outs known in the 12 months to today" in html
    # Left empty, the review stores the same known figure.
    assert fa.submit(client, form_url(case), fa.dash_form(today())).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(DashReview.police_callouts_12_months)) == 2


def test_eleven_yes_is_high_risk_with_the_idva_action_only_explained_by_its_threshold(
    practitioner,
):
    client, user = practitioner
    case = fa.case("active", practitioner=user)
    assert fa.submit(client, form_url(case), fa.dash_form(FRIDAY, 11)).status_code == 302
    html = html_of(client.get(f"/cases/{case.reference}"))
    risk = section(html, "risk")
    assert "High risk" in risk and 'govuk-tag--red">MARAC' not in risk
    assert "High risk: score 11 ≥ 10 (the threshold on 6 March 2026)" in risk
    assert "The IDVA referral action is in the" in risk
    activity = section(html, "activity")
    idva = activity[activity.index("IDVA referral") :]
    assert "9 March 2026" in idva[: idva.index("</tr>")]
    assert "MARAC referral</span>" not in activity


def test_fourteen_yes_flags_high_risk_and_lists_the_idva_and_marac_actions(practitioner):
    client, user = practitioner
    case = fa.case("active", practitioner=user)
    response = fa.submit(client, form_url(case), fa.dash_form(FRIDAY, 14))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.reference}")
    html = html_of(client.get(f"/cases/{case.reference}"))
    risk = section(html, "risk")
    assert "High risk" in risk
    assert "14 of 24 yes answers (high-risk threshold 10, MARAC threshold 14" in risk
    assert "MARAC: score 14 ≥ 14 (the threshold on 6 March 2026)" in risk
    activity = section(html, "activity")
    idva = activity[activity.index("IDVA referral") :]
    assert "9 March 2026" in idva[: idva.index("</tr>")]
    marac = activity[activity.index("MARAC referral</span>") :]
    assert "10 March 2026" in marac[: marac.index("</tr>")]


def test_a_high_risk_threshold_of_12_in_the_settings_changes_the_outcome_of_ten_yes(
    practitioner, app
):
    client, _ = practitioner
    case = fa.case("active")
    assert fa.submit(client, form_url(case), fa.dash_form(FRIDAY, 10)).status_code == 302
    assert "High risk" in section(html_of(client.get(f"/cases/{case.reference}")), "risk")
    settings = current_settings(db.session)
    settings.high_risk_threshold_yes = 12
    db.session.add(settings)
    db.session.commit()
    other = fa.case("active")
    assert fa.submit(client, form_url(other), fa.dash_form(FRIDAY, 10)).status_code == 302
    risk = section(html_of(client.get(f"/cases/{other.reference}")), "risk")
    assert "High risk" not in risk and "high-risk threshold 12" in risk
    # The first review keeps the threshold it was made under.
    risk = section(html_of(client.get(f"/cases/{case.reference}")), "risk")
    assert "High risk: score 10 ≥ 10" in risk


def test_professional_judgement_alone_makes_the_case_high_risk(practitioner):
    client, _ = practitioner
    case = fa.case("active")
    data = fa.dash_form(FRIDAY, 1, judgement="high", judgement_note="Recent threats to kill")
    assert fa.submit(client, form_url(case), data).status_code == 302
    risk = section(html_of(client.get(f"/cases/{case.reference}")), "risk")
    assert "High risk: by professional judgement" in risk
    assert "Recent threats to kill" in risk


def test_three_police_callouts_make_the_case_high_risk(practitioner):
    client, _ = practitioner
    case = fa.case("active")
    data = fa.dash_form(FRIDAY, 0, escalation_incidents="3")
    assert fa.submit(client, form_url(case), data).status_code == 302
    risk = section(html_of(client.get(f"/cases/{case.reference}")), "risk")
    assert "High risk: by escalation" in risk
    assert "Escalation: 3 police call-outs in 12 months" in risk


def test_a_second_high_review_does_not_duplicate_the_open_idva_action(practitioner):
    client, _ = practitioner
    case = fa.case("active")
    fa.submit(client, form_url(case), fa.dash_form(FRIDAY, 14))
    fa.submit(client, form_url(case), fa.dash_form(FRIDAY + timedelta(days=7), 18))
    assert reviews() == 2
    kinds = db.session.scalars(select(CaseAction.kind).order_by(CaseAction.kind)).all()
    assert kinds == ["idva_referral", "marac_referral"]


def test_a_missing_answer_is_named_and_the_other_23_answers_are_kept(practitioner):
    client, _ = practitioner
    case = fa.case("active")
    data = fa.dash_form(FRIDAY, 14, judgement="high", judgement_note="Kept note")
    del data["q15"]
    response = fa.submit(client, form_url(case), data)
    html = html_of(response)
    assert response.status_code == 400
    message = "Answer question 15 (Strangulation, choking, suffocation, drowning)"
    start = html.index("govuk-error-summary")
    summary = html[start : html.index("</ul>", start)]
    assert f'<a href="#q15">{message}</a>' in summary
    assert '<p id="q15-error" class="govuk-error-message">' in html
    for number, answer in fa.answers(14).items():
        checked = f'name="q{number}" type="radio" value="{answer}" checked'
        assert (checked in html) is (number != 15), number
    assert "Kept note" in html
    assert 'name="professional_judgement" type="radio" value="high" checked' in html
    assert reviews() == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"professional_judgement": ""}, "Select your professional judgement of the risk"),
        ({"professional_judgement": "maybe"}, "Select your professional judgement of the risk"),
        ({"professional_judgement": "high"}, "Say why you judge the risk to be higher than"),
        ({"escalation_incidents": "lots"}, "Enter the number of incidents"),
        ({"escalation_incidents": "100"}, "Enter the number of incidents"),
        ({"completed_on": ["", "", ""]}, "Enter the date the review was completed"),
        ({"q3": "sometimes"}, "Answer question 3 (What are they afraid of)"),
    ],
)
def test_bad_dash_input_is_refused_and_nothing_is_saved(practitioner, change, message):
    client, _ = practitioner
    case = fa.case("active")
    response = fa.submit(client, form_url(case), {**fa.dash_form(FRIDAY, 3), **change})
    assert response.status_code == 400
    assert message in html_of(response)
    assert reviews() == 0


def test_a_review_dated_tomorrow_is_refused(practitioner):
    client, _ = practitioner
    case = fa.case("active")
    response = fa.submit(client, form_url(case), fa.dash_form(today() + timedelta(days=1), 3))
    assert response.status_code == 400
    assert "cannot be in the future" in html_of(response)
    assert reviews() == 0


def test_a_review_after_closure_is_recorded_without_reopening(practitioner):
    client, _ = practitioner
    case = fa.case("closed")
    assert "Save review" in html_of(client.get(form_url(case)))
    assert fa.submit(client, form_url(case), fa.dash_form(FRIDAY, 16)).status_code == 302
    assert reviews() == 1
    db.session.expire_all()
    assert db.session.get(type(case), case.id).status == "closed"


def test_a_review_typed_while_a_colleague_saved_one_is_saved_too(signed_in):
    """The 24 answers typed on a page opened before a colleague's save are not lost."""
    first, _ = signed_in("practitioner")
    second, _ = signed_in("practitioner")
    case = fa.case("active")
    seen = html_of(second.get(form_url(case)))
    assert fa.submit(first, form_url(case), fa.dash_form(FRIDAY, 2)).status_code == 302
    data = {**fa.dash_form(FRIDAY, 20), "csrf_token": csrf_token_from(seen)}
    response = second.post(form_url(case), data={**data, "submission": fa.submission_from(seen)})
    assert response.status_code == 302
    assert reviews() == 2


def test_the_chart_shows_every_score_without_inline_styles_beside_a_table(practitioner):
    client, _ = practitioner
    case = fa.case("active")
    fa.dash_review(case, date(2026, 1, 20), 7)
    fa.dash_review(case, date(2026, 2, 17), 12, "medium")
    fa.dash_review(case, date(2026, 3, 17), 16, "high")
    response = client.get(f"/cases/{case.reference}")
    risk = section(html_of(response), "risk")
    svg = risk[risk.index("<svg") : risk.index("</svg>")]
    assert "style=" not in svg
    scores = re.findall(r'class="eip-dash-chart__score">(\d+)<', svg)
    assert scores == ["7", "12", "16"]
    assert 'stroke-dasharray="8 5"' in svg
    table = risk[risk.index('<table class="govuk-table govuk-visually-hidden">') :]
    assert all(f'<td class="govuk-table__cell">{s}</td>' in table for s in scores)
    # The page's policy forbids inline styles, and the chart needs none.
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]


def test_a_case_without_reviews_says_so_instead_of_a_chart(practitioner):
    client, _ = practitioner
    case = fa.case("active")
    risk = section(html_of(client.get(f"/cases/{case.reference}")), "risk")
    assert "No DASH review has been recorded yet" in risk and "<svg" not in risk
    assert "Record a DASH review" in risk


def test_a_completed_marac_referral_in_the_last_12_months_flags_a_repeat_marac(practitioner):
    client, _ = practitioner
    case = fa.case("active")
    fa.dash_review(case, date(2026, 1, 20), 15, "high")
    referred = datetime.now(UTC) - timedelta(days=200)
    fa.action(case, "marac_referral", completed_at=referred)
    risk = section(html_of(client.get(f"/cases/{case.reference}")), "risk")
    assert "Repeat MARAC" in risk
    assert "a new MARAC referral is a repeat referral" in risk


def test_a_marac_referral_over_12_months_ago_is_not_a_repeat(practitioner):
    client, _ = practitioner
    case = fa.case("active")
    fa.dash_review(case, date(2026, 1, 20), 15, "high")
    fa.action(case, "marac_referral", completed_at=datetime.now(UTC) - timedelta(days=400))
    risk = section(html_of(client.get(f"/cases/{case.reference}")), "risk")
    assert "Repeat MARAC" not in risk


def test_each_review_lists_its_answers(practitioner):
    client, _ = practitioner
    case = fa.case("active")
    fa.dash_review(case, date(2026, 1, 20), 2)
    risk = section(html_of(client.get(f"/cases/{case.reference}")), "risk")
    assert "20 January 2026: score 2, standard risk" in risk
    assert re.search(r"1\. Current injury</dt>\s*<dd[^>]*>Yes</dd>", risk)
    assert re.search(r"24\. Criminal history</dt>\s*<dd[^>]*>No</dd>", risk)
