"""Forms for rectification and erasure requests: the shape of the input only; the rules
(a case the user can see, a date not in the future) are eip.privacy.requests'."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField

from eip.privacy.requests import ASKED_BY, DECISIONS, KINDS, PERSONS, WHAT_MAX
from forms.fields import date_field, radio_field, text_field
from forms.widgets import Button


class DataRequestForm(FlaskForm):
    reference = text_field(
        "Case reference",
        max_length=20,
        required="Enter the case reference",
        description="For example, EIP-2026-0012",
        name="The case reference",
    )
    person_role = radio_field(
        "Who is the request about?", PERSONS.items(), "Choose who it is about"
    )
    asked_by = radio_field("Who asked?", ASKED_BY.items(), "Choose who asked")
    kind = radio_field("What do they ask for?", KINDS.items(), "Choose what they ask for")
    what = text_field(
        "What they ask",
        max_length=WHAT_MAX,
        required="Enter what they ask",
        area=True,
        no_nul=True,
        description="Which details they say are wrong, or what they want erased. "
        "No more than the request needs.",
    )
    received_on = date_field("Date received", "the date received", "27 3 2026")
    submit = SubmitField("Record the request", widget=Button())

    def values(self) -> dict[str, Any]:
        return {
            name: getattr(self, name).data
            for name in ("reference", "person_role", "asked_by", "kind", "what", "received_on")
        }


class DecisionForm(FlaskForm):
    version = HiddenField()
    decision = radio_field("Your decision", DECISIONS.items(), "Choose grant or refuse")
    reason = text_field(
        "Reason",
        max_length=WHAT_MAX,
        required="Enter the reason for the decision",
        area=True,
        no_nul=True,
        description="Told to the person who asked: the lawful basis for a refusal, or what "
        "will be done.",
    )
    submit = SubmitField("Save the decision", widget=Button())


class CorrectedForm(FlaskForm):
    version = HiddenField()
    submit = SubmitField("Record the correction as made", widget=Button())
