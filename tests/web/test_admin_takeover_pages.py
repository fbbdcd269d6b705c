"""The administrator alone cannot take over an account: a new sign-in address of any
account, and re-enabling an account that sees personal (or pseudonymised) data, wait for a
programme manager; and the account-events search does not tell whether a case exists."""

from __future__ import annotations

import re

from sqlalchemy import select

from eip.admin.models import ApprovalRequest
from eip.auth.models import User
from eip.extensions import db
from tests import factories
from tests.conftest import post_form


def html_of(response) -> str:
    return response.get_data(as_text=True)


def fresh(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def pending_for(user_id: int) -> list[ApprovalRequest]:
    return list(
        db.session.scalars(
            select(ApprovalRequest).where(
                ApprovalRequest.user_id == user_id, ApprovalRequest.status == "pending"
            )
        )
    )


def test_an_evaluators_new_address_waits_for_a_manager_who_sees_and_approves_it(signed_in):
    admin_client, _admin = signed_in("admin")
    evaluator = factories.user("evaluator", email="sam@scie.example")
    edit = {"name": evaluator.name, "email": "sam@elsewhere.example", "role": "evaluator"}
    url = f"/admin/users/{evaluator.id}/edit"
    response = post_form(admin_client, url, {**edit, "borough": ""}, follow_redirects=True)
    assert "will take effect when a programme manager approves it" in html_of(response)
    assert fresh(evaluator.id).email == "sam@scie.example"

    manager_client, _manager = signed_in("manager")
    listing = html_of(manager_client.get("/admin/approvals"))
    assert "Email address: sam@elsewhere.example" in listing
    [request] = pending_for(evaluator.id)
    decided = post_form(manager_client, f"/admin/approvals/{request.id}", {"decision": "approve"})
    assert decided.status_code == 302
    assert fresh(evaluator.id).email == "sam@elsewhere.example"


def test_re_enabling_an_evaluator_waits_for_a_manager_and_the_queue_shows_it(signed_in):
    admin_client, _admin = signed_in("admin")
    evaluator = factories.user("evaluator", active=False)
    page = f"/admin/users/{evaluator.id}"
    assert "enabling it waits for a programme manager" in html_of(admin_client.get(page))
    response = post_form(admin_client, f"{page}/enable", {}, form_url=page, follow_redirects=True)
    assert "will be enabled when a programme manager approves it" in html_of(response)
    assert "Enable account" not in html_of(admin_client.get(page))
    assert not fresh(evaluator.id).active

    manager_client, _manager = signed_in("manager")
    assert "Enable the disabled account" in html_of(manager_client.get("/admin/approvals"))
    [request] = pending_for(evaluator.id)
    review = html_of(manager_client.get(f"/admin/approvals/{request.id}"))
    assert "Approving enables the account now" in review
    decided = post_form(manager_client, f"/admin/approvals/{request.id}", {"decision": "approve"})
    assert decided.status_code == 302
    assert fresh(evaluator.id).active


def test_re_enabling_finance_is_at_once(signed_in):
    admin_client, _admin = signed_in("admin")
    finance = factories.user("finance", active=False)
    page = f"/admin/users/{finance.id}"
    response = post_form(admin_client, f"{page}/enable", {}, form_url=page, follow_redirects=True)
    assert "The account is enabled." in html_of(response)
    assert fresh(finance.id).active and pending_for(finance.id) == []


def _event_count(html: str) -> str:
    match = re.search(r"(\d+) events?, newest first", html)
    assert match, html
    return match.group(1)


def test_the_account_events_search_does_not_tell_whether_a_case_exists(signed_in):
    case = factories.case("Camden")
    # A SPOC of another borough is refused the case: an account event that names it.
    outsider, _spoc = signed_in("spoc", borough_name="Hackney")
    assert outsider.get(f"/cases/{case.reference}").status_code == 403
    admin_client, _admin = signed_in("admin")
    everything = html_of(admin_client.get("/audit/account-events"))
    real = html_of(admin_client.get(f"/audit/account-events?case_reference={case.reference}"))
    made_up = html_of(admin_client.get("/audit/account-events?case_reference=EIP-9999-999"))
    assert _event_count(real) == _event_count(made_up) == _event_count(everything)
    assert case.reference not in real
