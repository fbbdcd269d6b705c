"""Reassignment, the disable confirmation and the notices through the real app and its
forms (CSRF on): who sees what (the admin sees a count, never a case reference)."""

from __future__ import annotations

from sqlalchemy import select

from eip.auth.models import User
from eip.cases.models import Case
from eip.extensions import db
from eip.notifications.centre import Notification
from tests import factories
from tests import factories_accommodation as fa
from tests import factories_pathway_progress as pf
from tests.conftest import post_form


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_a_manager_reassigns_a_case_with_a_reason(signed_in):
    client, _manager = signed_in("manager")
    old = factories.user("practitioner", name="Olu Fictional")
    new = factories.user("practitioner", name="Nell Fictional")
    case = pf.active_case(old)
    url = f"/cases/{case.reference}/reassign"
    page = _html(client.get(url))
    assert "Nell Fictional" in page and "Reassign the case" in page
    missing = post_form(client, url, {"practitioner": str(new.id), "reason": ""})
    assert missing.status_code == 400
    assert "Enter the reason for reassigning the case" in _html(missing)
    done = post_form(client, url, {"practitioner": str(new.id), "reason": "Olu is on leave"})
    assert done.status_code == 302 and done.headers["Location"] == f"/cases/{case.reference}"
    db.session.expire_all()
    assert db.session.get(Case, case.id).allocated_practitioner_id == new.id
    shown = _html(client.get(done.headers["Location"]))
    assert "reassigned to Nell Fictional" in shown


def test_reassigning_to_a_disabled_account_is_refused_on_the_form(signed_in):
    client, _ = signed_in("manager")
    case = pf.active_case(factories.user("practitioner"))
    gone = factories.user("practitioner", active=False)
    url = f"/cases/{case.reference}/reassign"
    refused = post_form(client, url, {"practitioner": str(gone.id), "reason": "Cover"})
    assert refused.status_code == 400 and "Select an active practitioner" in _html(refused)


def test_the_admin_confirms_a_disable_seeing_only_how_many_open_cases(signed_in):
    client, _admin = signed_in("admin")
    leaving = factories.user("practitioner", name="Lee Fictional")
    cases = [pf.active_case(leaving), pf.active_case(leaving)]
    manager = factories.user("manager")
    url = f"/admin/users/{leaving.id}/disable"
    page = _html(client.get(url))
    assert "They look after 2 open cases" in page and "Cancel" in page
    assert "govuk-button--warning" in page
    for case in cases:
        assert case.reference not in page
    # The user's page links to the confirmation; nothing is disabled by looking at it.
    assert url in _html(client.get(f"/admin/users/{leaving.id}"))
    assert db.session.get(User, leaving.id).active
    done = post_form(client, url, {})
    assert done.status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, leaving.id).active
    (notice,) = db.session.scalars(
        select(Notification).where(Notification.user_id == manager.id)
    ).all()
    assert notice.kind == "practitioner_disabled" and notice.case_reference is None


def test_the_manager_sees_the_cases_with_no_active_practitioner(signed_in):
    client, _ = signed_in("manager")
    case = pf.active_case(factories.user("practitioner", active=False))
    looked_after = pf.active_case(factories.user("practitioner"))
    page = _html(client.get("/cases/unassigned"))
    assert case.reference in page and looked_after.reference not in page
    assert f"/cases/{case.reference}/reassign" in page
    home = _html(client.get("/"))
    assert ">1</span>" in home and ">open case with no active practitioner</a>" in home


def test_the_managers_home_counts_the_cases_of_every_account_that_left(signed_in):
    """Each left account's open cases are counted (the home reads them account by account),
    with the unallocated ones; a closed case, or one an active practitioner holds, is not."""
    client, _ = signed_in("manager")
    disabled = factories.user("practitioner", active=False)
    promoted = factories.user("practitioner")
    for _ in range(2):
        pf.active_case(disabled)
    pf.active_case(promoted)
    pf.closed_case(practitioner=disabled)
    pf.active_case(factories.user("practitioner"))
    unallocated = pf.active_case(factories.user("practitioner"))
    unallocated.allocated_practitioner_id = None
    promoted.role = "manager"
    db.session.commit()
    home = _html(client.get("/"))
    assert ">4</span>" in home and ">open cases with no active practitioner</a>" in home


def test_a_spoc_with_a_request_waiting_sees_it_in_their_notifications(signed_in):
    from accommodation.placements import notices

    client, _spoc = signed_in("spoc")
    practitioner = factories.user("practitioner")
    placement = fa.placement(state="requested", by=practitioner)
    notices.request_made(db.session, practitioner, placement)
    db.session.commit()
    page = _html(client.get("/notifications"))
    assert "No new notifications" not in page
    assert "Placement request waiting for your decision" in page
    assert f"/placements/{placement.id}" in page
    home = _html(client.get("/"))
    assert "Notifications (1 unread)" in home
    # Approving takes two clicks from the home page: "Approve", then the form's button.
    assert f'href="/placements/{placement.id}/approve"' in home
