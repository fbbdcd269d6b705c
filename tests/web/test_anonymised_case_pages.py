"""An anonymised case through the real app (CSRF on): its page says when it was anonymised,
and a step page shows why nothing may be added and refuses the save, writing nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eip.cases.records import CaseNote
from eip.extensions import db
from eip.privacy.anonymise import anonymise_case
from tests import factories_pathway_activity as fa
from tests.conftest import csrf_token_from
from tests.web.test_contact_pages import html_of, note_form, url


@pytest.fixture
def anonymised(signed_in):
    client, user = signed_in("practitioner")
    case = fa.case("closed", practitioner=user)
    anonymise_case(db.session, None, case, reason="Past retention")
    db.session.commit()
    return client, case


def test_the_case_page_says_the_case_was_anonymised_and_when(anonymised):
    client, case = anonymised
    html = html_of(client.get(f"/cases/{case.reference}"))
    assert "This case was anonymised on" in html and "cannot be changed" in html


def test_a_step_page_of_an_anonymised_case_shows_why_instead_of_its_form(anonymised):
    client, case = anonymised
    html = html_of(client.get(url(case, "notes")))
    assert f"Case {case.reference} was anonymised on" in html and 'name="note"' not in html


def test_a_note_sent_after_the_case_was_anonymised_is_refused_and_nothing_saved(signed_in):
    client, user = signed_in("practitioner")
    case = fa.case("closed", practitioner=user)
    html = html_of(client.get(url(case, "notes")))
    anonymise_case(db.session, None, case, reason="Erasure granted")
    db.session.commit()
    payload = {
        "csrf_token": csrf_token_from(html),
        "submission": fa.submission_from(html),
        **note_form(),
    }
    response = client.post(url(case, "notes"), data=payload)
    assert response.status_code == 400
    assert "was anonymised on" in html_of(response)
    assert db.session.scalar(select(func.count()).select_from(CaseNote)) == 0


def test_the_referral_edit_page_of_an_anonymised_open_case_says_why_instead_of_its_form(
    signed_in,
):
    # An erasure may be granted while a case is still open: its referral page must not offer
    # the anonymised values for editing, only say why they cannot change.
    client, user = signed_in("practitioner")
    case = fa.case("active", practitioner=user)
    anonymise_case(db.session, None, case, reason="Erasure granted")
    db.session.commit()
    html = html_of(client.get(f"/cases/{case.reference}/referral"))
    assert f"Case {case.reference} was anonymised on" in html and "cannot be changed" in html
    assert 'name="client_name"' not in html
    posted = client.post(
        f"/cases/{case.reference}/referral",
        data={"csrf_token": csrf_token_from(html), "client_name": "Someone New"},
    )
    assert posted.status_code == 400 and "was anonymised on" in html_of(posted)
    db.session.expire_all()
    assert case.client is None or case.client.full_name != "Someone New"
