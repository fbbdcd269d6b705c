"""Plain-English names for audit actions and their details, for the trail and access-log pages.

Nothing internal reaches a page: every action, every field name an event can list, every
detail it shows and every value of those details has a label here
(`tests/unit/test_audit_labels.py` walks what the code can write and fails on a raw name).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from eip.formatting import format_pence, long_date
from eip.roles import ROLE_LABELS, Role

ACTION_LABELS = {
    "auth.sign_in": "Signed in",
    "auth.sign_out": "Signed out",
    "auth.sign_in_failed": "Failed sign-in",
    "auth.sign_in_locked": "Sign-in refused: locked",
    "auth.two_factor_failed": "Wrong security code",
    "access.refused": "Access refused",
    "account.bootstrap": "Account created on the server",
    "account.invited": "Invited",
    "account.updated": "Account changed",
    "account.disabled": "Account disabled",
    "account.enabled": "Account enabled",
    "account.unlocked": "Sign-in unlocked",
    "account.two_factor_enabled": "Two-factor sign-in turned on",
    "account.two_factor_reset": "Two-factor sign-in reset",
    "account.two_factor_code_sent": "Two-factor set-up code sent",
    "account.two_factor_code_used": "Two-factor set-up code used",
    "account.two_factor_code_failed": "Wrong two-factor set-up code",
    "account.password_changed": "Password changed",
    "account.password_change_failed": "Wrong current password when changing it",
    "account.password_set_by_invite": "Password chosen from invitation",
    "account.password_set_by_reset": "Password reset",
    "account.reset_requested": "Password reset requested",
    "account.reset_sent": "Password reset link sent",
    "account.approval_requested": "Approval requested",
    "account.approval_approved": "Approved",
    "account.approval_rejected": "Approval refused",
    "account.approval_cancelled": "Approval request withdrawn",
    "account.invitation_resent": "Invitation sent again",
    "borough.created": "Borough added",
    "borough.updated": "Borough changed",
    "settings.updated": "Programme settings changed",
    "backup.made": "Backed up the whole database on the server",
    "settings.non_working_day_added": "Non-working day added",
    "settings.non_working_day_removed": "Non-working day removed",
    "case.viewed": "Viewed the case",
    "case.searched": "Searched for cases (what was typed is not kept)",
    "case.partner_viewed": "Viewed the partner's details",
    "case.acknowledged": "Acknowledged the referral",
    "case.late_referral_agreed": "Recorded the late-referral agreement",
    "case.late_referral_refused": "Recorded the late-referral refusal",
    "case.imported": "Imported the referral",
    "case.consultation_booked": "Booked the consultation",
    "case.consultation_rebooked": "Rebooked the consultation",
    "case.consultation_recorded": "Recorded the consultation and plan",
    "case.plan_action_added": "Added a plan action",
    "case.onward_referral_added": "Added an onward referral",
    "case.onward_referral_updated": "Updated an onward referral",
    "case.child_added": "Added a child",
    "case.child_updated": "Changed a child's details",
    "case.child_removed": "Removed a child",
    "case.scenario_plan_recorded": "Wrote the scenario plan",
    "case.scenario_plan_updated": "Changed the scenario plan",
    "case.consent_recorded": "Recorded a consent",
    "case.consent_withdrawn": "Recorded a consent withdrawal",
    "case.intervention_started": "Intervention started",
    "case.closed": "Closed the case",
    "case.anonymised": "Anonymised the case",
    "privacy.request_recorded": "Recorded a rectification or erasure request",
    "privacy.request_decided": "Decided a rectification or erasure request",
    "privacy.request_done": "Recorded a requested correction as made",
    "case.reopened": "Reopened the case",
    "case.reassigned": "Reassigned the case",
    "case.session_recorded": "Recorded a session",
    "case.meeting_recorded": "Recorded a professionals meeting",
    "case.incident_recorded": "Recorded an incident",
    "case.dash_recorded": "Recorded a DASH review",
    "case.marac_prepared": "Prepared a MARAC referral",
    "case.marac_sent": "Recorded a MARAC referral as sent",
    "case.action_added": "Added an action",
    "case.action_completed": "Completed an action",
    "case.action_not_needed": "Closed an action as no longer needed",
    "case.outcome_recorded": "Recorded outcome measures",
    "case.outcome_updated": "Changed outcome measures",
    "case.safety_plan_recorded": "Wrote a safety plan",
    "case.safety_plan_updated": "Changed a safety plan",
    "case.safety_plan_reviewed": "Reviewed a safety plan at a professionals meeting",
    "case.note_recorded": "Recorded a case note or contact with the client",
    "case.partner_support_recorded": "Recorded a partner support contact",
    "case.created": "Created the case",
    "case.updated": "Changed the case",
    "document.downloaded": "Downloaded a document",
    "document.viewed_as_page": "Viewed a document as a web page",
    "subject_access.recorded": "Subject access request recorded",
    "subject_access.completed": "Subject access request completed",
    "subject_access.pack_downloaded": "Downloaded a subject access pack",
    "subject_access.pack_viewed": "Viewed a subject access pack as a web page",
    "placement.requested": "Requested temporary accommodation",
    "placement.approved": "Approved a placement",
    "placement.declined": "Declined a placement request",
    "placement.withdrawn": "Withdrew a placement request",
    "placement.client_declined": "Recorded that the client declined the accommodation",
    "placement.no_accommodation": "Recorded that no accommodation could be found",
    "placement.pot_exhausted": "Recorded that the accommodation money had run out",
    "placement.extension_requested": "Asked for an extension",
    "placement.extension_approved": "Approved an extension",
    "placement.extension_declined": "Declined an extension",
    "placement.commitment_added": "Added a commitment",
    "placement.commitment_reversed": "Reversed a commitment",
    "placement.agreement_signed": "Recorded the signed accommodation agreement",
    "placement.checked_in": "Recorded the check-in",
    "placement.return_home_review_recorded": "Recorded the return-home review",
    "placement.moved_out": "Recorded the move-out",
    "placement.cancelled": "Cancelled a placement",
    "placement.spoc_notified": "Told the SPOC that accommodation consent was withdrawn",
    "placement.invoice_recorded": "Recorded an invoice",
    "placement.payment_recorded": "Recorded a payment",
    "placement.entry_reversed": "Reversed a ledger entry",
    "budget.exported": "Downloaded a budget export",
    "evaluation.prepared": "Prepared an evaluation extract",
    "evaluation.released": "Released an evaluation extract",
    "evaluation.withdrawn": "Withdrew an evaluation extract",
    "evaluation.downloaded": "Downloaded an evaluation extract",
    "evaluation.figures_downloaded": "Downloaded the programme figures",
    "retention.hold_placed": "Placed a legal hold (kept past retention)",
    "retention.hold_removed": "Removed a legal hold",
    "retention.case_anonymised": "Anonymised the case after the retention review",
    "retention.viewed": "Viewed the cases past retention",
    "notification.mail_unconfirmed": "Reminder e-mail unconfirmed (not sent again)",
}


# The names of the fields an event lists as changed ("fields") or the settings it changed
# ("changes"): the case, its people, its records, placements, accounts and settings.
FIELD_LABELS = {
    # A rectification or erasure request.
    "what": "what was asked",
    "decision": "decision",
    "done_at": "when it was carried out",
    # The late referral's agreement (named only when anonymised).
    "cranstoun_agreed_by": "agreed for Cranstoun by",
    "respect_agreed_by": "agreed for Respect by",
    "camden_agreed_by": "agreed for Camden by",
    # The referral.
    "received_at": "date and time received",
    "late_referral": "late referral",
    "borough_id": "referring borough",
    "practitioner_id": "allocated practitioner",
    "referrer_name": "referrer's name",
    "referrer_team": "referrer's team",
    "referrer_email": "referrer's e-mail address",
    "referrer_phone": "referrer's phone number",
    "client_name": "client's name",
    "client_date_of_birth": "client's date of birth",
    "client_gender": "client's gender",
    "client_ethnicity": "client's ethnic group",
    "client_disability": "client's disability",
    "client_sexual_orientation": "client's sexual orientation",
    "client_language": "client's language",
    "client_interpreter": "client's interpreter need",
    "client_address": "client's address",
    "client_phone": "client's phone number",
    "client_email": "client's e-mail address",
    "client_safe_contact": "client's safe contact arrangements",
    "partner_name": "partner's name",
    "partner_date_of_birth": "partner's date of birth",
    "partner_gender": "partner's gender",
    "partner_ethnicity": "partner's ethnic group",
    "partner_disability": "partner's disability",
    "partner_sexual_orientation": "partner's sexual orientation",
    "partner_age_band": "partner's age band",
    "partner_relationship": "relationship to the partner",
    "partner_living_together": "living together",
    "partner_address": "partner's address",
    "partner_phone": "partner's phone number",
    "partner_email": "partner's e-mail address",
    "partner_safe_contact_times": "partner's safe contact times",
    "partner_code_word": "code word",
    "children_count": "number of children",
    "children_ages": "children's ages",
    "age_years": "child's age",
    "age_band": "child's age band",
    "lives_with": "who the child lives with",
    "school_known": "school or nursery known",
    "needs_review": "needs-review flag",
    "childrens_services_status": "children's services involvement",
    "police_callouts_12_months": "police call-outs in the last 12 months",
    "previous_abuse": "previous abuse",
    "separation": "separation",
    "pregnancy": "pregnancy",
    "substance_use": "substance use",
    "mental_health": "mental health",
    "weapons": "weapons",
    "dash_score": "DASH score at referral",
    "reason_for_referral": "reason for the referral",
    "what_has_been_tried": "what has been tried",
    # Acknowledgement, the late decision, the consultation and plan.
    "acknowledged_at": "date acknowledged",
    "acknowledgement_method": "how the referrer was told",
    "scheduled_for": "consultation date and time",
    "medium": "how the consultation is held",
    "attendees": "who attends",
    "held_on": "date held",
    "outcome": "outcome",
    "advice": "advice given",
    "plan_risks": "risks in the plan",
    "plan_protective_factors": "protective factors in the plan",
    "plan": "scenario plan",
    "description": "description",
    "owner": "who does it",
    "due_on": "due date",
    "agency": "agency",
    "agency_name": "agency's name",
    "referred_on": "date referred",
    "note": "note",
    # Consent.
    "person_role": "whose consent",
    "kind": "kind",
    "state": "state",
    "recorded_on": "date recorded",
    "obtained_by": "who obtained it",
    "how": "how it was given",
    "withdrawn_on": "date withdrawn",
    "withdrawal_reason": "reason for withdrawal",
    "intervention_started_on": "intervention start date",
    # Sessions, meetings, incidents, DASH reviews and actions.
    "duration_minutes": "length in minutes",
    "attendance": "attendance",
    "themes": "themes",
    "notes": "notes",
    "progress": "progress",
    "risk_update": "risk update",
    "protective_steps": "protective steps",
    "adults_risks_reviewed": "risks to adults reviewed",
    "children_risks_reviewed": "risks to children reviewed",
    "actions": "actions agreed",
    "occurred_on": "date it happened",
    # Outcome measures (eip/cases/outcome_measures.json).
    "measured_on": "date the measures were taken",
    "client_physical": "physical harm",
    "client_sexual": "sexual harm",
    "client_coercive": "coercive and controlling behaviour",
    "client_emotional": "emotional and verbal abuse",
    "client_economic": "economic abuse",
    "client_stalking": "stalking and harassment",
    "client_technology": "abuse through technology",
    "client_children": "harm directed at the children",
    "partner_source": "whether the partner was asked",
    "partner_feels_safe": "how safe the partner feels",
    "partner_abuse_frequency": "abuse in the partner's report",
    "partner_quality_of_life": "the partner's quality of life",
    "children_exposure": "the children's exposure",
    # Safety plans ("protective_steps" is above).
    "risks": "risks",
    "steps": "who does what by when",
    "agencies": "agencies involved",
    "safe_contact": "safe contact arrangements",
    "change": "what changed",
    "source": "how it came to light",
    "response": "response",
    "answers": "DASH answers",
    "completed_on": "date completed",
    "professional_judgement_high": "high risk by professional judgement",
    "professional_judgement": "professional judgement of the risk",
    "escalation_incidents": "incidents counted for escalation",
    "judgement_note": "reason for the professional judgement",
    "completed_at": "date completed",
    "completed_by_id": "who completed it",
    "resolution": "what became of it",
    # The MARAC referral (the referrer's phone is the referral's label above).
    "reasons": "reasons for the referral",
    "agencies_involved": "agencies involved",
    "partner_aware": "whether the partner knows of the referral",
    "sent_on": "date sent",
    # Case notes and the partner support log.
    "noted_on": "date of the note",
    "contact": "whether contact was made",
    "method": "how contact was made or tried",
    "sensitive": "sensitive note",
    "contacted_on": "date of the contact",
    "made_by": "who made the contact",
    "with_whom": "with whom",
    "risk_change": "change in risk",
    "onward_support": "onward support",
    # Closure.
    "status": "status",
    "status_before_closure": "status before closure",
    "closed_at": "date closed",
    "closed_by_id": "who closed it",
    "closure_outcome": "outcome at closure",
    "closure_risk_level": "risk level at closure",
    "closure_living_arrangements": "living arrangements at closure",
    "closure_childrens_services_status": "children's services involvement at closure",
    "closure_police_callouts": "police call-outs at closure",
    "closure_reason": "reason for closing",
    "closure_risk_reason": "reason for closing at high risk",
    "closure_sensitive_notes": "sensitive notes on the closure summary",
    # Placements and stays.
    "location_preference": "where the client would like to stay",
    "areas_to_avoid": "areas to avoid",
    "booking_needs": "needs for booking a room",
    "out_of_borough_safety": "safety out of the borough",
    "out_of_borough_mitigation": "how risks out of the borough are managed",
    "social_worker_name": "social worker's name",
    "outcome_reason": "reason",
    "nights": "nights",
    "reason": "reason",
    "provider": "provider",
    "address": "address",
    "decision_reason": "reason for the decision",
    "nightly_rate_pence": "nightly rate",
    "approved_nights": "approved nights",
    "agreement_signed_on": "date the agreement was signed",
    "checked_in_on": "check-in date",
    "reviewed_on": "date reviewed",
    "return_safe": "safe to return home",
    "support_package": "support package",
    "moved_out_on": "move-out date",
    "ended_early": "ended early",
    "cancelled_on": "date cancelled",
    "cancel_reason": "reason for cancelling",
    # Accounts and boroughs.
    "name": "name",
    "email": "e-mail address",
    "role": "role",
    "borough": "borough",
    "active": "in use",
    "notification_email": "reminder e-mails",
    # Programme settings.
    "pot_pence": "accommodation pot",
    "default_nightly_rate_pence": "default nightly rate",
    "max_nights_per_client": "most nights per client",
    "max_people": "most people in accommodation",
    "acknowledge_working_days": "acknowledgement deadline (working days)",
    "consultation_booking_working_days": "consultation booking deadline (working days)",
    "meeting_interval_days": "days between professionals meetings",
    "dash_review_days": "days between DASH reviews",
    "outcome_mid_point_weeks": "weeks to the mid-point outcome measures",
    "idva_action_working_days": "IDVA referral deadline (working days)",
    "marac_action_working_days": "MARAC referral deadline (working days)",
    "marac_threshold_yes": "MARAC threshold (“yes” answers)",
    "high_risk_threshold_yes": "high-risk threshold (“yes” answers)",
    "escalation_min_incidents": "incidents that mean escalation",
    "escalation_months": "months escalation counts",
    "escalation_kinds": "kinds of incident escalation counts",
    "invoice_unpaid_days": "days before an unpaid invoice reminder",
    "evaluation_k": "smallest group in evaluation data",
    "retain_case_years": "years case records are kept after closure",
    "retain_child_extra_years": "years a case is kept after its youngest child turns 18",
    "retain_audit_years": "years audit events are kept",
    "retain_notifications_days": "days notifications are kept",
    "retain_sessions_days": "days ended sessions are kept",
    "retain_unreleased_extracts_days": "days unreleased evaluation extracts are kept",
    "letterhead_organisation": "organisation on the letterhead",
    "contact_phone": "phone number for contact",
    "contact_email": "e-mail address for contact",
    "contact_address": "postal address",
    "referral_window_start": "referral window start",
    "referral_window_end": "referral window end",
    "programme_end_date": "programme end date",
}

# The details an event shows, besides the fields and changes, and the labels of their values.
DETAIL_LABELS = {
    "method": "how",
    "view": "what",
    "action": "refused",
    "role": "role",
    "document": "document",
    "day": "day",
    "reason": "reason",
    "results": "cases found",
    "open_cases": "open cases held",
    "at_closure": "decided when the case was closed",
    "safety_plans_reviewed": "safety plans reviewed",
    "received_on": "received",
    "due_on": "due",
    "person": "about",
    "rule": "retention rule",
}
DOCUMENT_LABELS = {
    "acknowledgement": "acknowledgement letter",
    "plan": "consultation plan",
    "meeting_pack": "professionals meeting pack",
    "minutes": "meeting minutes",
    "closure_summary": "closure summary",
    "marac_referral": "MARAC referral pack",
    "accommodation_agreement": "accommodation agreement",
    "finance_statement": "Camden's accommodation statement",
    "programme_report": "monthly programme report (internal, not suppressed)",
    "programme_report_funder": "monthly programme report for the funder (suppressed)",
}
METHOD_LABELS = {
    # Signing in.
    "password": "password",
    "totp": "security code",
    "recovery_code": "recovery code",
    # Telling the referrer of the acknowledgement (eip.cases.choices.CONTACT_METHOD).
    "secure_email": "secure e-mail",
    "phone": "phone",
    "letter": "letter",
}
VIEW_LABELS = {
    "case page": "the case page",
    "placement page": "the placement page",
    "data request": "a rectification or erasure request",
}
# What was refused (an access rule of eip/policy.py).
RULE_LABELS = {
    "account.own": "their own account",
    "case.list": "the case list",
    "case.work_list": "their work list",
    "case.view": "a case",
    "case.search": "finding a case by name",
    "case.client_name": "client names",
    "case.access_log": "a case's access log",
    "case.documents": "a case's documents",
    "case.create": "recording a referral",
    "case.edit": "changing a case",
    "privacy.requests": "rectification and erasure requests",
    "privacy.record": "recording a rectification or erasure request",
    "privacy.decide": "deciding a rectification or erasure request",
    "case.partner": "the partner's details",
    "case.safety_plans": "safety plans",
    "case.partner_support": "the partner support log",
    "case.sensitive_notes": "sensitive case notes",
    "case.late_decision": "a late-referral decision",
    "case.reopen": "reopening a case",
    "case.reassign": "reassigning a case",
    "placement.list": "the placement list",
    "placement.view": "a placement",
    "placement.request": "requesting a placement",
    "placement.manage": "running a stay",
    "placement.decide": "deciding on a placement",
    "finance.record": "recording invoices and payments",
    "budget.view": "the budget",
    "budget.export": "a budget export",
    "placement.agreement": "an accommodation agreement",
    "finance.statement": "Camden's statement",
    "programme.report": "the monthly programme report",
    "programme.dashboard": "the programme dashboard",
    "admin.users": "user accounts",
    "admin.boroughs": "boroughs",
    "audit.account_events": "account events",
    "approvals.view": "approvals",
    "approvals.decide": "deciding an approval",
    "settings.view": "programme settings",
    "settings.edit": "changing programme settings",
    "audit.search": "the audit trail",
    "evaluation.list": "evaluation extracts",
    "evaluation.prepare": "preparing an evaluation extract",
    "evaluation.release": "releasing an evaluation extract",
    "evaluation.withdraw": "withdrawing an evaluation extract",
    "evaluation.download": "downloading an evaluation extract",
    "evaluation.figures": "programme figures",
    "privacy.subject_access": "subject access requests",
    "retention.review": "the retention review",
}
VALUE_LABELS: dict[str, dict[str, str]] = {
    "document": DOCUMENT_LABELS,
    "method": METHOD_LABELS,
    "view": VIEW_LABELS,
    "action": RULE_LABELS,
    "role": {role.value: ROLE_LABELS[role] for role in Role},
    "person": {"client": "the client", "partner": "the partner"},
    "rule": {
        "closure": "years after closure",
        "children": "youngest child 18, plus the years after",
        "review": "a child's age checked by hand",
    },
}


# Who did it, when nobody signed in did: the `actor_label` the code writes (a command, the
# scheduler, someone not signed in), never shown as the code's name for it.
ACTOR_LABELS = {
    "anonymous": "Someone not signed in",
    "cli": "A command on the server",
    "scheduler": "The scheduler",
    "seed-demo": "The demo data loader",
    "seed-synthetic": "The synthetic data loader",
}


def actor_name(event) -> str:
    """The trail's "Who": the user's name, or a label for the command or job that acted."""
    if event.actor is not None:
        return event.actor.name
    if not event.actor_label:
        return "System"
    return ACTOR_LABELS.get(event.actor_label, event.actor_label.replace("-", " ").capitalize())


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action.replace(".", ": ").replace("_", " ").capitalize())


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " "))


def detail_value(key: str, value: Any) -> str:
    """A detail's value as a person reads it: a label, a date, pounds, yes or no."""
    labels = VALUE_LABELS.get(key, {})
    if isinstance(value, str) and value in labels:
        return labels[value]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        try:
            return long_date(date.fromisoformat(value))
        except ValueError:
            return value
    return "none" if value is None else str(value)


def _changed_value(name: str, value: Any) -> str:
    if name.endswith("_pence") and isinstance(value, int) and not isinstance(value, bool):
        return format_pence(value)
    return detail_value(name, value)


def audit_detail(event) -> str:
    """A short reading of an event's details: old and new setting values, or the
    names of changed fields (never case values: the trail does not store them)."""
    details = event.details or {}
    parts = []
    for name, (old, new) in (details.get("changes") or {}).items():
        parts.append(
            f"{field_label(name)}: {_changed_value(name, old)} → {_changed_value(name, new)}"
        )
    if details.get("fields"):
        parts.append("changed: " + ", ".join(field_label(str(f)) for f in details["fields"]))
    for key, label in DETAIL_LABELS.items():
        if details.get(key) not in (None, ""):  # 0 cases found is worth saying
            parts.append(f"{label}: {detail_value(key, details[key])}")
    if details.get("locked"):
        parts.append("sign-in locked")
    if event.reason:
        parts.append(event.reason)
    return "; ".join(parts)
