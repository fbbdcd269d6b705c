"""The MARAC referral through the real pages: practitioners prepare it (the form pre-filled
from the latest DASH review) and record it as sent, which closes the MARAC action;
practitioners and managers download the pack (audited); SPOC, finance, evaluator and admin
are refused (audited); bad input says what is wrong and writes nothing."""

from __future__ import annotations

import html as html_text
from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.cases.records import CaseAction, MaracReferral
from eip.clock import today
from eip.extensions import db
from tests import audit_trail, factories
from tests import factories_marac as fm
from tests import factories_pathway_activity as fa
from tests.conftest import post_form


def page_of(response) -> str:
    return html_text.unescape(response.get_data(as_text=True))


def prepare_url(case) -> str:
    return f"/cases/{case.reference}/marac/new"


def pack_url(case, referral) -> str:
    return f"/cases/{case.reference}/marac/{referral.id}/referral.pdf"


def sent_url(case, referral) -> str:
    return f"/cases/{case.reference}/marac/{referral.id}/sent"


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()  # the rows as the requests left them, not as this session holds them
    return audit_trail.events(action)


def referrals() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(MaracReferral))


@pytest.fixture
def practitioner(signed_in):
    return signed_in("practitioner", name="Alex Practitioner")


def test_the_form_is_pre_filled_from_the_latest_dash_review(practitioner):
    client, user = practitioner
    case = fm.marac_case(practitioner=user)
    page = page_of(client.get(prepare_url(case)))
    assert "score 15 of 24" in page
    assert (
        "Visible high risk: a DASH score of 15 of 24, at or above the MARAC threshold of 14" in page
    )
    assert "Weekday mornings on her mobile, never at weekends</textarea>" in page
    assert "Children&#39;s social care" in client.get(prepare_url(case)).get_data(as_text=True)


def test_a_practitioner_prepares_the_referral_and_the_case_page_shows_it(practitioner):
    client, user = practitioner
    case = fm.marac_case(practitioner=user)
    response = post_form(client, prepare_url(case), fm.referral_form())
    assert response.status_code == 302
    [referral] = db.session.scalars(select(MaracReferral)).all()
    assert referral.reasons.startswith("Visible high risk")
    assert len(events("case.marac_prepared")) == 1
    page = page_of(client.get(f"/cases/{case.reference}"))
    assert "MARAC referral" in page and "Not sent" in page
    assert pack_url(case, referral) in page
    assert sent_url(case, referral) in page
    assert "MARAC referral prepared" in page  # the timeline


def test_missing_answers_are_each_named_and_nothing_is_saved(practitioner):
    client, user = practitioner
    case = fm.marac_case(practitioner=user)
    response = post_form(
        client,
        prepare_url(case),
        fm.referral_form(reasons="", agencies_involved="", partner_aware="", referrer_phone=""),
    )
    assert response.status_code == 400
    page = page_of(response)
    assert "There is a problem" in page
    for message in (
        "Enter the reasons for the referral",
        "Enter the agencies involved with the family",
        "Select whether the partner knows about this referral",
        "Enter a phone number MARAC can reach you on",
    ):
        assert message in page
    assert referrals() == 0
    assert events("case.marac_prepared") == []


def test_a_case_whose_latest_review_did_not_meet_marac_says_why_and_offers_no_form(practitioner):
    client, user = practitioner
    case = fm.marac_case(practitioner=user, score=11)
    page = page_of(client.get(prepare_url(case)))
    assert "did not meet the MARAC criteria" in page
    assert 'name="reasons"' not in page
    response = post_form(client, prepare_url(case), fm.referral_form(), form_url=prepare_url(case))
    assert response.status_code == 400
    assert referrals() == 0


@pytest.mark.parametrize("role", ["practitioner", "manager"])
def test_practitioners_and_managers_download_the_pack_and_each_download_is_audited(signed_in, role):
    owner = factories.user("practitioner", name="Sam Owner")
    case = fm.marac_case(practitioner=owner)
    referral = fm.referral(case, owner)
    client, user = signed_in(role)
    for _ in range(2):
        response = client.get(pack_url(case, referral))
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"] == (
            f"attachment; filename={case.reference}-marac-referral.pdf"
        )
    downloads = events("document.downloaded")
    assert [e.details for e in downloads] == [{"document": "marac_referral"}] * 2
    assert {e.actor_id for e in downloads} == {user.id}
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(response.data)).pages)
    assert "Sam Owner" in " ".join(text.split())


@pytest.mark.parametrize("role", ["spoc", "finance", "evaluator", "admin"])
def test_every_other_role_is_refused_the_pack_and_the_form_and_is_audited(signed_in, role):
    owner = factories.user("practitioner")
    case = fm.marac_case(practitioner=owner)
    referral = fm.referral(case, owner)
    client, _ = signed_in(role)  # the SPOC is Camden's: the case's own borough
    response = client.get(pack_url(case, referral))
    assert response.status_code == 403
    assert not response.data.startswith(b"%PDF")
    assert client.get(prepare_url(case)).status_code == 403
    assert client.get(sent_url(case, referral)).status_code == 403
    assert events("document.downloaded") == []
    assert {e.details["action"] for e in events("access.refused")} == {
        "case.documents",
        "case.edit",
    }


def test_managers_may_not_prepare_or_record_a_referral(signed_in):
    owner = factories.user("practitioner")
    case = fm.marac_case(practitioner=owner)
    referral = fm.referral(case, owner)
    client, _ = signed_in("manager")
    assert client.get(prepare_url(case)).status_code == 403
    assert client.get(sent_url(case, referral)).status_code == 403
    page = page_of(client.get(f"/cases/{case.reference}"))
    assert pack_url(case, referral) in page  # but download it
    assert sent_url(case, referral) not in page and prepare_url(case) not in page


def test_a_referral_of_another_case_is_not_found(practitioner):
    client, user = practitioner
    case = fm.marac_case(practitioner=user)
    other = fm.referral(fm.marac_case(practitioner=user), user)
    assert client.get(pack_url(case, other)).status_code == 404
    assert client.get(sent_url(case, other)).status_code == 404


def test_recording_the_referral_as_sent_closes_the_marac_action(practitioner):
    client, user = practitioner
    case = fm.marac_case(practitioner=user)
    referral = fm.referral(case, user)
    page = page_of(client.get(f"/cases/{case.reference}"))
    assert "Refer the case to MARAC" in page.split('id="due"')[1].split("</section>")[0]
    response = post_form(client, sent_url(case, referral), {"sent_on": fa.date_parts(today())})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(MaracReferral, referral.id).sent_on == today()
    marac_action = db.session.scalars(
        select(CaseAction).where(CaseAction.kind == "marac_referral")
    ).one()
    assert marac_action.completed_at is not None
    page = page_of(client.get(f"/cases/{case.reference}"))
    due = page.split('id="due"')[1].split("</section>")[0]
    assert "Refer the case to MARAC" not in due
    assert "Refer the partner to the IDVA" in due
    assert f"Sent</strong> {today().day}" in page
    assert sent_url(case, referral) not in page


def test_a_bad_sent_date_is_refused_on_the_form_and_nothing_changes(practitioner):
    client, user = practitioner
    case = fm.marac_case(practitioner=user)
    referral = fm.referral(case, user)
    future = today() + timedelta(days=2)
    response = post_form(client, sent_url(case, referral), {"sent_on": fa.date_parts(future)})
    assert response.status_code == 400
    assert "cannot be in the future" in page_of(response)
    response = post_form(client, sent_url(case, referral), {"sent_on": ["31", "2", "2026"]})
    assert response.status_code == 400
    assert "must be a real date" in page_of(response)
    db.session.expire_all()
    assert db.session.get(MaracReferral, referral.id).sent_on is None
    assert events("case.marac_sent") == []


def test_a_referral_already_sent_offers_no_form_to_send_it_again(practitioner):
    client, user = practitioner
    case = fm.marac_case(practitioner=user)
    referral = fm.referral(case, user, sent_on=today())
    page = page_of(client.get(sent_url(case, referral)))
    assert "This referral is already recorded as sent" in page
    assert 'name="sent_on"' not in page
    response = post_form(client, sent_url(case, referral), {"sent_on": fa.date_parts(today())})
    assert response.status_code == 400
    assert len(events("case.marac_sent")) == 0
