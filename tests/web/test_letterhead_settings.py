"""The letterhead and contact details every document prints, as programme settings (issue
20): shown on the settings page, changed on its form by a manager, each bad value refused
beside its field with nothing saved, every change audited with its old and new values, and
the next document printed on the new letterhead."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from eip.admin.models import DEMO_ORGANISATION
from eip.audit import AuditEvent
from eip.extensions import db
from tests import factories
from tests.conftest import post_form
from tests.web.test_admin_pages import SETTINGS_FORM, html_of, settings_row

NEW = {
    "letterhead_organisation": "Cranstoun  —  North London EIP",
    "contact_phone": "020 7946 0999",
    "contact_email": "north-eip@example.org",
    "contact_address": " Unit 4 \r\n\r\n 12 Sample Road \r\nLondon  N19 5ZZ ",
}


def events() -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "settings.updated"))
    )


def post(client, **changes):
    return post_form(client, "/admin/settings/change", {**SETTINGS_FORM, **changes})


def test_the_settings_page_shows_the_letterhead_and_contact_details(signed_in):
    client, _manager = signed_in("manager")
    page = html_of(client.get("/admin/settings"))
    assert "Letterhead and contact details" in page
    assert DEMO_ORGANISATION in page
    assert "020 7946 0000" in page and "eip@example.org" in page
    assert "/admin/settings/change#contact_phone" in page
    form = html_of(client.get("/admin/settings/change"))
    assert 'id="letterhead_organisation"' in form and 'type="tel"' in form
    assert 'name="contact_address"' in form and "<textarea" in form


def test_a_manager_changes_the_letterhead_and_the_change_is_audited(signed_in):
    client, manager = signed_in("manager")
    assert post(client, **NEW).status_code == 302
    settings = settings_row()
    assert settings.letterhead_organisation == "Cranstoun — North London EIP"
    assert settings.contact_phone == "020 7946 0999"
    assert settings.contact_email == "north-eip@example.org"
    # One line each, spaces tidied and blank lines dropped.
    assert settings.contact_address == "Unit 4\n12 Sample Road\nLondon N19 5ZZ"
    [event] = events()
    assert event.actor_id == manager.id
    assert event.details["changes"]["contact_phone"] == ["020 7946 0000", "020 7946 0999"]
    assert event.details["changes"]["letterhead_organisation"] == [
        DEMO_ORGANISATION,
        "Cranstoun — North London EIP",
    ]
    assert "Unit 4, 12 Sample Road, London N19 5ZZ" in html_of(client.get("/admin/settings"))


def test_the_next_document_is_printed_on_the_new_letterhead(signed_in):
    client, _manager = signed_in("manager")
    assert post(client, **NEW).status_code == 302
    practitioner_client, practitioner = signed_in("practitioner")
    case = factories.case("Camden", practitioner)
    case.received_at = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    db.session.commit()
    response = practitioner_client.get(f"/cases/{case.reference}/documents/acknowledgement.pdf")
    assert response.status_code == 200
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(BytesIO(response.data)).pages).split()
    )
    assert "Cranstoun — North London EIP" in text
    assert "020 7946 0999" in text and "north-eip@example.org" in text


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        ({"letterhead_organisation": "  "}, "letterhead_organisation", "Enter the organisation"),
        (
            {"letterhead_organisation": "x" * 121},
            "letterhead_organisation",
            "must be 120 characters or fewer",
        ),
        ({"contact_phone": ""}, "contact_phone", "Enter the phone number for contact"),
        ({"contact_phone": "call us"}, "contact_phone", "Enter the phone number in the correct"),
        ({"contact_phone": "0207"}, "contact_phone", "Enter the phone number in the correct"),
        ({"contact_email": "eip.example.org"}, "contact_email", "Enter the e-mail address in"),
        ({"contact_email": "a b@example.org"}, "contact_email", "Enter the e-mail address in"),
        ({"contact_address": "\r\n"}, "contact_address", "Enter the postal address"),
        ({"contact_address": "a\nb\nc\nd\ne\nf\ng"}, "contact_address", "6 lines or fewer"),
    ],
)
def test_each_bad_contact_detail_is_refused_beside_its_field_and_nothing_is_saved(
    signed_in, changes, field_id, message
):
    client, _manager = signed_in("manager")
    response = post(client, max_people="12", **changes)
    page = html_of(response)
    assert response.status_code == 400
    assert f'href="#{field_id}"' in page
    assert message in page
    settings = settings_row()
    assert settings.max_people == 10
    assert settings.letterhead_organisation == DEMO_ORGANISATION
    assert events() == []


@pytest.mark.parametrize("role", ["practitioner", "spoc", "finance", "evaluator", "admin"])
def test_only_a_manager_may_change_the_letterhead(signed_in, role):
    client, _user = signed_in(role)
    response = post_form(client, "/admin/settings/change", {**SETTINGS_FORM, **NEW}, form_url="/")
    assert response.status_code == 403
    assert settings_row().letterhead_organisation == DEMO_ORGANISATION
