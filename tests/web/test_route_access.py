"""Every route, every role: the access policy as a table.

The test walks Flask's URL map, fills every parameterised route with a real
object (a case, a placement, an invoice, an extract, a user ...) that the SPOC's
borough owns, and asks each role (and an anonymous visitor) for each method. A
role is allowed or refused exactly as EXPECTED says; a 404 (the object exists)
or any 5xx fails the walk, whoever asked. It also fails on any endpoint without
a declared rule and on any endpoint missing from EXPECTED, so a new page cannot
ship without saying who may use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from accommodation.models import LedgerEntry, PlacementExtension
from eip.access import PUBLIC, rule_of
from eip.admin.models import ApprovalRequest, NonWorkingDay
from eip.auth.models import User
from eip.cases.models import Person
from eip.cases.records import (
    CaseAction,
    CaseNote,
    Child,
    Consent,
    DashReview,
    MaracReferral,
    OnwardReferral,
    PartnerSupportContact,
    ProfessionalsMeeting,
    SafetyPlan,
)
from eip.clock import today
from eip.extensions import db
from eip.notifications.centre import Notification
from eip.privacy.models import DataRequest
from eip.privacy.retention_models import RetentionHold
from eip.privacy.statutory import due_date
from eip.privacy.subject_access import SubjectAccessRequest
from eip.roles import Role
from tests import factories
from tests import factories_accommodation as fa
from tests import factories_evaluation as fe
from tests import factories_pathway_progress as pf

ANON = "anonymous"
ALL_ROLES = {role.value for role in Role}
EVERYONE = ALL_ROLES | {ANON}
SIGNED_IN = ALL_ROLES

# endpoint -> who is let through (for every method the route has).
EXPECTED: dict[str, set[str]] = {
    "main.home": EVERYONE,
    "main.accessibility": EVERYONE,
    "main.healthz": EVERYONE,
    "main.work_list": {"practitioner"},
    "static": EVERYONE,
    "auth.sign_in": EVERYONE,
    "auth.security_code": EVERYONE,
    "auth.request_reset": EVERYONE,
    "auth.reset_password": EVERYONE,
    "auth.accept_invitation": EVERYONE,
    "auth.sign_out": SIGNED_IN,
    "auth.account": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.enrol_two_factor": SIGNED_IN,
    "auth.enrolment_code": SIGNED_IN,
    "cases.index": {"practitioner", "manager", "spoc"},
    "cases.view": {"practitioner", "manager", "spoc"},
    # A case's whole access log: whoever sees it on the case page.
    "cases.access_log_full": {"practitioner", "manager"},
    # Finding a case by name or date of birth: only the roles that see client names.
    "cases.search": {"practitioner", "manager"},
    "audit.search": {"manager"},
    "audit.account_events": {"manager", "admin"},
    "admin.users": {"admin"},
    "admin.boroughs": {"admin"},
    "admin.approvals": {"manager"},
    "admin.settings": {"manager"},
    "admin.user": {"admin"},
    "admin.user_invite": {"admin"},
    "admin.user_edit": {"admin"},
    "admin.user_disable": {"admin"},
    "admin.user_enable": {"admin"},
    "admin.user_reset_two_factor": {"admin"},
    "admin.user_unlock": {"admin"},
    "admin.user_send_invitation": {"admin"},
    "admin.user_send_reset": {"admin"},
    "admin.user_send_two_factor_code": {"admin"},
    "admin.borough": {"admin"},
    "admin.borough_add": {"admin"},
    "admin.borough_set_active": {"admin"},
    "admin.approval": {"manager"},
    "admin.settings_edit": {"manager"},
    "admin.settings_add_day": {"manager"},
    "admin.settings_remove_day": {"manager"},
    # The case pathway: practitioners run it; managers decide late referrals and reopen.
    "cases.new_referral": {"practitioner"},
    "cases.acknowledge": {"practitioner"},
    "cases.late_referral": {"manager"},
    "cases.edit_referral": {"practitioner"},
    "cases.partner": {"practitioner", "manager"},
    "cases.book_consultation": {"practitioner"},
    "cases.record_consultation": {"practitioner"},
    "cases.add_plan_action": {"practitioner"},
    "cases.add_onward_referral": {"practitioner"},
    "cases.update_onward_referral": {"practitioner"},
    "cases.scenario_plan": {"practitioner"},
    "cases.add_safety_plan": {"practitioner"},
    # Children, written by practitioners like the rest of the pathway.
    "cases.add_child": {"practitioner"},
    "cases.change_child": {"practitioner"},
    "cases.remove_child": {"practitioner"},
    "cases.change_safety_plan": {"practitioner"},
    "cases.record_outcomes": {"practitioner"},
    "cases.record_consents": {"practitioner"},
    "cases.withdraw_consent": {"practitioner"},
    "cases.close": {"practitioner"},
    "cases.reopen": {"manager"},
    # Managers reassign cases, and list the open cases with no active practitioner.
    "cases.reassign": {"manager"},
    "cases.unassigned": {"manager"},
    "cases.record_session": {"practitioner"},
    "cases.record_meeting": {"practitioner"},
    "cases.record_incident": {"practitioner"},
    "cases.record_dash": {"practitioner"},
    "cases.record_note": {"practitioner"},
    "cases.record_partner_support": {"practitioner"},
    "cases.add_action": {"practitioner"},
    "cases.complete_action": {"practitioner"},
    # Evaluation: managers prepare, release and withdraw; evaluators see released extracts
    # and the figures built from them (the service refuses anything unreleased).
    "evaluation.index": {"manager", "evaluator"},
    "evaluation.prepare": {"manager"},
    "evaluation.extract": {"manager"},
    "evaluation.release": {"manager"},
    "evaluation.withdraw": {"manager"},
    "evaluation.download": {"manager", "evaluator"},
    "evaluation.figures": {"manager", "evaluator"},
    "evaluation.figures_csv": {"manager", "evaluator"},
    # Everyone's own notifications and reminder e-mail choice.
    "notifications.index": SIGNED_IN,
    "notifications.mark_read": SIGNED_IN,
    "notifications.mark_all_read": SIGNED_IN,
    "notifications.email_preference": SIGNED_IN,
    # Case documents carry personal data: Cranstoun and Respect/SafeLives staff only.
    "cases.acknowledgement_pdf": {"practitioner", "manager"},
    "cases.plan_pdf": {"practitioner", "manager"},
    "cases.meeting_pack_pdf": {"practitioner", "manager"},
    "cases.minutes_pdf": {"practitioner", "manager"},
    "cases.closure_summary_pdf": {"practitioner", "manager"},
    "cases.marac_pack_pdf": {"practitioner", "manager"},
    # Each document's accessible web page: whoever may download its PDF.
    "cases.acknowledgement_page": {"practitioner", "manager"},
    "cases.plan_page": {"practitioner", "manager"},
    "cases.meeting_pack_page": {"practitioner", "manager"},
    "cases.minutes_page": {"practitioner", "manager"},
    "cases.closure_summary_page": {"practitioner", "manager"},
    "cases.marac_pack_page": {"practitioner", "manager"},
    # Practitioners prepare the MARAC referral and record it as sent.
    "cases.prepare_marac": {"practitioner"},
    "cases.marac_sent": {"practitioner"},
    # Placements: the practitioner requests, the borough's SPOC decides; finance sees approved
    # placements (without names).
    "accommodation.placements": {"practitioner", "manager", "spoc", "finance"},
    "accommodation.placement": {"practitioner", "manager", "spoc", "finance"},
    "accommodation.request_placement": {"practitioner"},
    "accommodation.withdraw": {"practitioner"},
    "accommodation.client_declined": {"practitioner"},
    "accommodation.approve": {"spoc"},
    "accommodation.decline": {"spoc"},
    "accommodation.no_accommodation": {"spoc"},
    "accommodation.pot_exhausted": {"spoc"},
    "accommodation.request_extension": {"practitioner"},
    "accommodation.decide_extension": {"spoc"},
    "accommodation.add_commitment": {"spoc"},
    "accommodation.reverse_commitment": {"spoc"},
    # The money: everyone who works with placements sees the budget (a SPOC only their own
    # borough's rows); Camden finance records invoices and payments.
    "accommodation.budget": {"practitioner", "manager", "spoc", "finance"},
    "accommodation.budget_placements_csv": {"manager", "finance"},
    "accommodation.budget_months_csv": {"manager", "finance"},
    "accommodation.invoice_new": {"finance"},
    "accommodation.payment_new": {"finance"},
    "accommodation.reverse_entry": {"finance"},
    "accommodation.invoices": {"finance"},
    "accommodation.invoice_choose": {"finance"},
    # Accommodation documents: the agreement (P, M), Camden's statement (F, M), the monthly
    # programme report (M).
    "accommodation.agreement_pdf": {"practitioner", "manager"},
    "accommodation.statement_pdf": {"manager", "finance"},
    "reports.monthly_pdf": {"manager"},
    "accommodation.agreement_page": {"practitioner", "manager"},
    "accommodation.statement_page": {"manager", "finance"},
    "reports.monthly_page": {"manager"},
    # The manager's live dashboard and the cases behind each figure.
    "dashboard.index": {"manager"},
    "dashboard.cases": {"manager"},
    # Rectification and erasure requests: practitioners record them, managers decide.
    "privacy.index": {"practitioner", "manager"},
    "privacy.new": {"practitioner", "manager"},
    "privacy.view": {"practitioner", "manager"},
    "privacy.decide": {"manager"},
    # The retention review: managers confirm what is past retention and place legal holds.
    "retention.review_page": {"manager"},
    "retention.confirm": {"manager"},
    "retention.place_hold": {"manager"},
    "retention.remove_hold": {"manager"},
    "privacy.corrected": {"practitioner", "manager"},
    # The stay: the practitioner records each step.
    "accommodation.stay_agreement": {"practitioner"},
    "accommodation.stay_check_in": {"practitioner"},
    "accommodation.stay_return_home_review": {"practitioner"},
    "accommodation.stay_move_out": {"practitioner"},
    "accommodation.stay_cancel": {"practitioner"},
    # Subject access requests (eip/privacy/): managers only.
    "subject_access.index": {"manager"},
    "subject_access.new": {"manager"},
    "subject_access.pack": {"manager"},
    "subject_access.pack_page": {"manager"},
    "subject_access.complete": {"manager"},
}


@pytest.fixture
def loose_app(make_app):
    """The real app with CSRF off, so that refused POSTs are told apart from bad tokens."""
    return make_app(WTF_CSRF_ENABLED=False, EIP_SIGN_IN_ATTEMPTS_PER_ADDRESS=100_000)


@dataclass
class World:
    """Accounts for every role and real objects in Camden (the SPOC's borough) for every URL
    parameter: `values` fill any rule; `overrides` give an endpoint the object its page is
    about (a closed case to reopen, a request waiting for the SPOC); `own` gives each role
    its own notification."""

    emails: dict[str, str]
    values: dict[str, object]
    overrides: dict[str, dict[str, object]] = field(default_factory=dict)
    own: dict[str, dict[str, object]] = field(default_factory=dict)

    def url(self, rule, who: str, **replaced: object) -> str:
        """The rule filled with real objects, or with `replaced` values (bad input)."""
        values = {
            **self.values,
            **self.overrides.get(rule.endpoint, {}),
            **self.own.get(who, {}),
            **replaced,
        }
        return rule.build(values, append_unknown=False)[1]


def _notification(user) -> Notification:
    notification = Notification(
        user_id=user.id,
        kind="acknowledgement_overdue",
        topic="acknowledgement_overdue",
        subject=f"route-walk:{user.id}",
        dedupe_key=f"route-walk|{user.id}",
        due_on=today(),
    )
    db.session.add(notification)
    db.session.flush()
    return notification


def _newest_entry(**links) -> LedgerEntry:
    query = select(LedgerEntry).order_by(LedgerEntry.id.desc())
    for name, value in links.items():
        query = query.where(getattr(LedgerEntry, name) == value)
    return db.session.scalars(query).first()


def _marac_referral(case) -> MaracReferral:
    """A MARAC referral prepared from a review that met MARAC (not sent: its page is open)."""
    review = DashReview(
        case_id=case.id,
        completed_on=today(),
        answers={str(n): "yes" for n in range(1, 25)},
        score=24,
        risk_level="high",
        marac=True,
        high_risk_threshold=10,
        marac_threshold=14,
    )
    db.session.add(review)
    db.session.flush()
    referral = MaracReferral(
        case_id=case.id,
        dash_review_id=review.id,
        reasons="Visible high risk",
        agencies_involved="Police",
        partner_aware="yes",
        referrer_phone="020 7946 0000",
    )
    db.session.add(referral)
    db.session.commit()
    return referral


@pytest.fixture
def world(app, app_context) -> World:
    from accommodation.finance import services as finance
    from accommodation.placements import commitment_services as commitments
    from eip.admin import user_accounts
    from eip.auth import tokens
    from evaluation import services as evaluation

    accounts = {role.value: factories.user(role.value) for role in Role}
    spoc, manager = accounts["spoc"], accounts["manager"]

    # The pathway: an active case with a consent, a meeting, an onward referral, an action, a
    # sensitive case note and a partner support contact; a closed case.
    case = fa.accommodation_case(accounts["practitioner"])
    consent = db.session.scalars(select(Consent).where(Consent.case_id == case.id)).first()
    meeting = ProfessionalsMeeting(case_id=case.id, held_on=today(), attendees="Practitioner")
    referral = OnwardReferral(case_id=case.id, agency="idva", referred_on=today(), status="made")
    action = CaseAction(case_id=case.id, kind="other", description="Phone the social worker")
    note = CaseNote(
        case_id=case.id,
        noted_on=today(),
        contact="attempted",
        method="text_message",
        outcome="No reply to the text about the next session",
        sensitive=True,
    )
    support = PartnerSupportContact(
        case_id=case.id,
        contacted_on=today(),
        made_by="Jess Fictional (partner support worker)",
        with_whom="support_worker",
        contact="made",
        method="video",
        outcome="Safety plan reviewed with the partner's support worker",
        risk_change="decreased",
        onward_support="Signposted to a local support group",
    )
    db.session.add_all([meeting, referral, action, note, support])
    db.session.commit()
    marac = _marac_referral(case)
    safety_plan = SafetyPlan(case_id=case.id, person="partner", risks="Fictional risks", steps=[])
    child = Child(case_id=case.id, position=1, age_years=7)
    db.session.add_all([safety_plan, child])
    db.session.commit()
    closed = pf.closed_case()

    # Placements: a request waiting for the SPOC, an approved one, and a stay with an
    # extension asked for, a commitment the SPOC added and an invoice.
    requested = fa.placement(state="requested", nights=7)
    approved = fa.placement(state="approved", nights=7, spoc=spoc)
    stay = fa.placement(state="checked_in", nights=14, spoc=spoc)
    extension = PlacementExtension(placement_id=stay.id, nights=3, reason="Housing offer soon")
    db.session.add(extension)
    stay.decided_at = datetime.now(UTC) - timedelta(days=12)
    db.session.commit()
    db.session.refresh(stay)
    commitments.add_commitment(
        db.session, spoc, stay.id, amount_pence=1_000, reason="A deposit", version=stay.version
    )
    added = _newest_entry(placement_id=stay.id, kind="commit")
    invoice = finance.record_invoice(
        db.session,
        accounts["finance"],
        stay.id,
        supplier="Fictional Lets Ltd",
        number="INV-1",
        invoice_date=today(),
        first_night=stay.start_on,
        last_night=stay.start_on + timedelta(days=6),
        amount_pence=7 * fa.RATE,
    )
    invoiced = _newest_entry(invoice_id=invoice.id)

    # Evaluation: an extract of six referrals, released.
    fe.many(6)
    extract = evaluation.prepare(
        db.session, manager, start=today() - timedelta(days=60), end=today(), config=app.config
    )
    evaluation.release(db.session, manager, extract.id, config=current_app.config)

    # Administration: another user, a request the admin made waiting for a manager, a
    # non-working day, and live invitation and reset links.
    target = factories.user("finance")
    with app.test_request_context(method="POST"):  # the invitation e-mail carries a link
        invited = user_accounts.invite_user(
            db.session,
            accounts["admin"],
            name="Invited Fictional",
            email="invited@example.org",
            role="practitioner",
            borough_id=None,
        )
    approval = db.session.scalars(
        select(ApprovalRequest).where(ApprovalRequest.user_id == invited.user_id)
    ).one()
    day = NonWorkingDay(day=today() + timedelta(days=40), reason="Fictional closure")
    db.session.add(day)
    subject = Person(full_name="Fictional Subject", name_key="fictional subject")
    db.session.add(subject)
    db.session.flush()
    access_request = SubjectAccessRequest(
        person_id=subject.id,
        case_id=case.id,
        role="client",
        requested_by="Themselves",
        received_on=today(),
        due_on=due_date(today()),
    )
    db.session.add(access_request)
    reset_token = tokens.issue(db.session, factories.user("evaluator"), "reset")
    invite_token = tokens.issue(db.session, db.session.get(User, invited.user_id), "invite")
    own = {who: {"notification_id": _notification(user).id} for who, user in accounts.items()}
    data_request = DataRequest(
        case_id=case.id,
        person_role="client",
        asked_by="client",
        kind="rectification",
        what="Fictional: their phone number is wrong",
        received_on=today(),
        due_on=today() + timedelta(days=30),
    )
    db.session.add(data_request)
    hold = RetentionHold(case_id=closed.id, reason="Fictional: proceedings under way")
    db.session.add(hold)
    db.session.commit()

    deciding = {"placement_id": requested.id}
    return World(
        emails={who: user.email for who, user in accounts.items()},
        values={
            "reference": case.reference,
            "user_id": target.id,
            "borough_id": case.borough_id,
            "filename": "css/eip.min.css",
            "approval_id": approval.id,
            "day_id": day.id,
            "referral_id": referral.id,
            "consent_id": consent.id,
            "marac_id": marac.id,
            "person": "client",
            "action_id": action.id,
            "meeting_id": meeting.id,
            "plan_id": safety_plan.id,
            "point": "intake",
            "child_id": child.id,
            "placement_id": stay.id,
            "extension_id": extension.id,
            "invoice_id": invoice.id,
            "entry_id": invoiced.id,
            "extract_id": extract.id,
            "request_id": data_request.id,
            "hold_id": hold.id,
            "figure": "referrals",
            # Anonymous visitors have no notifications; theirs is refused before any lookup.
            "notification_id": own["admin"]["notification_id"],
        },
        overrides={
            "cases.reopen": {"reference": closed.reference},
            "cases.closure_summary_pdf": {"reference": closed.reference},
            "cases.closure_summary_page": {"reference": closed.reference},
            "accommodation.approve": deciding,
            "accommodation.decline": deciding,
            "accommodation.no_accommodation": deciding,
            "accommodation.pot_exhausted": deciding,
            "accommodation.withdraw": deciding,
            "accommodation.client_declined": deciding,
            "accommodation.stay_agreement": {"placement_id": approved.id},
            "accommodation.agreement_pdf": {"placement_id": approved.id},
            "accommodation.agreement_page": {"placement_id": approved.id},
            "accommodation.reverse_commitment": {"entry_id": added.id},
            "auth.reset_password": {"token": reset_token},
            "auth.accept_invitation": {"token": invite_token},
            # Data requests and subject access requests are both `request_id`.
            "subject_access.pack": {"request_id": access_request.id},
            "subject_access.pack_page": {"request_id": access_request.id},
            "subject_access.complete": {"request_id": access_request.id},
        },
        own=own,
    )


def test_every_endpoint_declares_its_access_rule(app):
    missing = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and rule_of(view) is None
    ]
    assert missing == [], f"endpoints without @requires/@public: {missing}"


def test_every_endpoint_is_in_the_expected_table(app):
    unknown = sorted(set(app.view_functions) - set(EXPECTED))
    assert unknown == [], f"add these endpoints to EXPECTED: {unknown}"


def test_public_endpoints_are_exactly_the_ones_expected_to_be_open(app):
    public = {e for e, view in app.view_functions.items() if rule_of(view) == PUBLIC}
    expected_open = {e for e, who in EXPECTED.items() if ANON in who} - {"static"}
    assert public == expected_open


def _outcome(response) -> str:
    if response.status_code >= 500:
        return f"a server error ({response.status_code})"
    if response.status_code == 404:
        # Every parameter names a real object this role may see: not found is a fault.
        return "not found"
    if response.status_code == 403:
        return "refused"
    # @requires sends anonymous visitors to sign in, saying where they were going.
    if response.status_code in (301, 302, 303) and response.headers.get("Location", "").startswith(
        "/sign-in?next="
    ):
        return "refused"
    return "allowed"


def test_each_role_is_allowed_or_refused_exactly_as_the_table_says(loose_app, world):
    mismatches = []
    for rule in loose_app.url_map.iter_rules():
        methods = sorted(rule.methods & {"GET", "POST"})
        for who in sorted(EVERYONE):
            url = world.url(rule, who)
            for method in methods:
                client = loose_app.test_client()
                if who != ANON:
                    signed = client.post(
                        "/sign-in",
                        data={"email": world.emails[who], "password": factories.PASSWORD},
                    )
                    assert signed.status_code == 302, who
                response = client.open(url, method=method)
                outcome = _outcome(response)
                response.close()
                wanted = "allowed" if who in EXPECTED[rule.endpoint] else "refused"
                if outcome != wanted:
                    mismatches.append(f"{method} {url} as {who}: {outcome}, expected {wanted}")
    assert mismatches == []


def test_the_walk_fills_every_parameter_with_a_real_object(loose_app, world):
    """No rule is left with a made-up id: each parameter has a value from the world."""
    for rule in loose_app.url_map.iter_rules():
        for who in sorted(EVERYONE):
            assert "None" not in world.url(rule, who).split("/"), rule.rule
    parameters = {name for rule in loose_app.url_map.iter_rules() for name in rule.arguments}
    assert parameters - {"token"} <= set(world.values)
    for endpoint in ("auth.reset_password", "auth.accept_invitation"):
        assert "token" in world.overrides[endpoint]


def test_a_refusal_is_audited(loose_app, app_context):
    from eip.audit import AuditEvent

    user = factories.user("evaluator")
    email = user.email
    db.session.commit()
    client = loose_app.test_client()
    client.post("/sign-in", data={"email": email, "password": factories.PASSWORD})
    assert client.get("/admin/users").status_code == 403
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "access.refused"))
    assert event.details["endpoint"] == "admin.users"
