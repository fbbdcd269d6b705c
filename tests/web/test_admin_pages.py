"""Administration pages through the real app and its real forms (CSRF on)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from eip.admin import rules, settings_services
from eip.admin.models import ApprovalRequest, NonWorkingDay, ProgrammeSettings
from eip.audit import AuditEvent
from eip.auth import throttle
from eip.auth.models import User
from eip.extensions import db
from tests import audit_trail, factories
from tests import factories_accommodation as fa
from tests.conftest import csrf_token_from, post_form, sign_in

ROLES = ["practitioner", "manager", "spoc", "finance", "evaluator", "admin"]
ADMIN_PAGES = ["/admin/users", "/admin/users/invite", "/admin/boroughs", "/admin/boroughs/new"]
MANAGER_PAGES = [
    "/admin/approvals",
    "/admin/settings",
    "/admin/settings/change",
    "/admin/settings/non-working-days/new",
]

SETTINGS_FORM = {
    "pot_pence": "14000.00",
    "default_nightly_rate_pence": "50.00",
    "max_people": "10",
    "max_nights_per_client": "28",
    "referral_window_start": ["19", "8", "2026"],
    "referral_window_end": ["31", "12", "2026"],
    "programme_end_date": ["31", "3", "2027"],
    "acknowledge_working_days": "3",
    "consultation_booking_working_days": "5",
    "meeting_interval_days": "7",
    "dash_review_days": "28",
    "outcome_mid_point_weeks": "4",
    "idva_action_working_days": "1",
    "marac_action_working_days": "2",
    "high_risk_threshold_yes": "10",
    "marac_threshold_yes": "14",
    "escalation_min_incidents": "3",
    "escalation_months": "12",
    "escalation_kinds": ["police_callout"],
    "invoice_unpaid_days": "30",
    "evaluation_k": "5",
    "retain_case_years": "6",
    "retain_child_extra_years": "7",
    "retain_audit_years": "6",
    "retain_notifications_days": "90",
    "retain_sessions_days": "1",
    "retain_unreleased_extracts_days": "30",
    "letterhead_organisation": "Cranstoun — Early Intervention Project (demo)",
    "contact_phone": "020 7946 0000",
    "contact_email": "eip@example.org",
    "contact_address": "Example House, 1 Example Street, London N1 0AA",
}


def html_of(response) -> str:
    return response.get_data(as_text=True)


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()  # the rows as the requests left them, not as this session holds them
    return audit_trail.events(action)


def fresh(model, key):
    db.session.expire_all()
    return db.session.get(model, key)


def pending_for(user_id: int) -> list[ApprovalRequest]:
    db.session.expire_all()
    query = select(ApprovalRequest).where(
        ApprovalRequest.user_id == user_id, ApprovalRequest.status == "pending"
    )
    return list(db.session.scalars(query))


@pytest.fixture
def mail_context(mail_app):
    """The app whose mail goes to the SMTP sink, with its context pushed: test data,
    reads and requests then share one database session."""
    with mail_app.app_context():
        yield mail_app
        db.session.remove()


def client_for(application, account):
    """A browser signed in as this account on the given app."""
    client = application.test_client()
    assert sign_in(client, account.email, factories.PASSWORD).status_code == 302
    return client


def user_form(**fields) -> dict:
    data = {
        "name": "Pat Example",
        "email": "pat@example.org",
        "role": "practitioner",
        "borough": "",
    }
    data.update(fields)
    return data


def edit_data(user: User, **changes) -> dict:
    data = {
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "borough": str(user.borough_id or ""),
    }
    data.update(changes)
    return data


# ---------------------------------------------------------------------------
# Who may open what


@pytest.mark.parametrize("url", ADMIN_PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_user_and_borough_pages_open_only_to_the_admin(signed_in, role, url):
    client, _user = signed_in(role)
    assert client.get(url).status_code == (200 if role == "admin" else 403)


@pytest.mark.parametrize("url", MANAGER_PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_approval_and_settings_pages_open_only_to_managers(signed_in, role, url):
    client, _user = signed_in(role)
    assert client.get(url).status_code == (200 if role == "manager" else 403)


@pytest.mark.parametrize("url", ADMIN_PAGES + MANAGER_PAGES)
def test_someone_signed_out_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_someone_still_waiting_for_a_role_is_refused_and_the_refusal_audited(signed_in):
    client, _user = signed_in(None)
    assert client.get("/admin/approvals").status_code == 403
    assert events("access.refused")[0].details["action"] == "approvals.view"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/users/9999",
        "/admin/users/9999/edit",
        "/admin/boroughs/9999",
    ],
)
def test_unknown_ids_are_not_found(signed_in, url):
    client, _admin = signed_in("admin")
    assert client.get(url).status_code == 404


def test_unknown_ids_in_posted_actions_are_not_found(signed_in):
    client, _admin = signed_in("admin")
    response = post_form(client, "/admin/users/9999/disable", {}, form_url="/admin/users")
    assert response.status_code == 404


def test_an_action_posted_without_its_csrf_token_is_refused(signed_in):
    client, _admin = signed_in("admin")
    finance = factories.user("finance")
    assert client.post(f"/admin/users/{finance.id}/disable").status_code == 400
    assert fresh(User, finance.id).active


# ---------------------------------------------------------------------------
# Inviting


def test_inviting_a_practitioner_emails_a_link_the_admin_never_sees(mail_context):
    admin = factories.user("admin")
    client = client_for(mail_context, admin)
    response = post_form(
        client, "/admin/users/invite", user_form(email=" Pat@Example.org "), follow_redirects=True
    )
    page = html_of(response)
    assert response.status_code == 200
    assert "The invitation was sent." in page and "programme manager approves it" in page
    assert "Waiting for approval of Practitioner (Cranstoun)" in page
    [(recipients, message)] = mail_context.smtp_sink.messages
    assert recipients == ["pat@example.org"]
    token = re.search(r"/invitation/(\S+)", message.get_content()).group(1)
    user = db.session.scalar(select(User).where(User.email == "pat@example.org"))
    assert user.role is None
    [request] = pending_for(user.id)
    assert request.requested_role == "practitioner"
    seen = [
        page,
        html_of(client.get("/admin/users")),
        html_of(client.get(f"/admin/users/{user.id}")),
        html_of(client.get(f"/admin/users/{user.id}/edit")),
        html_of(client.get("/audit/account-events")),
        html_of(client.get("/")),
    ]
    assert not any(token in html for html in seen)
    assert {e.action for e in db.session.scalars(select(AuditEvent))} >= {
        "account.invited",
        "account.approval_requested",
    }


def test_an_invitation_that_could_not_be_emailed_keeps_the_account_and_says_so(make_app, app):
    from tests.conftest import _free_port

    broken = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=_free_port(), SMTP_SECURITY="none")
    with broken.app_context():
        client = client_for(broken, factories.user("admin"))
        response = post_form(client, "/admin/users/invite", user_form(), follow_redirects=True)
        assert "the invitation email could not be sent" in html_of(response)
        assert "Send the invitation again" in html_of(response)
        assert db.session.scalar(select(User).where(User.email == "pat@example.org"))
        db.session.remove()


def test_an_invited_spoc_shows_its_borough_waiting_for_approval(signed_in):
    client, _admin = signed_in("admin")
    lambeth = factories.borough("Lambeth")
    response = post_form(
        client,
        "/admin/users/invite",
        user_form(role="spoc", borough=str(lambeth.id)),
        follow_redirects=True,
    )
    assert response.status_code == 200
    user = db.session.scalar(select(User).where(User.email == "pat@example.org"))
    assert user.borough_id is None  # tied to it only when a manager approves the role
    page = html_of(client.get(f"/admin/users/{user.id}"))
    assert "Lambeth (waiting for approval)" in page
    assert "Not tied to a borough" not in page
    assert "Lambeth (waiting for approval)" in html_of(client.get("/admin/users"))


def test_a_spoc_moving_borough_sees_both_until_a_manager_approves(app, signed_in):
    admin_client, _admin = signed_in("admin")
    spoc = factories.user("spoc", borough_name="Camden")
    lambeth = factories.borough("Lambeth")
    response = post_form(
        admin_client,
        f"/admin/users/{spoc.id}/edit",
        edit_data(spoc, borough=str(lambeth.id)),
    )
    assert response.status_code == 302
    assert "Camden; Lambeth (waiting for approval)" in html_of(
        admin_client.get(f"/admin/users/{spoc.id}")
    )
    own = client_for(app, spoc)
    assert "Camden; Lambeth (waiting for approval)" in html_of(own.get("/account"))


def test_inviting_finance_gives_the_role_at_once(signed_in):
    client, _admin = signed_in("admin")
    response = post_form(client, "/admin/users/invite", user_form(role="finance"))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "pat@example.org"))
    assert user.role == "finance"
    assert pending_for(user.id) == []


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"name": ""}, "name", "Enter the person&#39;s full name"),
        ({"email": ""}, "email", "Enter their email address"),
        ({"email": "not-an-address"}, "email", "Enter an email address in the correct format"),
        ({"role": ""}, "role", "Select a role"),
        ({"role": "superuser"}, "role", "Select a role"),
        ({"role": "spoc"}, "borough", "Select the SPOC&#39;s borough"),
        ({"role": "finance", "borough": "BOROUGH"}, "borough", "Only a borough SPOC has a borough"),
        ({"role": "spoc", "borough": "99999"}, "borough", "Select a borough from the list"),
    ],
)
def test_a_bad_invitation_is_shown_again_with_its_message_beside_the_field(
    signed_in, fields, field_id, message
):
    client, _admin = signed_in("admin")
    camden = factories.borough("Camden")
    if fields.get("borough") == "BOROUGH":
        fields = {**fields, "borough": str(camden.id)}
    response = post_form(client, "/admin/users/invite", user_form(**fields))
    page = html_of(response)
    assert response.status_code == 400
    assert "<title>Error: " in page
    assert 'class="govuk-error-summary"' in page
    assert f'href="#{field_id}"' in page
    assert message in page
    assert db.session.scalar(select(User).where(User.email == "pat@example.org")) is None


def test_an_email_address_already_in_use_is_refused_whatever_its_case(signed_in):
    client, _admin = signed_in("admin")
    factories.user("finance", email="pat@example.org")
    response = post_form(client, "/admin/users/invite", user_form(email="PAT@example.org"))
    assert response.status_code == 400
    assert "An account already uses this email address" in html_of(response)
    assert 'href="#email"' in html_of(response)


# ---------------------------------------------------------------------------
# Approvals


def test_a_manager_approves_a_role_and_it_takes_effect_with_an_audit_event(signed_in):
    admin_client, _admin = signed_in("admin")
    post_form(admin_client, "/admin/users/invite", user_form())
    user = db.session.scalar(select(User).where(User.email == "pat@example.org"))
    [request] = pending_for(user.id)
    manager_client, manager = signed_in("manager")
    listing = html_of(manager_client.get("/admin/approvals"))
    assert "Pat Example" in listing and "Role: Practitioner (Cranstoun)" in listing
    url = f"/admin/approvals/{request.id}"
    response = post_form(manager_client, url, {"decision": "approve", "note": "Checked with HR"})
    assert response.status_code == 302
    assert fresh(User, user.id).role == "practitioner"
    [approved] = events("account.approval_approved")
    assert (approved.actor_id, approved.reason) == (manager.id, "Checked with HR")
    assert "Checked with HR" in html_of(manager_client.get("/admin/approvals"))


def test_a_manager_sees_but_cannot_decide_a_change_to_their_own_account(signed_in):
    admin_client, _admin = signed_in("admin")
    manager_client, manager = signed_in("manager")
    post_form(
        admin_client,
        f"/admin/users/{manager.id}/edit",
        edit_data(manager, email="manager.new@example.org"),
    )
    [request] = pending_for(manager.id)
    page = manager_client.get(f"/admin/approvals/{request.id}")
    assert page.status_code == 200
    assert "another programme manager must decide it" in html_of(page)
    assert 'name="decision"' not in html_of(page)
    response = post_form(
        manager_client,
        f"/admin/approvals/{request.id}",
        {"decision": "approve"},
        form_url="/admin/approvals",
    )
    assert response.status_code == 403
    assert fresh(ApprovalRequest, request.id).status == "pending"
    assert fresh(User, manager.id).email != "manager.new@example.org"
    assert events("access.refused")[-1].details["action"] == "approvals.decide"


def test_a_decision_needs_approve_or_reject_and_a_short_note(signed_in):
    admin_client, _admin = signed_in("admin")
    post_form(admin_client, "/admin/users/invite", user_form())
    [request] = db.session.scalars(select(ApprovalRequest)).all()
    manager_client, _manager = signed_in("manager")
    url = f"/admin/approvals/{request.id}"
    response = post_form(manager_client, url, {"note": "x"})
    assert response.status_code == 400
    assert "Select whether to approve or reject the change" in html_of(response)
    response = post_form(manager_client, url, {"decision": "approve", "note": "x" * 501})
    assert response.status_code == 400
    assert "The note must be 500 characters or fewer" in html_of(response)
    assert fresh(ApprovalRequest, request.id).status == "pending"


def test_a_request_already_decided_cannot_be_decided_again(signed_in):
    admin_client, _admin = signed_in("admin")
    post_form(admin_client, "/admin/users/invite", user_form())
    [request] = db.session.scalars(select(ApprovalRequest)).all()
    first, _m1 = signed_in("manager")
    second, _m2 = signed_in("manager")
    url = f"/admin/approvals/{request.id}"
    token_page = html_of(second.get(url))
    assert 'name="decision"' in token_page
    post_form(first, url, {"decision": "reject"})
    response = post_form(second, url, {"decision": "approve"})
    assert response.status_code == 409
    assert "already been decided" in html_of(response)
    assert fresh(ApprovalRequest, request.id).status == "rejected"


def test_a_spocs_email_change_waits_and_on_approval_the_old_address_is_told(mail_context):
    admin = factories.user("admin")
    manager = factories.user("manager")
    spoc = factories.user("spoc", email="spoc@camden.example")
    spoc_client = client_for(mail_context, spoc)
    admin_client = client_for(mail_context, admin)
    response = post_form(
        admin_client,
        f"/admin/users/{spoc.id}/edit",
        edit_data(spoc, email="spoc.new@camden.example"),
        follow_redirects=True,
    )
    assert "will take effect when a programme manager approves it" in html_of(response)
    assert fresh(User, spoc.id).email == "spoc@camden.example"
    assert spoc_client.get("/").status_code == 200
    [request] = pending_for(spoc.id)
    manager_client = client_for(mail_context, manager)
    response = post_form(manager_client, f"/admin/approvals/{request.id}", {"decision": "approve"})
    assert response.status_code == 302
    assert fresh(User, spoc.id).email == "spoc.new@camden.example"
    [(recipients, notice)] = mail_context.smtp_sink.messages
    assert recipients == ["spoc@camden.example"]
    assert "sign-in email address was changed" in notice["Subject"]
    assert "spoc.new" not in notice.get_content()
    # Every session of theirs ended: the next page asks them to sign in.
    next_page = spoc_client.get("/cases/")
    assert next_page.status_code == 302 and "/sign-in" in next_page.headers["Location"]


# ---------------------------------------------------------------------------
# Changing and disabling accounts


def test_changing_a_role_to_finance_takes_effect_at_once(signed_in):
    client, _admin = signed_in("admin")
    practitioner = factories.user("practitioner")
    response = post_form(
        client,
        f"/admin/users/{practitioner.id}/edit",
        edit_data(practitioner, role="finance"),
        follow_redirects=True,
    )
    assert "Saved." in html_of(response)
    assert fresh(User, practitioner.id).role == "finance"
    assert pending_for(practitioner.id) == []
    assert events("account.updated")[0].details["role"] == "finance"


def test_changing_a_role_to_manager_waits_for_approval(signed_in):
    client, _admin = signed_in("admin")
    finance = factories.user("finance")
    post_form(client, f"/admin/users/{finance.id}/edit", edit_data(finance, role="manager"))
    assert fresh(User, finance.id).role == "finance"
    assert [r.requested_role for r in pending_for(finance.id)] == ["manager"]
    edit_page = html_of(client.get(f"/admin/users/{finance.id}/edit"))
    assert "Waiting for a programme manager" in edit_page


def test_the_edit_form_refuses_someone_elses_email_address(signed_in):
    client, _admin = signed_in("admin")
    factories.user("finance", email="taken@example.org")
    evaluator = factories.user("evaluator")
    response = post_form(
        client,
        f"/admin/users/{evaluator.id}/edit",
        edit_data(evaluator, email="Taken@Example.org"),
    )
    assert response.status_code == 400
    assert "An account already uses this email address" in html_of(response)


def test_saving_the_edit_form_unchanged_says_so(signed_in):
    client, _admin = signed_in("admin")
    finance = factories.user("finance")
    response = post_form(
        client, f"/admin/users/{finance.id}/edit", edit_data(finance), follow_redirects=True
    )
    assert "You did not change anything." in html_of(response)
    assert events("account.updated") == []


def test_disabling_a_user_ends_their_sessions_at_once(signed_in):
    admin_client, _admin = signed_in("admin")
    practitioner_client, practitioner = signed_in("practitioner")
    assert practitioner_client.get("/cases/").status_code == 200
    response = post_form(
        admin_client,
        f"/admin/users/{practitioner.id}/disable",
        {},
        form_url=f"/admin/users/{practitioner.id}",
        follow_redirects=True,
    )
    assert "The account is disabled" in html_of(response)
    next_page = practitioner_client.get("/cases/")
    assert next_page.status_code == 302
    assert next_page.headers["Location"].startswith("/sign-in")
    assert len(events("account.disabled")) == 1
    # and they are listed as disabled, never deleted
    listing = html_of(admin_client.get("/admin/users?status=disabled"))
    assert practitioner.name in listing


def test_an_admin_cannot_disable_themselves(signed_in):
    client, admin = signed_in("admin")
    page = html_of(client.get(f"/admin/users/{admin.id}"))
    assert "Disable account" not in page
    response = post_form(client, f"/admin/users/{admin.id}/disable", {}, form_url="/admin/users")
    assert response.status_code == 400
    assert "You cannot disable your own account" in html_of(response)
    assert fresh(User, admin.id).active


def test_a_disabled_account_can_be_enabled_again(signed_in):
    client, _admin = signed_in("admin")
    finance = factories.user("finance", active=False)
    url = f"/admin/users/{finance.id}"
    assert post_form(client, f"{url}/enable", {}, form_url=url).status_code == 302
    assert fresh(User, finance.id).active


def test_resetting_two_factor_turns_it_off(signed_in):
    client, _admin = signed_in("admin")
    user = factories.user("finance", totp_secret="JBSWY3DPEHPK3PXP")
    url = f"/admin/users/{user.id}"
    assert "Reset two-factor sign-in" in html_of(client.get(url))
    assert post_form(client, f"{url}/reset-two-factor", {}, form_url=url).status_code == 302
    assert fresh(User, user.id).totp_secret is None
    assert len(events("account.two_factor_reset")) == 1


def test_a_locked_account_is_listed_as_locked_and_can_be_unlocked(signed_in):
    client, _admin = signed_in("admin")
    user = factories.user("finance", name="Lou Locked")
    now = datetime.now(UTC)
    for _ in range(5):
        throttle.record_failure(db.session, user.email, now)
    db.session.commit()
    assert "Lou Locked" in html_of(client.get("/admin/users?status=locked"))
    url = f"/admin/users/{user.id}"
    assert post_form(client, f"{url}/unlock", {}, form_url=url).status_code == 302
    assert "Lou Locked" not in html_of(client.get("/admin/users?status=locked"))
    assert len(events("account.unlocked")) == 1


def test_a_password_reset_goes_to_the_user_and_is_never_shown_to_the_admin(mail_context):
    admin = factories.user("admin")
    user = factories.user("finance", email="fin@camden.example")
    client = client_for(mail_context, admin)
    url = f"/admin/users/{user.id}"
    response = post_form(client, f"{url}/send-password-reset", {}, form_url=url)
    page = html_of(client.get(response.headers["Location"]))
    assert "A password reset link was sent" in page
    [(recipients, message)] = mail_context.smtp_sink.messages
    assert recipients == ["fin@camden.example"]
    token = re.search(r"/reset-password/(\S+)", message.get_content()).group(1)
    assert token not in page


def test_the_users_list_shows_role_borough_two_factor_and_status_and_filters(signed_in):
    client, _admin = signed_in("admin", name="Ada Admin")
    factories.user("spoc", name="Sam Spoc", borough_name="Hackney")
    factories.user("finance", name="Fay Finance", active=False)
    page = html_of(client.get("/admin/users"))
    for text in ("Ada Admin", "Sam Spoc", "Hackney", "Borough SPOC", "Disabled", "Active", "Off"):
        assert text in page
    finance_only = html_of(client.get("/admin/users?role=finance"))
    assert "Fay Finance" in finance_only and "Sam Spoc" not in finance_only


# ---------------------------------------------------------------------------
# Boroughs


def test_adding_a_borough_trims_its_name_and_refuses_a_duplicate(signed_in):
    client, _admin = signed_in("admin")
    response = post_form(client, "/admin/boroughs/new", {"name": "  Sutton ", "active": "y"})
    assert response.status_code == 302
    assert "Sutton" in html_of(client.get("/admin/boroughs"))
    response = post_form(client, "/admin/boroughs/new", {"name": "SUTTON"})
    assert response.status_code == 400
    assert "A borough with this name already exists" in html_of(response)
    assert len(events("borough.created")) == 1


def test_a_borough_name_is_required_and_short(signed_in):
    client, _admin = signed_in("admin")
    response = post_form(client, "/admin/boroughs/new", {"name": "x" * 81})
    assert response.status_code == 400
    assert "80 characters or fewer" in html_of(response)


def test_a_borough_with_cases_can_stop_taking_part_but_cannot_be_deleted(signed_in):
    client, _admin = signed_in("admin")
    case = factories.case("Camden")
    url = f"/admin/boroughs/{case.borough_id}"
    page = html_of(client.get(url))
    assert "1 case" in page and "never deleted" in page
    assert "Delete" not in page
    response = post_form(client, f"{url}/taking-part", {"active": "no"}, form_url=url)
    assert response.status_code == 302
    assert not fresh(type(case.borough), case.borough_id).active
    assert client.post(url, data={"_method": "DELETE"}).status_code == 400
    assert events("borough.updated")[0].details == {"changes": {"active": [True, False]}}


def test_renaming_a_borough_refuses_another_boroughs_name(signed_in):
    client, _admin = signed_in("admin")
    factories.borough("Camden")
    hackney = factories.borough("Hackney")
    url = f"/admin/boroughs/{hackney.id}"
    response = post_form(client, url, {"name": "camden"})
    assert response.status_code == 400
    assert "already exists" in html_of(response)
    assert post_form(client, url, {"name": "Hackney Council"}).status_code == 302
    assert fresh(type(hackney), hackney.id).name == "Hackney Council"


# ---------------------------------------------------------------------------
# Programme settings


def settings_row() -> ProgrammeSettings:
    return fresh(ProgrammeSettings, 1)


def post_settings(client, **changes):
    return post_form(client, "/admin/settings/change", {**SETTINGS_FORM, **changes})


def test_the_settings_form_shows_the_saved_values_with_their_units(signed_in):
    client, _manager = signed_in("manager")
    page = html_of(client.get("/admin/settings/change"))
    assert 'value="14000.00"' in page
    assert "working days" in page and "calendar days" in page
    assert 'id="referral_window_start-day"' in page and 'value="19"' in page
    summary = html_of(client.get("/admin/settings"))
    assert "£14,000.00" in summary and "3 working days" in summary and "7 calendar days" in summary


@pytest.mark.usefixtures("programme_as_migrated")
def test_a_settings_change_is_saved_and_audited_with_old_and_new_values(signed_in):
    client, manager = signed_in("manager")
    response = post_settings(client, pot_pence="15,000.50", referral_window_end=["15", "1", "2027"])
    assert response.status_code == 302
    settings = settings_row()
    assert settings.pot_pence == 1_500_050
    assert settings.referral_window_end.isoformat() == "2027-01-15"
    [event] = events("settings.updated")
    assert event.actor_id == manager.id
    assert event.details == {
        "changes": {
            "pot_pence": [1_400_000, 1_500_050],
            "referral_window_end": ["2026-12-31", "2027-01-15"],
        }
    }


@pytest.mark.usefixtures("programme_as_migrated")
def test_the_default_nightly_rate_is_shown_saved_and_audited_in_pence(signed_in):
    client, _manager = signed_in("manager")
    assert 'value="50.00"' in html_of(client.get("/admin/settings/change"))
    assert post_settings(client, default_nightly_rate_pence="95.50").status_code == 302
    assert settings_row().default_nightly_rate_pence == 9_550
    [event] = events("settings.updated")
    assert event.details == {"changes": {"default_nightly_rate_pence": [5_000, 9_550]}}
    assert "£95.50" in html_of(client.get("/admin/settings"))


@pytest.mark.usefixtures("programme_as_migrated")
def test_the_risk_thresholds_and_escalation_are_saved_and_audited(signed_in):
    client, _manager = signed_in("manager")
    page = html_of(client.get("/admin/settings/change"))
    assert 'name="escalation_kinds" type="checkbox" value="police_callout" checked' in page
    response = post_settings(
        client,
        high_risk_threshold_yes="11",
        marac_threshold_yes="11",
        escalation_min_incidents="4",
        escalation_months="6",
        escalation_kinds=["other_agency", "police_callout"],
    )
    assert response.status_code == 302
    settings = settings_row()
    assert (settings.high_risk_threshold_yes, settings.marac_threshold_yes) == (11, 11)
    assert (settings.escalation_min_incidents, settings.escalation_months) == (4, 6)
    assert settings.escalation_kinds == "police_callout,other_agency"
    [event] = events("settings.updated")
    assert event.details == {
        "changes": {
            "high_risk_threshold_yes": [10, 11],
            "marac_threshold_yes": [14, 11],
            "escalation_min_incidents": [3, 4],
            "escalation_months": [12, 6],
            "escalation_kinds": ["police_callout", "police_callout,other_agency"],
        }
    }
    summary = html_of(client.get("/admin/settings"))
    assert "Police call-out, Report from another agency" in summary
    assert "6 months" in summary and "4 incidents" in summary


@pytest.mark.usefixtures("programme_as_migrated")
def test_saving_the_settings_unchanged_says_so_and_writes_nothing(signed_in):
    client, _manager = signed_in("manager")
    response = post_form(client, "/admin/settings/change", SETTINGS_FORM, follow_redirects=True)
    assert "You did not change any settings" in html_of(response)
    assert events("settings.updated") == []


BAD_SETTINGS = [
    ({"pot_pence": ""}, "pot_pence", "Enter the pot in pounds, like 14000.00"),
    ({"pot_pence": "lots"}, "pot_pence", "Enter the pot in pounds, like 14000.00"),
    ({"pot_pence": "-5.00"}, "pot_pence", "The pot must be £0.00 or more"),
    ({"pot_pence": "100.123"}, "pot_pence", "Enter the pot to the nearest penny"),
    ({"pot_pence": "1000000.01"}, "pot_pence", "The pot must be £1,000,000.00 or less"),
    (
        {"default_nightly_rate_pence": ""},
        "default_nightly_rate_pence",
        "Enter the default nightly rate in pounds, like 50.00",
    ),
    (
        {"default_nightly_rate_pence": "0"},
        "default_nightly_rate_pence",
        "The default nightly rate must be more than £0.00",
    ),
    (
        {"default_nightly_rate_pence": "1000.01"},
        "default_nightly_rate_pence",
        "The default nightly rate must be £1,000.00 or less",
    ),
    ({"max_people": "0"}, "max_people", "must be between 1 and 10,000 people"),
    ({"max_people": "ten"}, "max_people", "as a whole number, like 10"),
    ({"max_nights_per_client": "91"}, "max_nights_per_client", "between 1 and 90 nights"),
    ({"acknowledge_working_days": "21"}, "acknowledge_working_days", "1 and 20 working days"),
    (
        {"consultation_booking_working_days": "31"},
        "consultation_booking_working_days",
        "1 and 30 working days",
    ),
    ({"meeting_interval_days": "32"}, "meeting_interval_days", "1 and 31 calendar days"),
    ({"dash_review_days": "181"}, "dash_review_days", "1 and 180 calendar days"),
    ({"idva_action_working_days": "0"}, "idva_action_working_days", "1 and 10 working days"),
    ({"marac_action_working_days": "11"}, "marac_action_working_days", "1 and 10 working days"),
    ({"marac_threshold_yes": "25"}, "marac_threshold_yes", "between 1 and 24"),
    ({"high_risk_threshold_yes": "0"}, "high_risk_threshold_yes", "between 1 and 24"),
    ({"high_risk_threshold_yes": "9.5"}, "high_risk_threshold_yes", "as a whole number"),
    (
        {"high_risk_threshold_yes": "15"},
        "marac_threshold_yes",
        "The MARAC threshold must be the same as or more than the high-risk threshold (15)",
    ),
    ({"escalation_min_incidents": "0"}, "escalation_min_incidents", "between 1 and 99"),
    ({"escalation_months": "61"}, "escalation_months", "between 1 and 60 months"),
    ({"escalation_months": "0"}, "escalation_months", "between 1 and 60 months"),
    (
        {"escalation_kinds": []},
        "escalation_kinds",
        "Select at least one kind of incident that counts towards escalation",
    ),
    (
        {"escalation_kinds": ["police_callout", "burglary"]},
        "escalation_kinds",
        "Select kinds of incident from the list",
    ),
    ({"invoice_unpaid_days": ""}, "invoice_unpaid_days", "Enter the time before an unpaid"),
    (
        {"referral_window_start": ["", "", ""]},
        "referral_window_start-day",
        "Enter the date the referral window opens",
    ),
    (
        {"referral_window_start": ["31", "2", "2026"]},
        "referral_window_start-day",
        "must be a real date",
    ),
    (
        {"referral_window_end": ["18", "8", "2026"]},
        "referral_window_end-day",
        "must be the same as or after the date it opens",
    ),
    (
        {"programme_end_date": ["30", "12", "2026"]},
        "programme_end_date-day",
        "must be the same as or after the date the referral window closes",
    ),
]


@pytest.mark.parametrize(("changes", "field_id", "message"), BAD_SETTINGS)
def test_each_bad_setting_gives_its_message_beside_the_field_and_saves_nothing(
    signed_in, changes, field_id, message
):
    client, _manager = signed_in("manager")
    # A good change alongside the bad one must not be saved either.
    good = {"pot_pence": "15000.00"} if "pot_pence" not in changes else {"max_people": "12"}
    response = post_settings(client, **{**good, **changes})
    page = html_of(response)
    assert response.status_code == 400
    assert "<title>Error: " in page
    assert f'href="#{field_id}"' in page
    assert message in page
    settings = settings_row()
    assert (settings.max_people, settings.pot_pence) == (10, 1_400_000)
    assert events("settings.updated") == []


def test_every_bad_setting_is_reported_at_once(signed_in):
    client, _manager = signed_in("manager")
    response = post_settings(client, pot_pence="x", max_people="0", dash_review_days="999")
    page = html_of(response)
    for field_id in ("pot_pence", "max_people", "dash_review_days"):
        assert f'href="#{field_id}"' in page


def test_a_save_over_a_newer_save_by_another_manager_is_refused(signed_in):
    first, _m1 = signed_in("manager")
    second, _m2 = signed_in("manager")
    stale_page = html_of(second.get("/admin/settings/change"))
    version_input = re.search(r'<input[^>]*name="version"[^>]*>', stale_page).group(0)
    version = re.search(r'value="([^"]*)"', version_input).group(1)
    assert version
    assert post_settings(first, max_people="12").status_code == 302
    stale_form = {**SETTINGS_FORM, "max_nights_per_client": "21", "version": version}
    response = second.post(
        "/admin/settings/change", data={**stale_form, "csrf_token": csrf_token_from(stale_page)}
    )
    assert response.status_code == 409
    assert "Another manager changed the settings" in html_of(response)
    assert (settings_row().max_people, settings_row().max_nights_per_client) == (12, 28)


def test_a_non_working_day_is_added_listed_and_removed(signed_in):
    client, _manager = signed_in("manager")
    response = post_form(
        client,
        "/admin/settings/non-working-days/new",
        {"day": ["29", "12", "2026"], "reason": "Office closed"},
        follow_redirects=True,
    )
    assert "29 December 2026" in html_of(response) and "Office closed" in html_of(response)
    [day] = db.session.scalars(select(NonWorkingDay)).all()
    response = post_form(
        client, f"/admin/settings/non-working-days/{day.id}/remove", {}, form_url="/admin/settings"
    )
    assert response.status_code == 302
    assert db.session.scalars(select(NonWorkingDay)).all() == []
    assert len(events("settings.non_working_day_removed")) == 1


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (["26", "12", "2026"], "That is already a weekend"),
        (["25", "12", "2026"], "That is already a bank holiday (Christmas Day)"),
        (["30", "2", "2026"], "The date must be a real date"),
        (["", "", ""], "Enter the date"),
    ],
)
def test_a_non_working_day_that_is_not_a_working_day_anyway_is_refused(signed_in, day, message):
    client, _manager = signed_in("manager")
    response = post_form(
        client, "/admin/settings/non-working-days/new", {"day": day, "reason": "Closure"}
    )
    assert response.status_code == 400
    assert message in html_of(response)
    assert 'href="#day-day"' in html_of(response)


def test_the_same_non_working_day_cannot_be_added_twice(signed_in):
    client, _manager = signed_in("manager")
    data = {"day": ["29", "12", "2026"], "reason": "Office closed"}
    post_form(client, "/admin/settings/non-working-days/new", data)
    response = post_form(client, "/admin/settings/non-working-days/new", data)
    assert response.status_code == 400
    assert "That day is already a non-working day" in html_of(response)


def test_removing_an_unknown_non_working_day_is_not_found(signed_in):
    client, _manager = signed_in("manager")
    url = "/admin/settings/non-working-days/9999/remove"
    assert post_form(client, url, {}, form_url="/admin/settings").status_code == 404


# The settings cannot promise less than placements hold (the rules: tests/integration/
# test_budget_settings_guard.py); the page shows why beside the pot.
def test_the_settings_page_shows_the_refusal_beside_the_pot(signed_in):
    fa.placement(state="checked_in", rate_pence=10_000)
    client, _manager = signed_in("manager")
    values, version, _row = settings_services.current(db.session)
    page = client.get("/admin/settings/change").get_data(as_text=True)
    assert "Accommodation pot" in page
    form = {
        "version": version,
        "pot_pence": "100.00",
        "default_nightly_rate_pence": "50.00",
    }
    for name in ("referral_window_start", "referral_window_end", "programme_end_date"):
        form[name] = [str(values[name].day), str(values[name].month), str(values[name].year)]
    for name in (
        "max_people",
        "max_nights_per_client",
        "acknowledge_working_days",
        "consultation_booking_working_days",
        "meeting_interval_days",
        "dash_review_days",
        "outcome_mid_point_weeks",
        "idva_action_working_days",
        "marac_action_working_days",
        "high_risk_threshold_yes",
        "marac_threshold_yes",
        "escalation_min_incidents",
        "escalation_months",
        "invoice_unpaid_days",
        "evaluation_k",
        *rules.RETENTION_SETTINGS,
    ):
        form[name] = str(values[name])
    form["escalation_kinds"] = values["escalation_kinds"].split(",")
    for text in rules.TEXT_SETTINGS:
        form[text.name] = values[text.name]
    response = post_form(client, "/admin/settings/change", form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The pot cannot be £100.00: placements already hold £2,800.00" in html
    assert settings_row().pot_pence == 1_400_000
