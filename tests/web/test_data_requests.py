"""Rectification and erasure requests through the real app and its forms (CSRF on): a
practitioner records one, a manager decides it; a granted erasure anonymises the case and
leaves the ledger whole; a granted rectification is recorded as corrected; who may do what
(both ways); bad input shown on the form with nothing saved; the statutory due date and the
managers' reminder when it is overdue."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from accommodation.models import LedgerEntry
from eip.audit import AuditEvent
from eip.clock import today
from eip.extensions import db
from eip.notifications.reminders import Calendar, data_request_reminders, due_reminders
from eip.privacy.models import DataRequest
from eip.privacy.requests import due_on
from tests import factories
from tests import factories_accommodation as fa
from tests.conftest import csrf_token_from


def html_of(response) -> str:
    return response.get_data(as_text=True)


def post_form(client, url: str, data: dict):
    html = html_of(client.get(url))
    return client.post(url, data={"csrf_token": csrf_token_from(html), **data})


def post_versioned(client, url: str, data: dict):
    html = html_of(client.get(url))
    version = html.split('name="version"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    return client.post(url, data={"csrf_token": csrf_token_from(html), "version": version, **data})


def request_form(reference: str, **overrides) -> dict:
    day = today() - timedelta(days=3)
    data = {
        "reference": reference,
        "person_role": "client",
        "asked_by": "client",
        "kind": "erasure",
        "what": "Fictional: erase everything about me",
        "received_on": [str(day.day), str(day.month), str(day.year)],
    }
    data.update(overrides)
    return data


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def practitioner(signed_in):
    return signed_in("practitioner")


@pytest.fixture
def manager(signed_in):
    return signed_in("manager")


def test_a_practitioner_records_a_request_and_a_manager_grants_the_erasure(practitioner, manager):
    p_client, _ = practitioner
    m_client, _ = manager
    placement = fa.placement(None, "ended")
    case = placement.case
    entries = count(LedgerEntry)
    response = post_form(p_client, "/data-requests/new", request_form(case.reference))
    assert response.status_code == 302, html_of(response)
    request = db.session.scalars(select(DataRequest)).one()
    assert request.due_on == due_on(request.received_on)
    page = html_of(p_client.get(f"/data-requests/{request.id}"))
    assert "Waiting for a decision" in page and "Decide the request" not in page
    viewed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.viewed"))
    assert [e.details for e in viewed] == [{"view": "data request"}]  # on the access log
    assert p_client.get(f"/data-requests/{request.id}/decide").status_code == 403

    response = post_versioned(
        m_client,
        f"/data-requests/{request.id}/decide",
        {"decision": "granted", "reason": "No reason to keep it"},
    )
    assert response.status_code == 302, html_of(response)
    db.session.expire_all()
    assert case.anonymised_at is not None and request.done_at is not None
    assert case.client.full_name == "[anonymised]"
    assert count(LedgerEntry) == entries
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"privacy.request_recorded", "privacy.request_decided", "case.anonymised"} <= actions
    assert "Erased (anonymised)" in html_of(m_client.get("/data-requests"))


def test_a_granted_rectification_links_to_the_edit_pages_and_is_recorded_as_corrected(
    practitioner, manager
):
    p_client, _ = practitioner
    m_client, _ = manager
    case = factories.case()
    form = request_form(case.reference, kind="rectification", what="Fictional: wrong phone")
    assert post_form(m_client, "/data-requests/new", form).status_code == 302
    request = db.session.scalars(select(DataRequest)).one()
    decided = post_versioned(
        m_client, f"/data-requests/{request.id}/decide", {"decision": "granted", "reason": "Ok"}
    )
    assert decided.status_code == 302
    page = html_of(p_client.get(f"/data-requests/{request.id}"))
    assert f"/cases/{case.reference}/referral/edit" in page or "Change the referral" in page
    done = post_versioned(p_client, f"/data-requests/{request.id}/corrected", {})
    assert done.status_code == 302, html_of(done)
    db.session.expire_all()
    assert request.done_at is not None and case.anonymised_at is None


def test_a_refused_request_keeps_the_case(manager):
    m_client, _ = manager
    case = factories.case()
    assert (
        post_form(m_client, "/data-requests/new", request_form(case.reference)).status_code == 302
    )
    request = db.session.scalars(select(DataRequest)).one()
    response = post_versioned(
        m_client,
        f"/data-requests/{request.id}/decide",
        {"decision": "refused", "reason": "Kept while the children are under 18"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert request.decision == "refused" and case.anonymised_at is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reference": ""}, "Enter the case reference"),
        ({"reference": "EIP-2099-9999"}, "Enter the reference of a case you can see"),
        ({"kind": ""}, "Choose what they ask for"),
        ({"what": ""}, "Enter what they ask"),
        ({"received_on": ["31", "2", "2026"]}, "must be a real date"),
        ({"received_on": ["1", "1", str(date.today().year + 1)]}, "cannot be in the future"),
    ],
)
def test_bad_input_is_shown_on_the_form_and_nothing_is_saved(manager, change, message):
    m_client, _ = manager
    case = factories.case()
    response = post_form(m_client, "/data-requests/new", {**request_form(case.reference), **change})
    assert response.status_code == 400
    assert "govuk-error-summary" in html_of(response) and message in html_of(response)
    assert count(DataRequest) == 0


def test_a_decision_needs_a_choice_and_a_reason(manager):
    m_client, _ = manager
    case = factories.case()
    post_form(m_client, "/data-requests/new", request_form(case.reference))
    request = db.session.scalars(select(DataRequest)).one()
    response = post_versioned(m_client, f"/data-requests/{request.id}/decide", {})
    assert response.status_code == 400
    assert "Choose grant or refuse" in html_of(response)
    assert "Enter the reason for the decision" in html_of(response)
    db.session.expire_all()
    assert request.decision is None and case.anonymised_at is None


@pytest.mark.parametrize("role", ["spoc", "finance", "evaluator", "admin"])
def test_other_roles_may_neither_see_nor_record_requests(signed_in, role):
    client, _ = signed_in(role)
    assert client.get("/data-requests").status_code == 403
    assert client.get("/data-requests/new").status_code == 403


def test_the_due_date_is_one_calendar_month_from_receipt():
    assert due_on(date(2026, 3, 14)) == date(2026, 4, 14)
    assert due_on(date(2027, 1, 31)) == date(2027, 2, 28)
    assert due_on(date(2028, 1, 31)) == date(2028, 2, 29)
    assert due_on(date(2026, 12, 5)) == date(2027, 1, 5)


def test_an_overdue_request_is_reminded_to_the_managers_each_working_day():
    cal = Calendar(date(2026, 5, 12))  # a Tuesday
    overdue = data_request_reminders(7, 3, "EIP-2026-0003", date(2026, 5, 8), [21, 22], cal)
    assert {(r.user_id, r.kind) for r in overdue} == {
        (21, "data_request_overdue"),
        (22, "data_request_overdue"),
    }
    soon = data_request_reminders(7, 3, "EIP-2026-0003", date(2026, 5, 15), [21], cal)
    assert [r.kind for r in soon] == ["data_request_due"]


@pytest.mark.usefixtures("app_context")
def test_the_reminders_job_finds_open_requests_and_forgets_answered_ones():
    manager = factories.user("manager")
    case = factories.case()
    request = DataRequest(
        case_id=case.id,
        person_role="partner",
        asked_by="representative",
        kind="erasure",
        what="Fictional",
        received_on=today() - timedelta(days=50),
        due_on=today() - timedelta(days=19),
    )
    db.session.add(request)
    db.session.commit()
    now = datetime.now(UTC)
    found = [r for r in due_reminders(db.session, now) if r.topic == "data_request"]
    assert {r.user_id for r in found} == {manager.id}
    request.decision = "refused"
    db.session.commit()
    assert not [r for r in due_reminders(db.session, now) if r.topic == "data_request"]
