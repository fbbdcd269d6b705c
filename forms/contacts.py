"""Forms for case notes and contacts with the client, and the partner support log. They check
the shape of input; which answers each kind of contact needs is the service's rule
(eip.cases.contact_services), so the method and the outcome are optional here."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from wtforms import BooleanField, RadioField, SubmitField

from eip.cases import choices as case_choices
from eip.cases.contact_services import MADE_BY_MAX
from forms.fields import AdditionForm, choices, date_field, radio_field, text_field
from forms.widgets import Button, Checkbox

TEXT_MAX = 5000


def _optional_radios(label: str, pairs, *, description: str = "") -> RadioField:
    """Radios the service may not need (a note only has no method): any choice the list has,
    or none; the service says when one is missing."""
    return RadioField(
        label,
        description=description,
        choices=choices(pairs),
        widget=GovRadioInput(),
        validate_choice=False,
    )


def _long_text(label: str, name: str, *, hint: str | None = None):
    return text_field(
        label, optional=False, area=True, description=hint, max_length=TEXT_MAX, name=name
    )


class CaseNoteForm(AdditionForm):
    noted_on = date_field("Date", "the date", "27 3 2026")
    contact = radio_field(
        "Was contact made with the client?",
        case_choices.NOTE_CONTACT,
        "Select whether contact was made or tried",
        description="An attempt is a contact tried but not made: record how and what happened",
    )
    method = _optional_radios(
        "How was contact made or tried?",
        case_choices.CONTACT_MEANS,
        description="Not needed for a note only",
    )
    outcome = _long_text(
        "Outcome",
        "The outcome",
        hint="What came of the contact, for example no answer and a message left. "
        "Not needed for a note only",
    )
    note = _long_text("Note", "The note", hint="Needed for a note only; optional for a contact")
    sensitive = BooleanField(
        "This note is sensitive",
        description="Only practitioners and managers see it, and it goes into no document "
        "unless chosen for the closure summary when the case is closed",
        widget=Checkbox(),
    )
    submit = SubmitField("Save note", widget=Button())

    def values(self) -> dict[str, Any]:
        return {
            "noted_on": self.noted_on.data,
            "contact": self.contact.data,
            "method": self.method.data,
            "outcome": self.outcome.data,
            "note": self.note.data,
            "sensitive": bool(self.sensitive.data),
        }


class PartnerSupportForm(AdditionForm):
    contacted_on = date_field("Date", "the date", "27 3 2026")
    made_by = text_field(
        "Who made or tried the contact",
        required="Enter who made the contact",
        max_length=MADE_BY_MAX,
        description="Their name and role, for example the partner support worker",
    )
    with_whom = radio_field(
        "With whom",
        case_choices.PARTNER_SUPPORT_WITH,
        "Select whether the contact was with the partner or their support worker",
    )
    contact = radio_field(
        "Was contact made?",
        case_choices.PARTNER_CONTACT,
        "Select whether contact was made or tried",
    )
    method = radio_field(
        "How was contact made or tried?",
        case_choices.CONTACT_MEANS,
        "Select how contact was made or tried",
    )
    outcome = text_field(
        "Outcome",
        required="Enter what came of the contact",
        area=True,
        max_length=TEXT_MAX,
        description="What came of it, for example safety plan reviewed, or no answer",
    )
    risk_change = _optional_radios(
        "Change in risk to the partner",
        case_choices.RISK_CHANGE,
        description="Since the last contact. Not known when no contact was made",
    )
    onward_support = _long_text(
        "Onward support (optional)",
        "The onward support",
        hint="Referrals or signposting for the partner, for example to an IDVA",
    )
    submit = SubmitField("Save partner support contact", widget=Button())

    def values(self) -> dict[str, Any]:
        return {
            "contacted_on": self.contacted_on.data,
            "made_by": self.made_by.data,
            "with_whom": self.with_whom.data,
            "contact": self.contact.data,
            "method": self.method.data,
            "outcome": self.outcome.data,
            "risk_change": self.risk_change.data,
            "onward_support": self.onward_support.data,
        }
