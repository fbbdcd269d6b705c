"""Event notices on a real database (docs/notifications.md, "Notices"): each event tells
exactly the people in the table and nobody else, in the change's own transaction; "waiting"
notices close once the thing is decided; e-mails carry no name. Reassignment: managers only,
an active practitioner only, a reason, an audit event."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from accommodation.models import Placement, PlacementExtension
from accommodation.placements import decision_services as decisions
from accommodation.placements import request_services as requests
from eip.admin import approval_services, user_accounts
from eip.audit import AuditEvent
from eip.cases import assignment, consent_services, referral_steps
from eip.cases.models import Case
from eip.cases.referral_services import record_referral
from eip.clock import today
from eip.domain import NotAllowed, RuleBroken
from eip.extensions import db
from eip.notifications import mail
from eip.notifications.centre import CANCELLED, Notification, unread_count
from tests import factories
from tests import factories_accommodation as fa
from tests import factories_pathway_progress as pf
from tests import factories_pathway_referral as rf

pytestmark = pytest.mark.usefixtures("app_context")


def _kinds(user) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.kind)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def _open(user, kind: str) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(
                Notification.user_id == user.id,
                Notification.kind == kind,
                Notification.closed_at.is_(None),
            )
        )
    )


@pytest.fixture
def people():
    """A practitioner, two managers, Camden's SPOC, Barnet's SPOC and finance."""
    return {
        "practitioner": factories.user("practitioner", name="Pat Fictional"),
        "manager": factories.user("manager"),
        "manager2": factories.user("manager"),
        "spoc": factories.user("spoc", borough_name="Camden"),
        "other_spoc": factories.user("spoc", borough_name="Barnet"),
        "finance": factories.user("finance"),
    }


# ---------------------------------------------------------------------------
# Placement requests and decisions


def test_a_request_tells_its_boroughs_spocs_only(people):
    placement = fa.requested_through_the_service(people["practitioner"])
    (notice,) = _open(people["spoc"], "placement_requested")
    assert notice.placement_id == placement.id and notice.path == f"/placements/{placement.id}"
    assert unread_count(db.session, people["spoc"]) == 1
    for nobody in ("other_spoc", "finance", "manager", "practitioner"):
        assert _kinds(people[nobody]) == [], nobody


def test_an_approval_closes_the_spocs_notice_and_tells_the_practitioner_and_managers(people):
    placement = fa.requested_through_the_service(people["practitioner"])
    decisions.approve(
        db.session,
        people["spoc"],
        placement.id,
        provider="Fictional Lets Ltd",
        address="Flat 2, 10 Example Road",
        rate_pence=6_500,
        nights=14,
        version=placement.version,
    )
    assert _open(people["spoc"], "placement_requested") == []
    assert unread_count(db.session, people["spoc"]) == 0
    (closed,) = db.session.scalars(
        select(Notification).where(Notification.user_id == people["spoc"].id)
    ).all()
    assert closed.close_reason == "dealt" and closed.email_status == CANCELLED
    for told in ("practitioner", "manager", "manager2"):
        assert _kinds(people[told]) == ["placement_approved"], told
    for nobody in ("other_spoc", "finance"):
        assert _kinds(people[nobody]) == [], nobody


@pytest.mark.parametrize(
    ("service", "kind"),
    [
        (decisions.decline, "placement_refused"),
        (decisions.record_no_accommodation, "placement_refused"),
        (decisions.record_pot_exhausted, "placement_pot_exhausted"),
    ],
)
def test_a_refusal_tells_the_practitioner_and_every_manager(people, service, kind):
    placement = fa.requested_through_the_service(people["practitioner"])
    service(db.session, people["spoc"], placement.id, reason="No rooms", version=placement.version)
    assert _open(people["spoc"], "placement_requested") == []
    assert _kinds(people["practitioner"]) == _kinds(people["manager"]) == [kind]
    assert _kinds(people["finance"]) == _kinds(people["other_spoc"]) == []


def test_a_withdrawn_request_closes_the_spocs_notice_and_tells_nobody_else(people):
    placement = fa.requested_through_the_service(people["practitioner"])
    requests.withdraw_request(
        db.session, people["practitioner"], placement.id, reason="Moved", version=placement.version
    )
    assert _open(people["spoc"], "placement_requested") == []
    assert _kinds(people["manager"]) == _kinds(people["practitioner"]) == []


def test_an_extension_waits_for_the_spoc_and_its_decision_is_told(people):
    placement = fa.placement(
        state="checked_in", nights=14, by=people["practitioner"], spoc=people["spoc"]
    )
    extension = decisions.request_extension(
        db.session,
        people["practitioner"],
        placement.id,
        nights=3,
        reason="A housing offer is due",
        version=placement.version,
    )
    assert len(_open(people["spoc"], "extension_requested")) == 1
    assert _kinds(people["other_spoc"]) == []
    decisions.decide_extension(
        db.session,
        people["spoc"],
        extension.id,
        approve=False,
        reason="Over the nights allowed",
        version=db.session.get(Placement, placement.id).version,
    )
    assert db.session.get(PlacementExtension, extension.id).state == "declined"
    assert _open(people["spoc"], "extension_requested") == []
    assert _kinds(people["practitioner"]) == ["extension_declined"]
    assert _kinds(people["manager2"]) == ["extension_declined"]
    assert _kinds(people["finance"]) == []


def test_a_refused_request_writes_no_notice(people):
    case = fa.accommodation_case(people["practitioner"], scenario_plan=False)
    with pytest.raises(RuleBroken):
        requests.request_placement(
            db.session,
            people["practitioner"],
            case,
            move_in_on=None,
            nights=None,
            location_preference="",
            areas_to_avoid="",
            booking_needs="",
            out_of_borough=None,
            out_of_borough_safety="",
            out_of_borough_mitigation="",
            safe_practitioner=False,
            safe_social_worker=False,
            social_worker_name="",
            safety_judged_on=None,
        )
    db.session.rollback()
    assert db.session.scalars(select(Notification)).all() == []


def test_the_email_carries_the_reference_and_link_and_no_name(app, people):
    placement = fa.requested_through_the_service(people["practitioner"])
    case = db.session.get(Case, placement.case_id)
    (notice,) = _open(people["spoc"], "placement_requested")
    message = mail.immediate_mail(notice, people["spoc"].email)
    text = f"{message.subject}\n{message.body}"
    assert case.reference in text and f"/placements/{placement.id}" in text
    for secret in (case.client.full_name, case.partner.full_name, "Pat Fictional", "Mira"):
        assert secret not in text


# ---------------------------------------------------------------------------
# Late referrals, approvals, consent withdrawn


def test_a_late_referral_waits_for_the_managers_until_agreed(people):
    practitioner = people["practitioner"]
    camden = factories.borough("Camden")
    record_referral(
        db.session,
        practitioner,
        rf.details(camden.id, practitioner.id, received_at=rf.london(date(2026, 8, 18), 17, 0)),
    )
    case = db.session.scalar(select(Case))
    assert case.status == "awaiting_late_agreement"
    for manager in ("manager", "manager2"):
        (notice,) = _open(people[manager], "late_referral_waiting")
        assert notice.path == f"/cases/{case.reference}"
    for nobody in ("practitioner", "spoc", "finance"):
        assert _kinds(people[nobody]) == [], nobody
    referral_steps.record_late_agreement(
        db.session,
        people["manager"],
        case,
        decided_on=date(2026, 8, 25),
        cranstoun_agreed_by="Chris Cranstoun",
        respect_agreed_by="Rae Respect",
        camden_agreed_by="Cam Camden",
        support_confirmed=True,
        note=None,
    )
    assert _open(people["manager"], "late_referral_waiting") == []
    assert _open(people["manager2"], "late_referral_waiting") == []


def test_a_role_grant_waits_for_the_managers_until_decided(app, people):
    admin = factories.user("admin")
    with app.test_request_context(method="POST"):
        invited = user_accounts.invite_user(
            db.session,
            admin,
            name="Invited Fictional",
            email="invited@example.org",
            role="practitioner",
            borough_id=None,
        )
    for manager in ("manager", "manager2"):
        (notice,) = _open(people[manager], "approval_waiting")
        assert notice.path == "/admin/approvals" and notice.case_reference is None
    assert _kinds(admin) == _kinds(people["spoc"]) == []
    request = approval_services.approvals(db.session)[0][0]
    assert request.user_id == invited.user_id
    with app.test_request_context(method="POST"):
        approval_services.decide(db.session, people["manager"], request.id, approve=True)
    assert _open(people["manager"], "approval_waiting") == []
    assert _open(people["manager2"], "approval_waiting") == []


def test_a_withdrawn_consent_tells_the_cases_practitioner(people):
    practitioner = people["practitioner"]
    colleague = factories.user("practitioner")
    case = pf.active_case(practitioner)
    client = consent_services.consent_states(db.session, case)[("client", "intervention")].record
    consent_services.withdraw_consent(
        db.session,
        colleague,
        case,
        client.id,
        version=client.version,
        withdrawn_on=today(),
        reason="No longer wishes to",
    )
    (notice,) = _open(practitioner, "consent_withdrawn")
    assert notice.case_reference == case.reference
    assert _kinds(colleague) == [] and _kinds(people["manager"]) == []


# ---------------------------------------------------------------------------
# Reassignment


def _reassign(user, case, to, reason="Caseload balanced"):
    return assignment.reassign(
        db.session, user, case, practitioner_id=to.id if to else None, reason=reason
    )


def test_a_manager_reassigns_an_open_case_and_the_new_practitioner_is_told(people):
    case = pf.active_case(people["practitioner"])
    newcomer = factories.user("practitioner")
    _reassign(people["manager"], case, newcomer)
    assert db.session.get(Case, case.id).allocated_practitioner_id == newcomer.id
    (notice,) = _open(newcomer, "case_reassigned")
    assert notice.case_reference == case.reference
    assert _kinds(people["practitioner"]) == [] and _kinds(people["manager2"]) == []
    (event,) = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.reassigned")
    ).all()
    assert event.actor_id == people["manager"].id and event.reason == "Caseload balanced"
    assert event.details == {
        "from_user_id": people["practitioner"].id,
        "to_user_id": newcomer.id,
    }


@pytest.mark.parametrize("role", ["practitioner", "spoc", "admin", "finance"])
def test_only_managers_reassign(people, role):
    case = pf.active_case(people["practitioner"])
    with pytest.raises(NotAllowed):
        _reassign(factories.user(role), case, factories.user("practitioner"))


@pytest.mark.parametrize("target", ["disabled", "manager", "none"])
def test_the_new_practitioner_must_be_an_active_practitioner(people, target):
    case = pf.active_case(people["practitioner"])
    to = {
        "disabled": factories.user("practitioner", active=False),
        "manager": people["manager2"],
        "none": None,
    }[target]
    with pytest.raises(RuleBroken) as refused:
        _reassign(people["manager"], case, to)
    db.session.rollback()
    assert "practitioner" in refused.value.errors
    assert db.session.get(Case, case.id).allocated_practitioner_id == people["practitioner"].id
    assert db.session.scalars(select(Notification)).all() == []


def test_a_reason_is_required(people):
    case = pf.active_case(people["practitioner"])
    with pytest.raises(RuleBroken) as refused:
        _reassign(people["manager"], case, factories.user("practitioner"), reason="  ")
    db.session.rollback()
    assert refused.value.errors == {"reason": "Enter the reason for reassigning the case"}


def test_disabling_a_practitioner_lists_their_cases_for_the_managers(app, people):
    practitioner = people["practitioner"]
    held = [pf.active_case(practitioner), pf.active_case(practitioner)]
    pf.closed_case(practitioner=practitioner)
    admin = factories.user("admin")
    assert user_accounts.open_cases_held(db.session, practitioner) == 2
    with app.test_request_context(method="POST"):
        user_accounts.disable_user(db.session, admin, practitioner.id)
    for manager in ("manager", "manager2"):
        (notice,) = _open(people[manager], "practitioner_disabled")
        assert notice.case_reference is None and notice.path == "/cases/unassigned"
    assert _kinds(admin) == [] and _kinds(people["spoc"]) == []
    (disabled,) = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "account.disabled")
    ).all()
    assert disabled.details["open_cases"] == 2  # a count, never a reference
    waiting = assignment.without_practitioner(db.session)
    assert {case.id for case in waiting} == {case.id for case in held}
    _reassign(people["manager"], held[0], factories.user("practitioner"))
    assert [case.id for case in assignment.without_practitioner(db.session)] == [held[1].id]


def test_an_invoice_paid_in_full_closes_its_unpaid_reminder_at_once():
    """Part-paid, finance is still reminded; paid in full, the reminder closes with the
    payment, not at the reminders job's next run."""

    from accommodation.finance import services as finance_services
    from eip.clock import now
    from eip.notifications.centre import record_due_reminders

    finance = factories.user("finance")
    invoice = fa.invoice_unpaid_for_40_days(finance, "FL-3001")
    record_due_reminders(db.session, now())
    assert len(_open(finance, "invoice_unpaid")) == 1

    def pay(pence: int, reference: str) -> None:
        finance_services.record_payment(
            db.session,
            finance,
            invoice.id,
            paid_on=today(),
            amount_pence=pence,
            reference=reference,
        )

    pay(30_000, "BACS-1")
    assert len(_open(finance, "invoice_unpaid")) == 1
    pay(35_000, "BACS-2")
    assert _open(finance, "invoice_unpaid") == []
    assert unread_count(db.session, finance) == 0
