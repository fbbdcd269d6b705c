"""Administration services on a real database, with mail over a real SMTP server."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from eip.admin import approval_services, borough_services, settings_services, user_accounts
from eip.admin.models import ApprovalRequest, NonWorkingDay, ProgrammeSettings
from eip.audit import AuditEvent
from eip.auth import throttle, tokens
from eip.auth.models import AccountToken, RecoveryCode, User, UserSession
from eip.domain import Conflict, NotAllowed, NotFound, RuleBroken
from eip.extensions import db
from tests import factories
from tests.audit_trail import events

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture
def ctx(mail_app):
    """A request context on the app whose mail goes to the SMTP sink."""
    with mail_app.test_request_context(method="POST"):
        yield mail_app.smtp_sink
        db.session.remove()


def requests_for(user_id: int) -> list[ApprovalRequest]:
    query = select(ApprovalRequest).where(ApprovalRequest.user_id == user_id)
    return list(db.session.scalars(query.order_by(ApprovalRequest.id)))


def mails_to(sink, address: str) -> list:
    return [message for recipients, message in sink.messages if address in recipients]


def link_token(message, purpose: str = "invitation") -> str:
    match = re.search(rf"/{purpose}/(\S+)", message.get_content())
    assert match, message.get_content()
    return match.group(1)


def invite(actor, role="practitioner", email="new.person@example.org", borough_id=None):
    return user_accounts.invite_user(
        db.session, actor, name="New Person", email=email, role=role, borough_id=borough_id
    )


def edit(actor, user, **changes):
    fields = {
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "borough_id": user.borough_id,
    }
    fields.update(changes)
    return user_accounts.update_user(db.session, actor, user.id, **fields)


def a_session_for(user: User) -> None:
    db.session.add(UserSession(token_hash=f"hash-{user.id}-{user.email}", user_id=user.id))
    db.session.commit()


def open_sessions(user_id: int) -> int:
    query = select(UserSession).where(
        UserSession.user_id == user_id, UserSession.ended_at.is_(None)
    )
    return len(db.session.scalars(query).all())


# ---------------------------------------------------------------------------
# Invitations


def test_inviting_a_practitioner_creates_an_account_with_no_role_and_asks_a_manager(ctx):
    admin = factories.user("admin")
    outcome = invite(admin, email="  New.Person@Example.org ")
    user = db.session.get(User, outcome.user_id)
    assert outcome.approval_needed and outcome.mail_sent
    assert (user.email, user.role, user.password_hash) == ("new.person@example.org", None, None)
    [request] = requests_for(user.id)
    assert (request.kind, request.status, request.requested_role) == (
        "role",
        "pending",
        "practitioner",
    )
    assert request.requested_by_id == admin.id
    [invited] = events("account.invited")
    assert invited.details == {"role": "practitioner", "approval_needed": True}
    assert events("account.approval_requested")[0].details["role"] == "practitioner"


def test_the_invitation_link_goes_to_the_invited_address_only_and_works_once(ctx):
    outcome = invite(factories.user("admin"))
    [message] = mails_to(ctx, "new.person@example.org")
    assert len(ctx.messages) == 1
    status, token = tokens.look_up(db.session, link_token(message), "invite")
    assert status == "ok" and token.user_id == outcome.user_id


def test_inviting_finance_gives_the_role_at_once_and_asks_nobody(ctx):
    outcome = invite(factories.user("admin"), role="finance")
    assert not outcome.approval_needed
    assert db.session.get(User, outcome.user_id).role == "finance"
    assert requests_for(outcome.user_id) == []


def test_a_spoc_invitation_waits_for_approval_of_the_role_and_the_borough(ctx):
    camden = factories.borough("Camden")
    outcome = invite(factories.user("admin"), role="spoc", borough_id=camden.id)
    user = db.session.get(User, outcome.user_id)
    assert (user.role, user.borough_id) == (None, None)
    [request] = requests_for(user.id)
    assert (request.requested_role, request.requested_borough_id) == ("spoc", camden.id)


@pytest.mark.parametrize("typed", ["taken@example.org", "TAKEN@example.org ", "Taken@Example.Org"])
def test_an_address_already_in_use_is_refused_whatever_its_case(ctx, typed):
    factories.user("finance", email="taken@example.org")
    with pytest.raises(RuleBroken) as refused:
        invite(factories.user("admin"), email=typed)
    assert refused.value.errors == {"email": "An account already uses this email address"}
    assert len(db.session.scalars(select(User)).all()) == 2
    assert ctx.messages == []


def test_an_address_waiting_for_approval_as_someone_elses_is_refused_too(ctx):
    admin = factories.user("admin")
    spoc = factories.user("spoc")
    edit(admin, spoc, email="wanted@example.org")
    with pytest.raises(RuleBroken):
        invite(admin, email="wanted@example.org")


def test_a_spoc_without_a_borough_or_a_practitioner_with_one_is_refused(ctx):
    admin, camden = factories.user("admin"), factories.borough("Camden")
    with pytest.raises(RuleBroken) as refused:
        invite(admin, role="spoc")
    assert refused.value.field == "borough"
    with pytest.raises(RuleBroken):
        invite(admin, role="practitioner", borough_id=camden.id)


def test_a_failed_invitation_email_keeps_the_account_and_says_so(make_app, app):
    from tests.conftest import _free_port

    broken = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=_free_port(), SMTP_SECURITY="none")
    with broken.test_request_context(method="POST"):
        outcome = invite(factories.user("admin"))
        assert outcome.mail_sent is False
        assert db.session.get(User, outcome.user_id) is not None
        db.session.remove()


# ---------------------------------------------------------------------------
# Changing roles


def test_a_new_role_request_withdraws_the_pending_one(ctx):
    admin = factories.user("admin")
    user = db.session.get(User, invite(admin).user_id)
    outcome = edit(admin, user, role="manager")
    assert outcome.requested == ["role"]
    first, second = requests_for(user.id)
    assert (first.status, second.status, second.requested_role) == (
        "cancelled",
        "pending",
        "manager",
    )
    assert events("account.approval_cancelled")[0].details["request_id"] == first.id


def test_sending_the_pending_role_back_unchanged_leaves_the_request_alone(ctx):
    admin = factories.user("admin")
    user = db.session.get(User, invite(admin).user_id)
    outcome = edit(admin, user, role="practitioner", name="Renamed Person")
    assert outcome.applied == ["name"] and outcome.requested == []
    assert [r.status for r in requests_for(user.id)] == ["pending"]


def test_choosing_the_current_role_again_withdraws_the_pending_change(ctx):
    admin = factories.user("admin")
    practitioner = factories.user("practitioner")
    edit(admin, practitioner, role="manager")
    outcome = edit(admin, practitioner, role="practitioner")
    assert outcome.withdrawn == ["role"]
    assert [r.status for r in requests_for(practitioner.id)] == ["cancelled"]
    assert db.session.get(User, practitioner.id).role == "practitioner"


def test_a_role_without_personal_data_applies_at_once_and_withdraws_a_pending_grant(ctx):
    admin = factories.user("admin")
    spoc = factories.user("spoc")
    edit(admin, spoc, role="practitioner", borough_id=None)
    outcome = edit(admin, spoc, role="finance", borough_id=None)
    assert outcome.applied == ["role", "borough"]
    assert (spoc.role, spoc.borough_id) == ("finance", None)
    assert [r.status for r in requests_for(spoc.id)] == ["cancelled"]
    [updated] = events("account.updated")
    assert updated.details == {
        "fields": ["role", "borough"],
        "role": "finance",
        "previous_role": "spoc",
    }


def test_a_spocs_move_to_another_borough_waits_for_approval(ctx):
    admin, hackney = factories.user("admin"), factories.borough("Hackney")
    spoc = factories.user("spoc", borough_name="Camden")
    camden_id = spoc.borough_id
    assert edit(admin, spoc, borough_id=hackney.id).requested == ["role"]
    assert spoc.borough_id == camden_id


def test_an_admin_cannot_change_their_own_role(ctx):
    admin = factories.user("admin")
    with pytest.raises(RuleBroken, match="your own role"):
        edit(admin, admin, role="finance")


def test_an_edit_that_changes_nothing_writes_nothing(ctx):
    admin = factories.user("admin")
    practitioner = factories.user("practitioner")
    before = len(db.session.scalars(select(AuditEvent)).all())
    assert not edit(admin, practitioner).changed
    assert len(db.session.scalars(select(AuditEvent)).all()) == before


def test_an_unknown_user_is_not_found(ctx):
    with pytest.raises(NotFound):
        user_accounts.update_user(
            db.session,
            factories.user("admin"),
            9999,
            name="x",
            email="x@example.org",
            role="finance",
            borough_id=None,
        )


# ---------------------------------------------------------------------------
# Changing e-mail addresses


@pytest.mark.parametrize("role", ["finance", "evaluator", "admin", "practitioner", "manager"])
def test_an_email_change_of_any_account_waits_for_a_manager(ctx, role):
    """Finance sees money and an evaluator downloads pseudonymised data: a new address is
    where reset links go, so the administrator alone must not be able to set it."""
    admin = factories.user("admin")
    user = factories.user(role, email="old@example.org")
    a_session_for(user)
    outcome = edit(admin, user, email="New@Example.org")
    assert outcome.requested == ["email"] and outcome.applied == []
    assert db.session.get(User, user.id).email == "old@example.org"
    assert open_sessions(user.id) == 1
    [request] = requests_for(user.id)
    assert (request.kind, request.requested_email) == ("email", "new@example.org")
    assert ctx.messages == []
    # A reset link asked for now still goes to the old address only.
    user_accounts.send_password_reset(db.session, admin, user.id)
    assert len(mails_to(ctx, "old@example.org")) == 1 and mails_to(ctx, "new@example.org") == []


def test_a_finance_email_change_applies_when_a_manager_approves_it(ctx):
    admin, manager = factories.user("admin"), factories.user("manager")
    finance = factories.user("finance", email="old@example.org")
    a_session_for(finance)
    edit(admin, finance, email="new@example.org")
    [request] = requests_for(finance.id)
    assert approval_services.decide(db.session, manager, request.id, approve=True)
    assert db.session.get(User, finance.id).email == "new@example.org"
    assert open_sessions(finance.id) == 0
    [notice] = mails_to(ctx, "old@example.org")
    assert "sign-in email address was changed" in notice["Subject"]
    assert events("account.approval_approved")[0].details["fields"] == ["email"]


def test_an_email_change_of_someone_not_yet_in_sends_a_fresh_invitation_once_approved(ctx):
    admin, manager = factories.user("admin"), factories.user("manager")
    user = db.session.get(User, invite(admin, role="finance", email="first@example.org").user_id)
    [first_invitation] = mails_to(ctx, "first@example.org")
    edit(admin, user, email="second@example.org")
    assert tokens.look_up(db.session, link_token(first_invitation), "invite")[0] == "ok"
    assert mails_to(ctx, "second@example.org") == []
    [request] = requests_for(user.id)
    approval_services.decide(db.session, manager, request.id, approve=True)
    assert tokens.look_up(db.session, link_token(first_invitation), "invite")[0] == "used"
    [second_invitation] = mails_to(ctx, "second@example.org")
    assert tokens.look_up(db.session, link_token(second_invitation), "invite")[0] == "ok"


def test_an_email_change_of_a_spoc_waits_and_keeps_the_old_address(ctx):
    admin = factories.user("admin")
    spoc = factories.user("spoc", email="spoc@camden.example")
    outcome = edit(admin, spoc, email="spoc.new@camden.example")
    assert outcome.requested == ["email"] and outcome.applied == []
    assert db.session.get(User, spoc.id).email == "spoc@camden.example"
    [request] = requests_for(spoc.id)
    assert request.requested_email == "spoc.new@camden.example"
    assert "spoc.new" not in str(events("account.approval_requested")[0].details)
    assert ctx.messages == []


# ---------------------------------------------------------------------------
# Decisions


def test_approving_a_role_applies_it_with_the_decision_and_its_audit_event(ctx):
    admin, manager = factories.user("admin"), factories.user("manager")
    user_id = invite(admin).user_id
    [request] = requests_for(user_id)
    approval_services.decide(db.session, manager, request.id, approve=True, note=" Checked. ")
    assert db.session.get(User, user_id).role == "practitioner"
    assert (request.status, request.decided_by_id, request.decision_note) == (
        "approved",
        manager.id,
        "Checked.",
    )
    [approved] = events("account.approval_approved")
    assert approved.actor_id == manager.id and approved.object_id == str(user_id)
    assert approved.details["role"] == "practitioner" and approved.reason == "Checked."


def test_rejecting_leaves_the_account_without_the_role(ctx):
    admin, manager = factories.user("admin"), factories.user("manager")
    user_id = invite(admin).user_id
    [request] = requests_for(user_id)
    approval_services.decide(db.session, manager, request.id, approve=False)
    assert db.session.get(User, user_id).role is None
    assert request.status == "rejected"
    assert len(events("account.approval_rejected")) == 1


def test_approving_an_email_change_ends_sessions_stops_links_and_tells_the_old_address(ctx):
    admin, manager = factories.user("admin"), factories.user("manager")
    spoc = factories.user("spoc", email="spoc@camden.example")
    a_session_for(spoc)
    user_accounts.send_password_reset(db.session, admin, spoc.id)
    [reset] = mails_to(ctx, "spoc@camden.example")
    edit(admin, spoc, email="spoc.new@camden.example")
    [request] = requests_for(spoc.id)
    assert approval_services.decide(db.session, manager, request.id, approve=True)
    assert db.session.get(User, spoc.id).email == "spoc.new@camden.example"
    assert open_sessions(spoc.id) == 0
    assert tokens.look_up(db.session, link_token(reset, "reset-password"), "reset")[0] == "used"
    [_reset, notice] = mails_to(ctx, "spoc@camden.example")
    body = notice.get_content()
    assert "changed" in body and "eip-support@example.org" in body
    assert "spoc.new" not in body and spoc.name not in body
    assert mails_to(ctx, "spoc.new@camden.example") == []


def test_a_manager_cannot_decide_a_change_to_their_own_account(ctx):
    admin, manager = factories.user("admin"), factories.user("manager", email="me@example.org")
    edit(admin, manager, email="me.new@example.org")
    [request] = requests_for(manager.id)
    with pytest.raises(NotAllowed):
        approval_services.decide(db.session, manager, request.id, approve=True)
    assert db.session.get(ApprovalRequest, request.id).status == "pending"
    assert db.session.get(User, manager.id).email == "me@example.org"


@pytest.mark.parametrize("role", ["admin", "practitioner", "spoc"])
def test_only_a_manager_decides(ctx, role):
    admin = factories.user("admin")
    user_id = invite(admin).user_id
    [request] = requests_for(user_id)
    with pytest.raises(NotAllowed):
        approval_services.decide(db.session, factories.user(role), request.id, approve=True)


def test_a_decided_request_cannot_be_decided_again(ctx):
    admin, manager = factories.user("admin"), factories.user("manager")
    [request] = requests_for(invite(admin).user_id)
    approval_services.decide(db.session, manager, request.id, approve=False)
    with pytest.raises(Conflict):
        approval_services.decide(db.session, factories.user("manager"), request.id, approve=True)
    assert db.session.get(ApprovalRequest, request.id).status == "rejected"


def test_approving_an_address_that_another_account_took_meanwhile_is_refused(ctx):
    admin, manager = factories.user("admin"), factories.user("manager")
    spoc = factories.user("spoc")
    edit(admin, spoc, email="wanted@example.org")
    [request] = requests_for(spoc.id)
    db.session.add(User(email="wanted@example.org", name="Quick", role="finance"))
    db.session.commit()
    with pytest.raises(RuleBroken, match="Another account now uses"):
        approval_services.decide(db.session, manager, request.id, approve=True)
    assert db.session.get(ApprovalRequest, request.id).status == "pending"


def test_a_note_over_500_characters_is_refused(ctx):
    admin, manager = factories.user("admin"), factories.user("manager")
    [request] = requests_for(invite(admin).user_id)
    with pytest.raises(RuleBroken) as refused:
        approval_services.decide(db.session, manager, request.id, approve=True, note="x" * 501)
    assert refused.value.field == "note"


# ---------------------------------------------------------------------------
# Account actions


def test_disabling_ends_sessions_stops_links_and_withdraws_pending_requests(ctx):
    admin = factories.user("admin")
    user = db.session.get(User, invite(admin).user_id)
    a_session_for(user)
    user_accounts.disable_user(db.session, admin, user.id)
    assert not user.active and user.disabled_at is not None
    assert open_sessions(user.id) == 0
    assert all(t.used_at for t in db.session.scalars(select(AccountToken)))
    assert [r.status for r in requests_for(user.id)] == ["cancelled"]
    assert events("account.disabled")[0].details == {"sessions_ended": 1}


def test_an_admin_cannot_disable_themselves(ctx):
    admin = factories.user("admin")
    with pytest.raises(RuleBroken, match="your own account"):
        user_accounts.disable_user(db.session, admin, admin.id)
    assert db.session.get(User, admin.id).active


@pytest.mark.parametrize("role", ["finance", "admin"])
def test_enabling_a_disabled_account_without_personal_data_is_at_once(ctx, role):
    admin, user = factories.user("admin"), factories.user(role, active=False)
    assert user_accounts.enable_user(db.session, admin, user.id) is True
    assert user.active
    assert requests_for(user.id) == [] and len(events("account.enabled")) == 1
    with pytest.raises(RuleBroken, match="already active"):
        user_accounts.enable_user(db.session, admin, user.id)


@pytest.mark.parametrize("role", ["practitioner", "manager", "spoc", "evaluator"])
def test_re_enabling_a_personal_data_or_evaluator_account_waits_for_a_manager(ctx, role):
    admin, manager = factories.user("admin"), factories.user("manager")
    user = factories.user(role, active=False)
    assert user_accounts.enable_user(db.session, admin, user.id) is False
    assert not db.session.get(User, user.id).active
    [request] = requests_for(user.id)
    assert (request.kind, request.status, request.requested_by_id) == (
        "enable",
        "pending",
        admin.id,
    )
    assert events("account.enabled") == []
    with pytest.raises(RuleBroken, match="already waiting"):
        user_accounts.enable_user(db.session, admin, user.id)
    with pytest.raises(NotAllowed):  # the administrator cannot approve their own request
        approval_services.decide(db.session, admin, request.id, approve=True)
    assert approval_services.decide(db.session, manager, request.id, approve=True)
    user = db.session.get(User, user.id)
    assert user.active and user.disabled_at is None
    assert events("account.approval_approved")[0].details == {
        "request_id": request.id,
        "kind": "enable",
        "enabled": True,
    }


def test_a_rejected_enable_leaves_the_account_disabled_and_may_be_asked_again(ctx):
    admin, manager = factories.user("admin"), factories.user("manager")
    evaluator = factories.user("evaluator", active=False)
    user_accounts.enable_user(db.session, admin, evaluator.id)
    [request] = requests_for(evaluator.id)
    approval_services.decide(db.session, manager, request.id, approve=False, note="Left SCIE")
    assert not db.session.get(User, evaluator.id).active
    assert user_accounts.enable_user(db.session, admin, evaluator.id) is False
    assert [r.status for r in requests_for(evaluator.id)] == ["rejected", "pending"]


def test_resetting_two_factor_clears_the_secret_and_spends_unused_recovery_codes(ctx):
    admin = factories.user("admin")
    user = factories.user("practitioner", totp_secret="JBSWY3DPEHPK3PXP")
    user.totp_last_counter = 42
    db.session.add_all([RecoveryCode(user_id=user.id, code_hash=f"h{i}") for i in range(3)])
    db.session.commit()
    user_accounts.reset_two_factor(db.session, admin, user.id)
    assert (user.totp_secret, user.totp_enabled_at, user.totp_last_counter) == (None, None, None)
    assert all(code.used_at for code in db.session.scalars(select(RecoveryCode)))
    assert len(events("account.two_factor_reset")) == 1
    with pytest.raises(RuleBroken, match="not set up"):
        user_accounts.reset_two_factor(db.session, admin, user.id)


def test_unlocking_clears_the_lockout(ctx):
    admin, user = factories.user("admin"), factories.user("finance")
    now = datetime.now(UTC)
    for _ in range(5):
        throttle.record_failure(db.session, user.email, now)
    db.session.commit()
    assert user_accounts.user_row(db.session, user.id).status == "locked"
    user_accounts.unlock_sign_in(db.session, admin, user.id)
    assert throttle.locked_until(db.session, user.email, now) is None
    assert user_accounts.user_row(db.session, user.id).status == "active"
    with pytest.raises(RuleBroken, match="not locked"):
        user_accounts.unlock_sign_in(db.session, admin, user.id)


def test_a_reset_link_goes_to_the_users_own_address(ctx):
    admin, user = factories.user("admin"), factories.user("finance", email="fin@camden.example")
    assert user_accounts.send_password_reset(db.session, admin, user.id)
    [message] = ctx.messages
    assert message[0] == ["fin@camden.example"]
    assert len(events("account.reset_sent")) == 1
    with pytest.raises(RuleBroken, match="not accepted the invitation"):
        user_accounts.send_password_reset(db.session, admin, invite(admin).user_id)


def test_an_invitation_goes_again_only_to_someone_who_has_not_accepted(ctx):
    admin = factories.user("admin")
    user_id = invite(admin).user_id
    assert user_accounts.resend_invitation(db.session, admin, user_id)
    first, second = mails_to(ctx, "new.person@example.org")
    assert tokens.look_up(db.session, link_token(first), "invite")[0] == "used"
    assert tokens.look_up(db.session, link_token(second), "invite")[0] == "ok"
    with pytest.raises(RuleBroken, match="already accepted"):
        user_accounts.resend_invitation(db.session, admin, factories.user("finance").id)


def test_the_users_list_filters_by_role_and_status(ctx):
    admin = factories.user("admin", name="Ada Admin")
    factories.user("finance", name="Fay Finance")
    factories.user("finance", name="Dee Disabled", active=False)
    invite(admin)
    names = lambda rows: [row.user.name for row in rows]  # noqa: E731
    assert names(user_accounts.list_users(db.session, role="finance")) == [
        "Dee Disabled",
        "Fay Finance",
    ]
    assert names(user_accounts.list_users(db.session, status="disabled")) == ["Dee Disabled"]
    assert names(user_accounts.list_users(db.session, role="none")) == ["New Person"]
    [waiting] = user_accounts.list_users(db.session, status="invited")
    assert waiting.role_text == "Waiting for approval of Practitioner (Cranstoun)"


# ---------------------------------------------------------------------------
# Boroughs


def test_a_borough_name_is_trimmed_and_unique_whatever_its_case(ctx):
    admin = factories.user("admin")
    borough = borough_services.add_borough(db.session, admin, name="  Sutton  ", active=True)
    assert borough.name == "Sutton"
    with pytest.raises(RuleBroken, match="already exists"):
        borough_services.add_borough(db.session, admin, name="sutton", active=False)
    assert events("borough.created")[0].details == {"name": "Sutton", "active": True}


def test_renaming_a_borough_is_audited_with_old_and_new_names(ctx):
    admin = factories.user("admin")
    borough = factories.borough("Camdn")
    assert borough_services.rename_borough(db.session, admin, borough.id, name="Camden")
    assert events("borough.updated")[0].details == {"changes": {"name": ["Camdn", "Camden"]}}
    assert not borough_services.rename_borough(db.session, admin, borough.id, name=" Camden ")


def test_a_borough_with_spocs_and_cases_can_stop_taking_part_and_keeps_them(ctx):
    admin = factories.user("admin")
    spoc = factories.user("spoc", borough_name="Camden")
    case = factories.case("Camden")
    row = borough_services.borough_row(db.session, spoc.borough_id)
    assert (row.spocs, row.cases, row.in_use) == (1, 1, True)
    borough_services.set_borough_active(db.session, admin, spoc.borough_id, active=False)
    assert not row.borough.active
    assert spoc.borough_id == case.borough_id == row.borough.id
    assert not hasattr(borough_services, "delete_borough")


# ---------------------------------------------------------------------------
# Programme settings


def current_values() -> tuple[dict, str]:
    values, version, _row = settings_services.current(db.session)
    return values, version


@pytest.mark.usefixtures("programme_as_migrated")
def test_a_settings_change_saves_and_audits_only_what_changed(ctx):
    manager = factories.user("manager")
    values, version = current_values()
    changes = settings_services.update_settings(
        db.session,
        manager,
        {**values, "pot_pence": 1_500_000, "programme_end_date": date(2027, 4, 30)},
        version=version,
    )
    assert set(changes) == {"pot_pence", "programme_end_date"}
    settings = db.session.get(ProgrammeSettings, 1)
    assert (settings.pot_pence, settings.updated_by_id) == (1_500_000, manager.id)
    [event] = events("settings.updated")
    assert event.details == {
        "changes": {
            "pot_pence": [1_400_000, 1_500_000],
            "programme_end_date": ["2027-03-31", "2027-04-30"],
        }
    }


def test_settings_with_any_bad_value_save_nothing(ctx):
    manager = factories.user("manager")
    values, version = current_values()
    bad = {**values, "pot_pence": 1_500_000, "max_people": 0}
    with pytest.raises(RuleBroken) as refused:
        settings_services.update_settings(db.session, manager, bad, version=version)
    assert list(refused.value.errors) == ["max_people"]
    assert db.session.get(ProgrammeSettings, 1).pot_pence == 1_400_000
    assert events("settings.updated") == []


def test_a_save_with_no_change_writes_nothing(ctx):
    values, version = current_values()
    manager = factories.user("manager")
    assert settings_services.update_settings(db.session, manager, values, version=version) == {}
    assert events("settings.updated") == []
    assert current_values()[1] == version


def test_a_save_over_another_managers_newer_save_is_refused(ctx):
    first, second = factories.user("manager"), factories.user("manager")
    values, version = current_values()
    settings_services.update_settings(
        db.session, first, {**values, "max_people": 12}, version=version
    )
    with pytest.raises(Conflict):
        settings_services.update_settings(
            db.session, second, {**values, "max_nights_per_client": 21}, version=version
        )
    assert db.session.get(ProgrammeSettings, 1).max_nights_per_client == 28


def test_non_working_days_are_added_once_and_removed_with_an_audit_trail(ctx):
    manager = factories.user("manager")
    day = date(2026, 12, 29)
    row = settings_services.add_non_working_day(
        db.session, manager, day=day, reason=" Office  closed "
    )
    assert row.reason == "Office closed"
    with pytest.raises(RuleBroken, match="already a non-working day"):
        settings_services.add_non_working_day(db.session, manager, day=day, reason="Again")
    with pytest.raises(RuleBroken, match="already a weekend"):
        settings_services.add_non_working_day(
            db.session, manager, day=day - timedelta(days=2), reason="Sunday"
        )
    assert settings_services.remove_non_working_day(db.session, manager, row.id) == day
    assert db.session.scalars(select(NonWorkingDay)).all() == []
    assert events("settings.non_working_day_added")[0].details["day"] == "2026-12-29"
    assert events("settings.non_working_day_removed")[0].details["reason"] == "Office closed"
    with pytest.raises(NotFound):
        settings_services.remove_non_working_day(db.session, manager, row.id)
