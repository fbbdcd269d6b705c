"""Plain-English names for audit actions, for the trail and access-log pages."""

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
    "settings.non_working_day_added": "Non-working day added",
    "settings.non_working_day_removed": "Non-working day removed",
    "case.viewed": "Viewed the case",
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
    "case.scenario_plan_recorded": "Wrote the scenario plan",
    "case.scenario_plan_updated": "Changed the scenario plan",
    "case.consent_recorded": "Recorded a consent",
    "case.consent_withdrawn": "Recorded a consent withdrawal",
    "case.intervention_started": "Intervention started",
    "case.closed": "Closed the case",
    "case.reopened": "Reopened the case",
    "case.session_recorded": "Recorded a session",
    "case.meeting_recorded": "Recorded a professionals meeting",
    "case.incident_recorded": "Recorded an incident",
    "case.dash_recorded": "Recorded a DASH review",
    "case.action_added": "Added an action",
    "case.action_completed": "Completed an action",
    "case.action_not_needed": "Closed an action as no longer needed",
    "case.created": "Created the case",
    "case.updated": "Changed the case",
    "document.downloaded": "Downloaded a document",
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
    "notification.mail_unconfirmed": "Reminder e-mail unconfirmed (not sent again)",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action.replace(".", ": ").replace("_", " ").capitalize())


def audit_detail(event) -> str:
    """A short reading of an event's details: old and new setting values, or the
    names of changed fields (never case values: the trail does not store them)."""
    details = event.details or {}
    parts = []
    for name, (old, new) in (details.get("changes") or {}).items():
        parts.append(f"{name.replace('_', ' ')}: {old} → {new}")
    if details.get("fields"):
        parts.append("fields: " + ", ".join(str(f).replace("_", " ") for f in details["fields"]))
    for key in ("method", "view", "action", "role", "reason", "document"):
        if details.get(key):
            parts.append(f"{key}: {details[key]}")
    if details.get("locked"):
        parts.append("sign-in locked")
    if event.reason:
        parts.append(event.reason)
    return "; ".join(parts)
