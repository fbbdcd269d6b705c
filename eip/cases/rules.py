"""Case states and their names. The pathway issue adds the transitions."""

STATUS_LABELS = {
    "referred": "Referred",
    "awaiting_late_agreement": "Awaiting late-referral agreement",
    "acknowledged": "Acknowledged",
    "consultation": "Consultation",
    "outcome": "Outcome recorded",
    "consent": "Awaiting consent",
    "active": "Active",
    "closing": "Closing",
    "closed": "Closed",
    "not_accepted": "Not accepted",
    "consultation_only": "Consultation only",
    "onward_referral": "Not suitable: onward referral",
    "withdrawn": "Withdrawn",
}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())
