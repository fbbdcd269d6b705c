"""Subject access through the real pages (CSRF on): a manager records a request (the person
found by case reference and role, never a name in a URL), sees it listed with its due date,
downloads the pack (audited, no name in the address or the file name) and marks it
completed; bad input says what is wrong on the form and writes nothing; every other role is
refused every page, and the refusal is audited."""

from __future__ import annotations

import html as html_text
import zipfile
from datetime import date, timedelta
from io import BytesIO

import pytest
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.clock import today
from eip.extensions import db
from eip.privacy.statutory import due_date
from eip.privacy.subject_access import SubjectAccessRequest
from tests import factories_subject_access as fs
from tests.conftest import csrf_token_from, hidden_fields, post_form
from tests.factories_pathway_activity import date_parts


def page_of(response) -> str:
    return html_text.unescape(response.get_data(as_text=True))


def count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(SubjectAccessRequest))


def actions(name: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == name)))


@pytest.fixture
def manager(signed_in):
    return signed_in("manager", name="Morgan Manager")


def test_a_manager_records_a_request_and_sees_its_due_date(manager):
    client, _user = manager
    case = fs.family_case()
    received = today() - timedelta(days=3)
    response = post_form(
        client,
        "/subject-access/new",
        {
            "reference": case.reference.lower(),
            "role": "partner",
            "requested_by": "Themselves, by letter",
            "received_on": date_parts(received),
        },
    )
    assert response.status_code == 302
    [request] = db.session.scalars(select(SubjectAccessRequest)).all()
    assert (request.person_id, request.role) == (case.partner_id, "partner")
    assert request.due_on == due_date(received)
    [event] = actions("subject_access.recorded")
    assert event.details["due_on"] == request.due_on.isoformat()
    page = page_of(client.get("/subject-access"))
    assert case.reference in page and "The partner" in page
    assert fs.PARTNER["name"] not in page


def test_the_same_page_sent_twice_records_one_request(manager):
    client, _user = manager
    case = fs.family_case()
    page = client.get("/subject-access/new").get_data(as_text=True)
    data = {
        **hidden_fields(page),
        "csrf_token": csrf_token_from(page),
        "reference": case.reference,
        "role": "client",
        "requested_by": "Themselves",
        "received_on": date_parts(today()),
    }
    assert client.post("/subject-access/new", data=data).status_code == 302
    assert client.post("/subject-access/new", data=data).status_code == 302
    assert count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reference": "EIP-1999-0000"}, "There is no case with that reference"),
        ({"role": ""}, "Select whether the request is from the client or the partner"),
        ({"requested_by": ""}, "Enter who made the request"),
        (
            {"received_on": date_parts(date.today() + timedelta(days=5))},
            "The date received cannot be in the future",
        ),
        ({"received_on": ["31", "2", "2027"]}, "must be a real date"),
    ],
)
def test_bad_input_says_what_is_wrong_and_writes_nothing(manager, change, message):
    client, _user = manager
    case = fs.family_case()
    data = {
        "reference": case.reference,
        "role": "client",
        "requested_by": "Themselves",
        "received_on": date_parts(today()),
        **change,
    }
    response = post_form(client, "/subject-access/new", data)
    assert response.status_code == 400
    page = page_of(response)
    assert "There is a problem" in page and message in page
    assert count() == 0


def test_the_pack_downloads_as_a_zip_named_by_reference_and_is_audited(manager):
    client, _user = manager
    case = fs.family_case()
    request = fs.request(case, "client")
    response = client.get(f"/subject-access/{request.id}/pack.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    disposition = response.headers["Content-Disposition"]
    assert case.reference in disposition and "Desmond" not in disposition
    names = zipfile.ZipFile(BytesIO(response.data)).namelist()
    assert sorted(names) == ["subject-access.json", "subject-access.pdf"]
    assert len(actions("subject_access.pack_downloaded")) == 1


def test_a_manager_marks_a_request_completed(manager):
    client, _user = manager
    request = fs.request(fs.family_case(), "client")
    url = f"/subject-access/{request.id}/complete"
    response = post_form(client, url, {"completed_on": date_parts(today())})
    assert response.status_code == 302
    db.session.expire_all()
    assert request.status == "completed" and request.completed_on == today()
    assert len(actions("subject_access.completed")) == 1
    assert "Mark completed" not in page_of(client.get("/subject-access"))
    # Completed before it was received: refused on the form.
    again = fs.request(fs.family_case(), "partner")
    early = date_parts(again.received_on - timedelta(days=1))
    response = post_form(client, f"/subject-access/{again.id}/complete", {"completed_on": early})
    assert response.status_code == 400
    assert "cannot be before the request was received" in page_of(response)


@pytest.mark.parametrize("role", ["practitioner", "spoc", "finance", "evaluator", "admin"])
def test_every_other_role_is_refused_every_page(signed_in, role):
    client, _user = signed_in(role)
    request = fs.request(fs.family_case(), "client")
    for url in (
        "/subject-access",
        "/subject-access/new",
        f"/subject-access/{request.id}/pack.zip",
        f"/subject-access/{request.id}/complete",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post("/subject-access/new", data={}).status_code in (400, 403)
    assert len(actions("access.refused")) >= 4
    assert actions("subject_access.pack_downloaded") == []


def test_the_list_reads_the_same_number_of_statements_for_one_request_or_five(manager):
    from eip.querycount import counting

    client, _user = manager
    fs.request(fs.family_case(), "client")
    with counting() as one:
        assert client.get("/subject-access").status_code == 200
    for _ in range(4):
        fs.request(fs.family_case(), "partner")
    with counting() as five:
        assert client.get("/subject-access").status_code == 200
    assert five.n == one.n
