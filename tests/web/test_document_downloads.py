"""Downloading a case's documents through the app: practitioners and managers get the
PDF as an attachment, every download is audited, everyone else is refused (403, audited),
and a case without what a document is made from goes back to its page with the reason."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.cases.documents_data import NO_PLAN, NOT_CLOSED
from eip.cases.documents_meeting_data import NO_PACK
from eip.cases.records import ProfessionalsMeeting
from eip.extensions import db
from tests import factories
from tests import factories_pathway_progress as pf
from tests.audit_trail import events as _events

KINDS = ["acknowledgement", "plan", "meeting_pack", "minutes", "closure_summary"]


def _meeting(case) -> ProfessionalsMeeting:
    meeting = ProfessionalsMeeting(
        case_id=case.id,
        held_on=pf.days_ago(3),
        attendees="Practitioner and social worker",
        risk_update="No change",
    )
    db.session.add(meeting)
    db.session.commit()
    return meeting


@pytest.fixture
def cases(app_context):
    """An active Camden case with a plan and a meeting, and a closed Camden case."""
    active = pf.active_case(factories.user("practitioner"))
    meeting = _meeting(active)
    closed = pf.closed_case()
    return {"active": active, "meeting": meeting, "closed": closed}


def url_of(kind: str, cases) -> str:
    case = cases["closed"] if kind == "closure_summary" else cases["active"]
    base = f"/cases/{case.reference}/documents"
    return {
        "acknowledgement": f"{base}/acknowledgement.pdf",
        "plan": f"{base}/plan.pdf",
        "meeting_pack": f"{base}/meeting-pack.pdf",
        "minutes": f"{base}/meetings/{cases['meeting'].id}/minutes.pdf",
        "closure_summary": f"{base}/closure-summary.pdf",
    }[kind]


@pytest.mark.parametrize("role", ["practitioner", "manager"])
def test_practitioners_and_managers_download_each_document_as_an_attachment(signed_in, cases, role):
    client, user = signed_in(role)
    for kind in KINDS:
        response = client.get(url_of(kind, cases))
        assert response.status_code == 200, kind
        assert response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF")
        disposition = response.headers["Content-Disposition"]
        reference = (cases["closed"] if kind == "closure_summary" else cases["active"]).reference
        assert disposition.startswith(f"attachment; filename={reference}-")
        assert "no-store" in response.headers["Cache-Control"]
    downloads = _events("document.downloaded")
    assert [e.details for e in downloads] == [{"document": kind} for kind in KINDS]
    assert {e.actor_id for e in downloads} == {user.id}


def test_the_file_names_carry_the_reference_and_the_document_only(signed_in, cases):
    client, _ = signed_in("practitioner")
    ref = cases["active"].reference
    names = {
        kind: client.get(url_of(kind, cases)).headers["Content-Disposition"]
        for kind in ("acknowledgement", "plan", "meeting_pack")
    }
    assert names == {
        "acknowledgement": f"attachment; filename={ref}-acknowledgement.pdf",
        "plan": f"attachment; filename={ref}-plan.pdf",
        "meeting_pack": f"attachment; filename={ref}-meeting-pack.pdf",
    }


@pytest.mark.parametrize("role", ["spoc", "finance", "evaluator", "admin"])
def test_every_other_role_is_refused_every_document_and_the_refusal_is_audited(
    signed_in, cases, role
):
    client, _ = signed_in(role)  # the SPOC is Camden's: the cases' own borough
    for kind in KINDS:
        response = client.get(url_of(kind, cases))
        assert response.status_code == 403, (role, kind)
        assert not response.data.startswith(b"%PDF")
    refusals = _events("access.refused")
    assert len(refusals) == len(KINDS)
    assert {e.details["action"] for e in refusals} == {"case.documents"}
    assert _events("document.downloaded") == []


def test_signed_out_visitors_are_sent_to_sign_in(client, cases):
    response = client.get(url_of("plan", cases))
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize(
    ("status", "kind", "message", "panel"),
    [
        ("acknowledged", "plan", NO_PLAN, "consultation"),
        ("active", "closure_summary", NOT_CLOSED, "closure"),
        ("referred", "meeting_pack", NO_PACK, "activity"),
    ],
)
def test_a_case_without_the_data_goes_back_to_its_page_with_the_reason(
    signed_in, app_context, status, kind, message, panel
):
    client, _ = signed_in("practitioner")
    case = pf.case_in(status)
    path = {"plan": "plan.pdf", "closure_summary": "closure-summary.pdf"}.get(
        kind, "meeting-pack.pdf"
    )
    response = client.get(f"/cases/{case.reference}/documents/{path}")
    assert response.status_code == 302
    # To the top of the page, where the banner is, with a link to the panel.
    assert response.headers["Location"].endswith(f"/cases/{case.reference}")
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert message in page
    assert f'class="govuk-notification-banner__link" href="#{panel}"' in page
    assert _events("document.downloaded") == []


def test_minutes_of_a_meeting_that_is_not_the_cases_are_not_found(signed_in, cases):
    client, _ = signed_in("practitioner")
    other = _meeting(pf.active_case())
    reference = cases["active"].reference
    assert (
        client.get(f"/cases/{reference}/documents/meetings/{other.id}/minutes.pdf").status_code
        == 404
    )
    assert (
        client.get(f"/cases/{reference}/documents/meetings/999999/minutes.pdf").status_code == 404
    )
    assert (
        client.get(f"/cases/{reference}/documents/meetings/{2**40}/minutes.pdf").status_code == 404
    )
    assert client.get("/cases/EIP-1999-9999/documents/plan.pdf").status_code == 404
    assert _events("document.downloaded") == []


def test_the_case_page_links_to_each_document_the_case_has(signed_in, cases):
    client, _ = signed_in("practitioner")
    active = cases["active"].reference
    page = client.get(f"/cases/{active}").get_data(as_text=True)
    for kind in ("acknowledgement", "plan", "meeting_pack", "minutes"):
        assert url_of(kind, cases) in page, kind
    assert "closure-summary.pdf" not in page
    closed = client.get(f"/cases/{cases['closed'].reference}").get_data(as_text=True)
    assert url_of("closure_summary", cases) in closed
    assert "meeting-pack.pdf" not in closed  # no meetings once a case is closed


def test_a_manager_sees_the_links_too_and_a_spoc_sees_none(signed_in, cases):
    active = cases["active"].reference
    manager, _ = signed_in("manager")
    assert "plan.pdf" in manager.get(f"/cases/{active}").get_data(as_text=True)
    spoc, _ = signed_in("spoc", borough_name="Camden")
    page = spoc.get(f"/cases/{active}").get_data(as_text=True)
    assert "/documents/" not in page
    count = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "access.refused")
    )
    assert count == 0  # the links are simply not offered
