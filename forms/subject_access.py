"""Forms for subject access requests: recording one (the person found by case reference and
role, never by name) and marking one completed. They check the shape of input;
eip.privacy.subject_access checks the rules."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import SubmitField

from eip.privacy.subject_access import REQUESTER_MAX, ROLES
from forms.fields import AdditionForm, date_field, radio_field, text_field
from forms.widgets import Button


class SubjectAccessRequestForm(AdditionForm):
    reference = text_field(
        "Case reference",
        max_length=20,
        required="Enter the case reference",
        description=(
            "A case the person is on, for example EIP-2026-0001. The pack covers all their cases."
        ),
    )
    role = radio_field(
        "Who is the request about?",
        ROLES,
        "Select whether the request is from the client or the partner",
    )
    requested_by = text_field(
        "Who made the request",
        max_length=REQUESTER_MAX,
        required="Enter who made the request",
        name="Who made the request",
        description=(
            "The person themselves, or who asked on their behalf (for example, their solicitor)."
        ),
    )
    received_on = date_field(
        "Date the request was received", "the date the request was received", "27 3 2026"
    )
    submit = SubmitField("Record the request", widget=Button())

    def values(self) -> dict[str, Any]:
        return {
            "reference": self.reference.data or "",
            "role": self.role.data or "",
            "requested_by": self.requested_by.data or "",
            "received_on": self.received_on.data,
        }

    def token(self) -> str:
        """The page's one-time token as sent ("" when missing: refused, never saved twice)."""
        return self.submission.data or ""


class SubjectAccessCompleteForm(FlaskForm):
    completed_on = date_field("Date the pack was sent", "the date the pack was sent", "27 3 2026")
    submit = SubmitField("Mark as completed", widget=Button())
