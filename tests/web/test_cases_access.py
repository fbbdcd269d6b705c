"""Case pages: who may see which case, every view audited, the case's own access log."""

import pytest
from sqlalchemy import select

from eip.audit import AuditEvent
from eip.extensions import db
from tests import factories


@pytest.mark.parametrize("role", ["practitioner", "manager"])
def test_practitioners_and_managers_see_any_case_and_its_access_log(signed_in, role):
    case = factories.case("Lambeth")
    client, user = signed_in(role)
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert case.reference in html
    assert "Who has looked at this case" in html
    assert user.name in html  # this very view is already in the log


def test_every_view_of_a_case_is_audited(signed_in):
    case = factories.case("Lambeth")
    client, user = signed_in("practitioner")
    client.get(f"/cases/{case.reference}")
    client.get(f"/cases/{case.reference}")
    views = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.viewed")).all()
    assert len(views) == 2
    assert {(v.actor_id, v.case_reference) for v in views} == {(user.id, case.reference)}


def test_a_spoc_sees_their_own_boroughs_case_without_the_access_log(signed_in):
    case = factories.case("Hackney")
    client, _ = signed_in("spoc", borough_name="Hackney")
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert case.reference in html
    assert "Who has looked at this case" not in html


def test_a_spoc_cannot_see_another_boroughs_case_and_the_refusal_is_audited(signed_in):
    other = factories.case("Camden")
    client, user = signed_in("spoc", borough_name="Hackney")
    response = client.get(f"/cases/{other.reference}")
    assert response.status_code == 403
    assert other.reference not in response.get_data(as_text=True)
    refusal = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "access.refused"))
    assert refusal.actor_id == user.id and refusal.case_reference == other.reference


def test_a_spocs_case_list_holds_only_their_borough(signed_in):
    mine, theirs = factories.case("Hackney"), factories.case("Camden")
    client, _ = signed_in("spoc", borough_name="Hackney")
    html = client.get("/cases/").get_data(as_text=True)
    assert mine.reference in html and theirs.reference not in html


@pytest.mark.parametrize("role", ["finance", "evaluator", "admin"])
def test_roles_without_case_access_are_refused_case_pages(signed_in, role):
    case = factories.case("Camden")
    client, _ = signed_in(role)
    assert client.get(f"/cases/{case.reference}").status_code == 403
    assert client.get("/cases/").status_code == 403


def test_an_unknown_case_reference_is_404(signed_in):
    client, _ = signed_in("practitioner")
    assert client.get("/cases/EIP-2026-9999").status_code == 404


def test_a_user_whose_role_awaits_approval_sees_only_the_waiting_page(signed_in):
    client, _ = signed_in(None)
    assert "waiting for approval" in client.get("/").get_data(as_text=True)
    assert client.get("/cases/").status_code == 403
