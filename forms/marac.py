"""Forms for the MARAC referral: preparing it (what the case lacks) and recording it as
sent. They check the shape of input; eip.cases.marac_services checks the rules."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import SubmitField

from eip.cases import marac
from eip.cases.marac_services import PHONE_MAX, TEXT_MAX
from forms.fields import AdditionForm, date_field, radio_field, text_field
from forms.widgets import Button


class MaracReferralForm(AdditionForm):
    reasons = text_field(
        "Reasons for referral",
        area=True,
        optional=False,
        max_length=TEXT_MAX,
        name="The reasons",
        description=(
            "Starts from the MARAC criteria the latest DASH review met. Add what MARAC needs "
            "to know: the recent incidents, what the partner has said, what worries you."
        ),
    )
    agencies_involved = text_field(
        "Agencies involved with the family",
        area=True,
        optional=False,
        max_length=TEXT_MAX,
        name="The agencies",
        description="One a line: the agency, the worker if known, and their involvement.",
    )
    safe_contact = text_field(
        "The partner's safe contact arrangements",
        area=True,
        optional=False,
        max_length=TEXT_MAX,
        name="The safe contact arrangements",
        description=(
            "How and when MARAC agencies may safely reach the partner. The pack prints this "
            "only while the partner's consent to information sharing is in force; otherwise "
            "it says to contact the partner through you."
        ),
    )
    partner_aware = radio_field(
        "Does the partner know about this referral?",
        marac.PARTNER_AWARE,
        "Select whether the partner knows about this referral",
    )
    referrer_phone = text_field(
        "Your phone number",
        max_length=PHONE_MAX,
        optional=False,
        name="The phone number",
        description="MARAC will call you on this number about the referral.",
    )
    submit = SubmitField("Prepare the referral", widget=Button())

    def values(self) -> dict[str, Any]:
        return {
            "reasons": self.reasons.data,
            "agencies_involved": self.agencies_involved.data,
            "safe_contact": self.safe_contact.data,
            "partner_aware": self.partner_aware.data or None,
            "referrer_phone": self.referrer_phone.data,
        }


class MaracSentForm(FlaskForm):
    sent_on = date_field(
        "Date the referral was sent", "the date the referral was sent", "27 3 2026"
    )
    submit = SubmitField("Record as sent", widget=Button())

    def values(self) -> dict[str, Any]:
        return {"sent_on": self.sent_on.data}
