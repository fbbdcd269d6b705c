"""Whose data each field is, for a subject access pack: a plain classification, tested
against the models (every column of every table the pack reads is classified here, so a new
column cannot slip into a pack unclassified).

A field's *owner* says whose it is; `treatment(owner, subject_role)` says what the pack does
with it for a subject who is the client or the partner:

- SUBJECT: about the subject (their own details, or about the two of them: the case, the
  relationship, the pathway): disclosed;
- STAFF: staff acting for the service (who recorded it, the referrer): disclosed;
- THIRD_PARTY: about the other party, or about the children beyond their age: withheld;
- SAFETY: safe-contact arrangements and code words: withheld from every pack, the
  subject's own too (a written copy in the household defeats them; they are confirmed in
  person) — and, like third-party fields, never named as withheld, so the pack does not
  even say one exists;
- REVIEW: free text that may mention the other party: disclosed with the other party's
  known identifiers masked, and listed on the cover page for the manager's review before
  release;
- INTERNAL: ids and versions: not personal data, left out.
"""

from __future__ import annotations

SUBJECT, STAFF, THIRD_PARTY, SAFETY, REVIEW, INTERNAL = (
    "subject",
    "staff",
    "third_party",
    "safety",
    "review",
    "internal",
)
CLIENT, PARTNER = "client", "partner"
# Owners besides the two roles.
BOTH, CHILD, FREE = "both", "child", "free_text"

_INTERNAL = ("id", "case_id", "version", "referral_version", "source_id")
_RECORD = {"created_at": BOTH, "recorded_by_id": STAFF}

# table -> column -> owner. A person's own record is theirs whole (PERSON).
FIELDS: dict[str, dict[str, str]] = {
    "cases": {
        "reference": BOTH,
        "borough_id": BOTH,
        "status": BOTH,
        "status_before_closure": BOTH,
        "allocated_practitioner_id": STAFF,
        "created_at": BOTH,
        "received_at": BOTH,
        "late_referral": BOTH,
        "referrer_name": STAFF,
        "referrer_team": STAFF,
        "referrer_email": STAFF,
        "referrer_phone": STAFF,
        "client_id": INTERNAL,
        "partner_id": INTERNAL,
        "client_safe_contact": SAFETY,
        "partner_relationship": BOTH,
        "living_together": BOTH,
        "partner_safe_contact_times": SAFETY,
        "partner_code_word": SAFETY,
        "children_count": BOTH,
        "children_ages": BOTH,
        "childrens_services_status": CHILD,
        "police_callouts_12_months": BOTH,
        "previous_abuse": BOTH,
        "separation": BOTH,
        "pregnancy": PARTNER,
        "substance_use": CLIENT,
        "mental_health": CLIENT,
        "weapons": CLIENT,
        "dash_score_at_referral": BOTH,
        "reason_for_referral": FREE,
        "what_has_been_tried": FREE,
        "acknowledged_at": BOTH,
        "acknowledgement_method": BOTH,
        "acknowledged_by_id": STAFF,
        "intervention_started_on": BOTH,
        "closed_at": BOTH,
        "closed_by_id": STAFF,
        "closure_outcome": BOTH,
        "closure_risk_level": BOTH,
        "closure_living_arrangements": BOTH,
        "closure_childrens_services_status": CHILD,
        "closure_police_callouts": BOTH,
        "closure_reason": FREE,
        "closure_risk_reason": FREE,
        "closure_sensitive_notes": INTERNAL,
        # When the case was anonymised (eip/privacy/anonymise.py): the pack of an anonymised
        # case holds nothing about a person any more.
        "anonymised_at": INTERNAL,
    },
    "consultations": {
        **_RECORD,
        "scheduled_for": BOTH,
        "medium": BOTH,
        "attendees": FREE,
        "held_on": BOTH,
        "outcome": BOTH,
        "advice": FREE,
        "plan_risks": FREE,
        "plan_protective_factors": FREE,
    },
    "scenario_plans": {**_RECORD, "plan": FREE, "updated_at": BOTH},
    "consents": {
        **_RECORD,
        # The consent's owner is its person_role (a row of the other party's is not read).
        "person_role": BOTH,
        "kind": BOTH,
        "state": BOTH,
        "recorded_on": BOTH,
        "obtained_by": STAFF,
        "how": BOTH,
        "withdrawn_on": BOTH,
        "withdrawal_reason": FREE,
    },
    "intervention_sessions": {
        **_RECORD,
        "held_on": CLIENT,
        "duration_minutes": CLIENT,
        "attendance": CLIENT,
        "themes": FREE,
        "notes": FREE,
    },
    "professionals_meetings": {
        **_RECORD,
        "held_on": BOTH,
        "attendees": FREE,
        "risk_update": FREE,
        "progress": FREE,
    },
    "dash_reviews": {
        **_RECORD,
        "completed_on": BOTH,
        # The answers are the partner's account of the abuse: never the client's to read.
        "answers": PARTNER,
        "score": BOTH,
        "professional_judgement": BOTH,
        "professional_judgement_high": INTERNAL,
        "judgement_note": FREE,
        "police_callouts_12_months": BOTH,
        "escalation_incidents": BOTH,
        "risk_level": BOTH,
        "marac": BOTH,
        "high_risk_threshold": INTERNAL,
        "marac_threshold": INTERNAL,
        "escalation_min_incidents": INTERNAL,
        "escalation_months": INTERNAL,
        "escalation_kinds": INTERNAL,
    },
    "incidents": {
        **_RECORD,
        "occurred_on": BOTH,
        "source": BOTH,
        "police_callout": BOTH,
        "description": FREE,
        "response": FREE,
    },
    "case_actions": {
        **_RECORD,
        "kind": BOTH,
        "description": FREE,
        "owner": STAFF,
        "due_on": BOTH,
        "urgent": BOTH,
        "completed_at": BOTH,
        "completed_by_id": STAFF,
        "resolution": BOTH,
    },
    "onward_referrals": {
        **_RECORD,
        "agency": BOTH,
        "agency_name": BOTH,
        "referred_on": BOTH,
        "status": BOTH,
        "note": FREE,
    },
    "placements": {
        "created_at": CLIENT,
        "client_id": INTERNAL,
        "borough_id": CLIENT,
        "state": CLIENT,
        "requested_by_id": STAFF,
        "move_in_on": CLIENT,
        "nights": CLIENT,
        "location_preference": FREE,
        # Where the partner lives, in effect: never the client's to read.
        "areas_to_avoid": PARTNER,
        "booking_needs": FREE,
        "out_of_borough": CLIENT,
        "out_of_borough_safety": FREE,
        "out_of_borough_mitigation": FREE,
        "safe_practitioner": CLIENT,
        "safe_social_worker": CLIENT,
        "social_worker_name": STAFF,
        "safety_judged_on": CLIENT,
        "decided_at": CLIENT,
        "decided_by_id": STAFF,
        "outcome_reason": FREE,
        "provider": CLIENT,
        "address": CLIENT,
        "nightly_rate_pence": CLIENT,
        "approved_nights": CLIENT,
        "agreement_signed_on": CLIENT,
        "checked_in_on": CLIENT,
        "moved_out_on": CLIENT,
        "ended_early": CLIENT,
        "cancelled_on": CLIENT,
        "cancel_reason": FREE,
    },
    "case_notes": {
        **_RECORD,
        "noted_on": CLIENT,
        "contact": CLIENT,
        "method": CLIENT,
        "outcome": FREE,
        "note": FREE,
        "sensitive": INTERNAL,
    },
    "marac_referrals": {
        **_RECORD,
        "dash_review_id": INTERNAL,
        "partner_id": INTERNAL,
        "reasons": FREE,
        "agencies_involved": FREE,
        "safe_contact": SAFETY,
        "partner_aware": PARTNER,
        "referrer_phone": STAFF,
        "sent_on": BOTH,
        "sent_by_id": STAFF,
    },
    "safety_plans": {
        **_RECORD,
        "person": PARTNER,
        "child_id": INTERNAL,
        "risks": FREE,
        "protective_steps": FREE,
        "steps": FREE,
        "agencies": FREE,
        "safe_contact": SAFETY,
        "last_reviewed_on": PARTNER,
        "last_reviewed_meeting_id": INTERNAL,
        "updated_at": PARTNER,
    },
    "outcome_measures": {
        **_RECORD,
        "point": BOTH,
        "measured_on": BOTH,
        **dict.fromkeys(
            (
                "client_physical",
                "client_sexual",
                "client_coercive",
                "client_emotional",
                "client_economic",
                "client_stalking",
                "client_technology",
                "client_children",
            ),
            CLIENT,
        ),
        "partner_source": PARTNER,
        "partner_feels_safe": PARTNER,
        "partner_abuse_frequency": PARTNER,
        "partner_quality_of_life": PARTNER,
        "children_exposure": CHILD,
        "updated_at": BOTH,
    },
    "partner_support_contacts": {
        **_RECORD,
        "contacted_on": PARTNER,
        "made_by": STAFF,
        "with_whom": PARTNER,
        "contact": PARTNER,
        "method": PARTNER,
        "outcome": FREE,
        "risk_change": PARTNER,
        "onward_support": FREE,
    },
    "children": {
        **_RECORD,
        "position": BOTH,
        # A child's age is disclosed; everything else about them is theirs, not the parent's.
        "age_years": BOTH,
        "age_band": BOTH,
        "lives_with": CHILD,
        "childrens_services_status": CHILD,
        "school_known": CHILD,
        "needs_review": INTERNAL,
    },
}
for _columns in FIELDS.values():
    _columns.update(dict.fromkeys(_INTERNAL, INTERNAL))

# Records that are about one of the two people alone: the other party's pack leaves them
# out whole (and does not say they exist). Case notes are the client's (eip.cases.records);
# safety plans and the partner support log the partner's.
RECORD_OWNER = {
    "intervention_sessions": CLIENT,
    "case_notes": CLIENT,
    "placements": CLIENT,
    "safety_plans": PARTNER,
    "partner_support_contacts": PARTNER,
}


def other(role: str) -> str:
    return PARTNER if role == CLIENT else CLIENT


def treatment(owner: str, subject_role: str) -> str:
    """What a pack for a subject of `subject_role` does with a field of `owner`."""
    if owner in (BOTH, subject_role):
        return SUBJECT
    if owner in (STAFF, SAFETY, INTERNAL):
        return owner
    if owner == FREE:
        return REVIEW
    # The other party's, or a child's beyond their age.
    return THIRD_PARTY


def field_treatment(table: str, column: str, subject_role: str) -> str:
    """`KeyError` for a column not classified: a pack never guesses."""
    return treatment(FIELDS[table][column], subject_role)


def record_included(table: str, subject_role: str) -> bool:
    return RECORD_OWNER.get(table, subject_role) == subject_role
