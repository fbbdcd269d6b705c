"""Every route, every role: the access policy as a table.

The test walks Flask's URL map, fills parameterised routes from factories, and
asks each role (and an anonymous visitor) for each method. It fails on any
endpoint without a declared rule and on any endpoint missing from EXPECTED, so
a new page cannot ship without saying who may use it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from eip.access import PUBLIC, rule_of
from eip.extensions import db
from eip.roles import Role
from tests import factories

ANON = "anonymous"
ALL_ROLES = {role.value for role in Role}
EVERYONE = ALL_ROLES | {ANON}
SIGNED_IN = ALL_ROLES

# endpoint -> who is let through (for every method the route has).
EXPECTED: dict[str, set[str]] = {
    "main.home": EVERYONE,
    "main.accessibility": EVERYONE,
    "main.healthz": EVERYONE,
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
    "cases.record_consent": {"practitioner"},
    "cases.withdraw_consent": {"practitioner"},
    "cases.close": {"practitioner"},
    "cases.reopen": {"manager"},
    "cases.record_session": {"practitioner"},
    "cases.record_meeting": {"practitioner"},
    "cases.record_incident": {"practitioner"},
    "cases.record_dash": {"practitioner"},
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
    # Accommodation documents: the agreement (P, M), Camden's statement (F, M), the monthly
    # programme report (M).
    "accommodation.agreement_pdf": {"practitioner", "manager"},
    "accommodation.statement_pdf": {"manager", "finance"},
    "reports.monthly_pdf": {"manager"},
    # The stay: the practitioner records each step.
    "accommodation.stay_agreement": {"practitioner"},
    "accommodation.stay_check_in": {"practitioner"},
    "accommodation.stay_return_home_review": {"practitioner"},
    "accommodation.stay_move_out": {"practitioner"},
    "accommodation.stay_cancel": {"practitioner"},
}


@pytest.fixture
def loose_app(make_app):
    """The real app with CSRF off, so that refused POSTs are told apart from bad tokens."""
    return make_app(WTF_CSRF_ENABLED=False, EIP_SIGN_IN_ATTEMPTS_PER_ADDRESS=100_000)


@pytest.fixture
def url_values(app_context):
    """Values for every URL parameter, from factories (the SPOC belongs to Camden)."""
    case = factories.case("Camden")
    target = factories.user("finance")
    values = {
        "reference": case.reference,
        "token": "no-such-token",
        "user_id": target.id,
        "borough_id": factories.borough("Camden").id,
        "filename": "css/eip.min.css",
        "approval_id": 1,
        "day_id": 1,
        "referral_id": 1,
        "consent_id": 1,
        "action_id": 1,
        "meeting_id": 1,
        "placement_id": 1,
        "extension_id": 1,
        "invoice_id": 1,
        "entry_id": 1,
        "notification_id": 1,
        "extract_id": 1,
    }
    db.session.commit()
    return values


def accounts(app_context):
    made = {}
    for role in Role:
        user = factories.user(role.value)
        made[role.value] = user.email
    db.session.commit()
    return made


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
    if response.status_code == 403:
        return "refused"
    # @requires sends anonymous visitors to sign in, saying where they were going.
    if response.status_code in (301, 302, 303) and response.headers.get("Location", "").startswith(
        "/sign-in?next="
    ):
        return "refused"
    return "allowed"


def test_each_role_is_allowed_or_refused_exactly_as_the_table_says(
    loose_app, app_context, url_values
):
    emails = accounts(app_context)
    mismatches = []
    for rule in loose_app.url_map.iter_rules():
        url = rule.build(url_values, append_unknown=False)[1]
        methods = sorted(rule.methods & {"GET", "POST"})
        for who in sorted(EVERYONE):
            for method in methods:
                client = loose_app.test_client()
                if who != ANON:
                    signed = client.post(
                        "/sign-in", data={"email": emails[who], "password": factories.PASSWORD}
                    )
                    assert signed.status_code == 302, who
                response = client.open(url, method=method)
                outcome = _outcome(response)
                response.close()
                wanted = "allowed" if who in EXPECTED[rule.endpoint] else "refused"
                if outcome != wanted:
                    mismatches.append(
                        f"{method} {rule.rule} as {who}: {outcome}, expected {wanted}"
                    )
    assert mismatches == []


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
