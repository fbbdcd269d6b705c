"""The referral's pages after it is recorded: acknowledge, the late decision, the
referral panel, the partner's page and changing the referral, through real forms."""

import html
from datetime import date

import pytest
from sqlalchemy import select

from eip.audit import AuditEvent
from eip.cases.models import Case
from eip.cases.records import LateReferralDecision
from eip.cases.referral_edit import current_details
from eip.extensions import db
from eip.programme import current_settings
from tests import factories
from tests import factories_pathway_referral as rf
from tests.conftest import post_form

LATE = rf.london(date(2026, 8, 18), 16, 0)


def _date(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _ack_data(page: str, **overrides) -> dict:
    data = {
        "acknowledged_date": _date(date(2026, 9, 7)),
        "acknowledged_time": "09:15",
        "method": "secure_email",
    }
    data.update(overrides)
    return data


def _reload(case: Case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


# ---------------------------------------------------------------------------
# The referral panel and the case page


def test_the_referral_panel_shows_the_referral_but_not_the_partners_details(signed_in):
    client, user = signed_in("practitioner")
    case = rf.recorded_case(user)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    panel = html.unescape(rf.section(page, "referral"))
    for shown in ("Sam Okafor", "Alex Marlowe", "White: English", "Child in need", "Substance use"):
        assert shown in panel
    assert "Due by Thursday 10 September 2026" in panel
    assert "Overdue" in panel  # 10 September 2026 has passed
    assert f'href="/cases/{case.reference}/acknowledge"' in panel
    assert f'href="/cases/{case.reference}/referral"' in panel
    assert f'href="/cases/{case.reference}/partner"' in panel
    assert "late-referral" not in panel
    for hidden in ("Jordan", "Bluebell", "Tuesdays after 2pm"):
        assert hidden not in page


def test_a_manager_sees_the_late_decision_link_and_no_practitioner_steps(signed_in):
    case = rf.recorded_case(received_at=LATE)
    client, _ = signed_in("manager")
    panel = rf.section(client.get(f"/cases/{case.reference}").get_data(as_text=True), "referral")
    assert f'href="/cases/{case.reference}/late-referral"' in panel
    assert f'{case.reference}/acknowledge"' not in panel
    assert f"{case.reference}/referral" not in panel
    assert "View the partner&#39;s details" in panel or "View the partner's details" in panel


def test_a_spoc_of_the_referring_borough_sees_no_referral_details(signed_in):
    case = rf.recorded_case(borough_name="Hackney")
    client, _ = signed_in("spoc", borough_name="Hackney")
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert case.reference in page
    for detail in ("Alex", "Marlowe", "Jordan", "Bluebell", "Sam Okafor", "Arguments"):
        assert detail not in page


# ---------------------------------------------------------------------------
# Acknowledge


def test_acknowledging_through_the_form(signed_in):
    client, user = signed_in("practitioner")
    case = rf.recorded_case(user)
    url = f"/cases/{case.reference}/acknowledge"
    page = client.get(url).get_data(as_text=True)
    response = post_form(client, url, _ack_data(page))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cases/{case.reference}"
    case = _reload(case)
    assert case.status == "acknowledged" and case.acknowledgement_method == "secure_email"
    assert case.acknowledged_at == rf.london(date(2026, 9, 7), 9, 15)
    panel = rf.section(client.get(f"/cases/{case.reference}").get_data(as_text=True), "referral")
    assert "Acknowledged 7 September 2026, 9:15am, by secure e-mail" in panel


def test_the_acknowledgement_time_may_be_typed_on_the_12_hour_clock(signed_in):
    client, user = signed_in("practitioner")
    case = rf.recorded_case(user)
    url = f"/cases/{case.reference}/acknowledge"
    page = client.get(url).get_data(as_text=True)
    response = post_form(client, url, _ack_data(page, acknowledged_time="2:30pm"))
    assert response.status_code == 302
    assert _reload(case).acknowledged_at == rf.london(date(2026, 9, 7), 14, 30)


def test_the_text_to_paste_names_the_case_and_the_practitioner_only(signed_in):
    client, user = signed_in("practitioner", name="Priya Shah")
    case = rf.recorded_case(user)
    page = html.unescape(client.get(f"/cases/{case.reference}/acknowledge").get_data(as_text=True))
    text = page[page.index('id="acknowledgement-text"') : page.index("</textarea>")]
    assert case.reference in text and "Saturday 5 September 2026" in text
    assert "Priya Shah" in text and user.email in text and "case consultation" in text
    for detail in ("Alex", "Marlowe", "Jordan", "Bluebell", "Example Road"):
        assert detail not in page


def test_an_acknowledgement_before_the_referral_is_refused_beside_the_time(signed_in):
    client, user = signed_in("practitioner")
    case = rf.recorded_case(user)
    url = f"/cases/{case.reference}/acknowledge"
    page = client.get(url).get_data(as_text=True)
    data = _ack_data(page, acknowledged_date=_date(rf.SATURDAY), acknowledged_time="08:00")
    response = post_form(client, url, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The acknowledgement cannot be before the referral was received" in body
    assert 'href="#acknowledged_time"' in body
    assert _reload(case).acknowledged_at is None


def test_an_acknowledgement_form_left_empty_asks_for_each_answer(signed_in):
    client, user = signed_in("practitioner")
    case = rf.recorded_case(user)
    url = f"/cases/{case.reference}/acknowledge"
    response = post_form(client, url, {})
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    for message in (
        "Enter the date the referrer was told",
        "Enter the time the referrer was told",
        "Select how the referrer was told",
    ):
        assert message in body


def test_a_late_referral_is_acknowledged_once_and_still_waits(signed_in):
    client, user = signed_in("practitioner")
    case = rf.recorded_case(user, received_at=LATE)
    url = f"/cases/{case.reference}/acknowledge"
    page = client.get(url).get_data(as_text=True)
    assert "outside the programme" in html.unescape(page)  # the text to paste says so
    data = _ack_data(page, acknowledged_date=_date(date(2026, 8, 19)))
    assert post_form(client, url, data).status_code == 302
    assert _reload(case).status == "awaiting_late_agreement"
    again = client.get(url).get_data(as_text=True)
    assert "The referral has already been acknowledged." in again
    assert 'name="method"' not in again
    data = _ack_data(page)
    second = post_form(client, url, data, form_url=f"/cases/{case.reference}")
    assert second.status_code == 400
    assert "The referral has already been acknowledged" in second.get_data(as_text=True)


def test_two_people_acknowledging_the_second_is_told_it_is_already_acknowledged(signed_in):
    first, user = signed_in("practitioner")
    second, _ = signed_in("practitioner")
    case = rf.recorded_case(user)
    url = f"/cases/{case.reference}/acknowledge"
    first_page = first.get(url).get_data(as_text=True)
    second_page = second.get(url).get_data(as_text=True)
    assert post_form(first, url, _ack_data(first_page)).status_code == 302
    late = post_form(second, url, _ack_data(second_page, method="phone"))
    assert late.status_code == 400
    assert "already been acknowledged" in late.get_data(as_text=True)
    assert _reload(case).acknowledgement_method == "secure_email"


# ---------------------------------------------------------------------------
# The late-referral decision


def _decision_data(page: str, **overrides) -> dict:
    data = {
        "decision": "agreed",
        "decided_on": _date(date(2026, 8, 25)),
        "cranstoun_agreed_by": "Chris Cranstoun",
        "respect_agreed_by": "Rae Respect",
        "camden_agreed_by": "Cam Camden",
        "support_confirmed": "y",
        "note": "",
    }
    data.update(overrides)
    return data


def test_a_manager_records_the_agreement_and_the_case_goes_on(signed_in):
    case = rf.recorded_case(received_at=LATE)
    client, manager = signed_in("manager")
    url = f"/cases/{case.reference}/late-referral"
    page = client.get(url).get_data(as_text=True)
    end = current_settings(db.session).programme_end_date
    assert f"{end.day} {end:%B %Y}" in page  # the programme end date from the settings
    response = post_form(client, url, _decision_data(page))
    assert response.status_code == 302
    assert _reload(case).status == "referred"
    decision = db.session.scalar(select(LateReferralDecision))
    assert decision.recorded_by_id == manager.id and decision.respect_agreed_by == "Rae Respect"
    done = client.get(url).get_data(as_text=True)
    assert "Agreed for Camden" in done and 'name="decision"' not in done


def test_an_agreement_without_every_name_and_the_confirmation_is_refused(signed_in):
    case = rf.recorded_case(received_at=LATE)
    client, _ = signed_in("manager")
    url = f"/cases/{case.reference}/late-referral"
    page = client.get(url).get_data(as_text=True)
    data = _decision_data(page, respect_agreed_by="")
    del data["support_confirmed"]
    response = post_form(client, url, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter who agreed for Respect/SafeLives" in body
    assert "Confirm that support and move-on are in place before the programme end date" in body
    assert db.session.scalar(select(LateReferralDecision)) is None


def test_a_manager_records_a_refusal_and_the_case_closes_as_not_accepted(signed_in):
    case = rf.recorded_case(received_at=LATE)
    client, _ = signed_in("manager")
    url = f"/cases/{case.reference}/late-referral"
    page = client.get(url).get_data(as_text=True)
    data = _decision_data(page, decision="refused", note="No capacity before the end")
    assert post_form(client, url, data).status_code == 302
    case = _reload(case)
    assert case.status == "not_accepted" and case.closure_outcome == "not_accepted"
    panel = rf.section(client.get(f"/cases/{case.reference}").get_data(as_text=True), "referral")
    assert "Agreement was refused" in panel


def test_a_refusal_needs_its_reason(signed_in):
    case = rf.recorded_case(received_at=LATE)
    client, _ = signed_in("manager")
    url = f"/cases/{case.reference}/late-referral"
    page = client.get(url).get_data(as_text=True)
    response = post_form(client, url, _decision_data(page, decision="refused", note=" "))
    assert response.status_code == 400
    assert "Enter why the late referral was refused" in response.get_data(as_text=True)


def test_a_practitioner_cannot_record_the_late_decision(signed_in):
    case = rf.recorded_case(received_at=LATE)
    client, _ = signed_in("practitioner")
    url = f"/cases/{case.reference}/late-referral"
    assert client.get(url).status_code == 403
    posted = post_form(client, url, {"decision": "agreed"}, form_url=f"/cases/{case.reference}")
    assert posted.status_code == 403
    refusal = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "access.refused"))
    assert refusal.details["action"] == "case.late_decision"


# ---------------------------------------------------------------------------
# The partner's page


@pytest.mark.parametrize("role", ["practitioner", "manager"])
def test_the_partners_page_shows_their_details_and_every_view_is_audited(signed_in, role):
    case = rf.recorded_case()
    client, user = signed_in(role)
    url = f"/cases/{case.reference}/partner"
    page = html.unescape(client.get(url).get_data(as_text=True))
    client.get(url)
    for detail in ("Jordan Reyes", "14 November 1991", "Partner", "Tuesdays after 2pm", "Bluebell"):
        assert detail in page
    assert "Every time someone opens this page it is recorded" in page
    views = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.partner_viewed")
    ).all()
    assert [(v.actor_id, v.case_reference) for v in views] == [(user.id, case.reference)] * 2
    log = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Viewed the partner&#39;s details" in log or "Viewed the partner's details" in log


# ---------------------------------------------------------------------------
# Changing the referral


def _edit_data(page: str, case: Case, **overrides) -> dict:
    details = current_details(case)
    data = rf.form_data(case.borough_id, details.practitioner_id)
    data.pop("borough")
    data["version"] = rf.version_from(page)
    data.update(overrides)
    return data


def test_the_change_page_shows_the_saved_values_and_the_borough_read_only(signed_in):
    client, user = signed_in("practitioner")
    case = rf.recorded_case(user)
    page = client.get(f"/cases/{case.reference}/referral").get_data(as_text=True)
    assert 'value="Alex Marlowe"' in page and 'value="10:30"' in page
    assert "Camden" in page and "fixed for the life of the case" in page
    assert 'name="borough"' not in page


def test_a_change_is_saved_and_audited_by_field_name(signed_in):
    client, user = signed_in("practitioner")
    case = rf.recorded_case(user)
    url = f"/cases/{case.reference}/referral"
    page = client.get(url).get_data(as_text=True)
    response = post_form(client, url, _edit_data(page, case, client_phone="07700 900555"))
    assert response.status_code == 302
    assert _reload(case).client.phone == "07700 900555"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.updated"))
    assert "client_phone" in event.details["fields"]
    assert "900555" not in repr(event.details)


def test_fewer_children_on_the_referral_are_refused_beside_the_count(signed_in):
    client, user = signed_in("practitioner")
    case = rf.recorded_case(user)  # two children counted, so two child records
    url = f"/cases/{case.reference}/referral"
    page = client.get(url).get_data(as_text=True)
    response = post_form(client, url, _edit_data(page, case, children_count="1"))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "remove a child in the Children section" in body
    assert _reload(case).children_count == 2


def test_saving_with_nothing_changed_says_so_at_the_top_of_the_case_page(signed_in):
    client, user = signed_in("practitioner")
    case = rf.recorded_case(user)
    url = f"/cases/{case.reference}/referral"
    post_form(client, url, _edit_data(client.get(url).get_data(as_text=True), case))
    client.get(f"/cases/{case.reference}")  # the first save's banner
    response = post_form(client, url, _edit_data(client.get(url).get_data(as_text=True), case))
    # The top of the page, where the banner is: not #referral, thousands of pixels below it.
    assert response.headers["Location"] == f"/cases/{case.reference}"
    assert "Nothing was changed" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_posted_borough_is_ignored(signed_in):
    client, user = signed_in("practitioner")
    case = rf.recorded_case(user)
    other = factories.borough("Hackney")
    url = f"/cases/{case.reference}/referral"
    page = client.get(url).get_data(as_text=True)
    post_form(client, url, _edit_data(page, case, borough=str(other.id), client_phone="0"))
    assert _reload(case).borough.name == "Camden"


def test_a_change_that_breaks_a_rule_is_refused_and_nothing_saved(signed_in):
    client, user = signed_in("practitioner")
    case = rf.recorded_case(user)
    url = f"/cases/{case.reference}/referral"
    page = client.get(url).get_data(as_text=True)
    data = _edit_data(page, case, client_date_of_birth=_date(date(2012, 1, 1)), client_phone="1")
    response = post_form(client, url, data)
    assert response.status_code == 400
    assert "16 or older" in response.get_data(as_text=True)
    assert _reload(case).client.phone is None


def test_two_people_changing_the_referral_the_second_is_shown_what_changed_and_keeps_their_form(
    signed_in,
):
    first, user = signed_in("practitioner")
    second, _ = signed_in("practitioner")
    case = rf.recorded_case(user)
    url = f"/cases/{case.reference}/referral"
    first_page = first.get(url).get_data(as_text=True)
    second_page = second.get(url).get_data(as_text=True)
    assert post_form(first, url, _edit_data(first_page, case, client_phone="111")).status_code == (
        302
    )
    stale = post_form(second, url, _edit_data(second_page, case, client_phone="222"))
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Someone else changed this referral while you were working on it" in body
    # What changed and by whom (a colleague's name, never a value), and what they typed.
    assert f"the referral details were changed by {html.escape(user.name)} on" in body
    assert "111" not in body.split("govuk-error-summary")[1].split("</div>")[0]
    assert 'value="222"' in body
    assert _reload(case).client.phone == "111"
    # The kept form carries the current version: saving it again, checked, is accepted.
    again = post_form(second, url, _edit_data(body, case, client_phone="222"))
    assert again.status_code == 302
    assert _reload(case).client.phone == "222"


def test_a_change_to_the_referral_is_not_refused_by_an_acknowledgement_meanwhile(signed_in):
    first, user = signed_in("practitioner")
    second, _ = signed_in("practitioner")
    case = rf.recorded_case(user)
    url = f"/cases/{case.reference}/referral"
    second_page = second.get(url).get_data(as_text=True)
    acknowledged = post_form(first, f"/cases/{case.reference}/acknowledge", _ack_data(""))
    assert acknowledged.status_code == 302
    saved = post_form(second, url, _edit_data(second_page, case, client_phone="07700 900333"))
    assert saved.status_code == 302
    case = _reload(case)
    assert case.client.phone == "07700 900333" and case.status == "acknowledged"


def test_a_not_accepted_case_offers_no_change_form(signed_in):
    case = rf.recorded_case(received_at=LATE)
    manager_client, _ = signed_in("manager")
    url = f"/cases/{case.reference}/late-referral"
    page = manager_client.get(url).get_data(as_text=True)
    post_form(manager_client, url, _decision_data(page, decision="refused", note="No capacity"))
    client, _ = signed_in("practitioner")
    page = client.get(f"/cases/{case.reference}/referral").get_data(as_text=True)
    assert "can no longer be changed" in page and 'name="client_name"' not in page


@pytest.mark.parametrize(
    ("role", "path"),
    [("practitioner", "acknowledge"), ("practitioner", "referral"), ("manager", "late-referral")],
)
def test_each_referral_page_is_captioned_with_the_case_and_goes_back_to_its_referral_panel(
    signed_in, role, path
):
    client, user = signed_in(role)
    case = rf.recorded_case(user if role == "practitioner" else None)
    page = client.get(f"/cases/{case.reference}/{path}").get_data(as_text=True)
    assert f'href="/cases/{case.reference}#referral"' in page
    assert f'<span class="govuk-caption-l">Case {case.reference}</span>' in page
    assert f'class="govuk-back-link">Case {case.reference}</a>' in page
