"""Forms for placement requests and the SPOC's decisions. They check the shape of input only
(a date is a date, nights a whole number, money parses into pence); the services decide what
is missing or not allowed and report it by field name, so that one refused request lists
everything at once.

A request carries no version (a new record); every form after it carries the placement's
version the user saw, so that a save from a stale page is refused."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import Optional, ValidationError

from accommodation.money import MoneyError, parse_pounds
from accommodation.rules import STATE_LABELS
from forms.fields import (
    LondonDateField,
    NoNul,  # noqa: F401 (forms/finance.py and forms/stay.py import it from here)
    choices,
    radio_field,
    strip,
    text_field,
    whole_number,
)
from forms.widgets import Button, Checkbox, Select, TextInput

TEXT_MAX = 2000
# Hints for text another role reads (DOMAIN.md's field-by-role table).
SPOC_READS = "The SPOC will read this: do not include risk details or names"
PRACTITIONER_READS = "The practitioner will read this: do not include risk details or names"
YES_NO = (("yes", "Yes"), ("no", "No"))
DECISIONS = (("approve", "Approve the extension"), ("decline", "Decline the extension"))
# A nightly rate above £1,000 is a typing mistake, not a London room.
MAX_RATE_PENCE = 100_000


def free_text(label: str, *, description: str | None = None, max_length: int = TEXT_MAX):
    """Free text; whether it is needed is the service's call (it lists all that is missing).
    Shared with forms/stay.py."""
    return text_field(label, area=True, no_nul=True, description=description, max_length=max_length)


def _line(label: str, *, description: str | None = None, max_length: int = 120):
    return text_field(label, no_nul=True, description=description, max_length=max_length)


class WholeNumber:
    """Nights typed as digits; empty is None (the service says it is needed)."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __call__(self, form, field) -> None:
        text = (field.data or "").strip()
        field.number = None
        if not text:
            return
        number = whole_number(text) if len(text) <= 4 else None
        if number is None:
            raise ValidationError(f"The number of {self.what} must be a whole number, like 14")
        field.number = number


class Pounds:
    """An amount typed in pounds, parsed into pence (`field.pence`); the message of
    `accommodation.money` goes beside the field."""

    def __init__(self, *, max_pence: int | None = None, too_large: str | None = None) -> None:
        self.max_pence = max_pence
        self.too_large = too_large

    def __call__(self, form, field) -> None:
        field.pence = None
        try:
            if self.max_pence is None:
                field.pence = parse_pounds(field.data or "")
            else:
                field.pence = parse_pounds(field.data or "", max_pence=self.max_pence)
        except MoneyError as err:
            if self.too_large and err.message == "The amount is too large":
                raise ValidationError(self.too_large) from None
            raise ValidationError(err.message) from None


def _nights(label: str, what: str = "nights", description: str | None = None):
    return StringField(
        label,
        description=description,
        widget=TextInput(),
        filters=[strip],
        validators=[WholeNumber(what)],
    )


def _number(field) -> int | None:
    return getattr(field, "number", None)


class VersionedForm(FlaskForm):
    version = HiddenField()


class PlacementRequestForm(FlaskForm):
    """A new placement: no version (it is a new record; the one-placement-at-a-time rule is
    checked again under the case's row lock)."""

    move_in_on = LondonDateField(
        "Proposed move-in date",
        description="For example, 27 11 2026",
        required=None,
        invalid="The proposed move-in date must be a real date, like 27 11 2026",
    )
    nights = _nights(
        "Nights", description="At most the nights the client has left, over all their stays"
    )
    location_preference = free_text(
        "Where the client should stay",
        description=f"As close to the family as is safe: the area, and why. {SPOC_READS}",
    )
    areas_to_avoid = free_text(
        "Areas the client must avoid",
        description=(
            "Describe areas, for example a neighbourhood or a street, never the partner's "
            f"address. Write None if there are none. {SPOC_READS}"
        ),
    )
    booking_needs = free_text(
        "Needs for booking a room (optional)",
        description=f"For example access needs, work shifts, a pet. {SPOC_READS}",
    )
    out_of_borough = RadioField(
        "May the client stay outside the borough?",
        choices=choices(YES_NO),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[Optional()],
    )
    out_of_borough_safety = free_text(
        "Safety assessment for a placement outside the borough",
        description=f"Needed when the client may stay outside the borough. {SPOC_READS}",
    )
    out_of_borough_mitigation = free_text(
        "Mitigation",
        description=(f"What reduces the risks of a placement outside the borough. {SPOC_READS}"),
    )
    safe_practitioner = BooleanField(
        "I, the practitioner, judge the placement safe and suitable", widget=Checkbox()
    )
    safe_social_worker = BooleanField(
        "The social worker judges the placement safe and suitable", widget=Checkbox()
    )
    social_worker_name = _line("Social worker's name")
    safety_judged_on = LondonDateField(
        "Date it was judged safe and suitable",
        description="For example, 20 11 2026",
        required=None,
        invalid="The date it was judged safe must be a real date, like 20 11 2026",
    )
    submit = SubmitField("Send the request to the SPOC", widget=Button())

    def validate_out_of_borough(self, field) -> None:
        if field.data not in (None, "", "yes", "no"):
            raise ValidationError("Select yes or no")

    def values(self) -> dict:
        """The typed values, for `placements.request_services.request_placement`."""
        answer = self.out_of_borough.data
        return {
            "move_in_on": self.move_in_on.data,
            "nights": _number(self.nights),
            "location_preference": self.location_preference.data,
            "areas_to_avoid": self.areas_to_avoid.data,
            "booking_needs": self.booking_needs.data,
            "out_of_borough": {"yes": True, "no": False}.get(answer or ""),
            "out_of_borough_safety": self.out_of_borough_safety.data,
            "out_of_borough_mitigation": self.out_of_borough_mitigation.data,
            "safe_practitioner": bool(self.safe_practitioner.data),
            "safe_social_worker": bool(self.safe_social_worker.data),
            "social_worker_name": self.social_worker_name.data,
            "safety_judged_on": self.safety_judged_on.data,
        }


class ApproveForm(VersionedForm):
    provider = _line("Provider", description="The hotel, landlord or agency")
    address = free_text(
        "Address of the accommodation",
        description=(
            "The practitioner and Camden finance will read this: the address only, no names"
        ),
    )
    rate = StringField(
        "Nightly rate",
        description="Pounds and pence a night, VAT included, like 65.00",
        widget=TextInput(),
        filters=[strip],
        validators=[
            Pounds(
                max_pence=MAX_RATE_PENCE,
                too_large="The nightly rate must be £1,000.00 or less",
            )
        ],
    )
    nights = _nights("Nights approved")
    submit = SubmitField("Approve and commit the money", widget=Button())

    def rate_pence(self) -> int | None:
        return getattr(self.rate, "pence", None)

    def nights_number(self) -> int | None:
        return _number(self.nights)


class ReasonForm(VersionedForm):
    reason = free_text("Reason")
    submit = SubmitField("Save", widget=Button())


class ExtensionForm(VersionedForm):
    nights = _nights(
        "Extra nights", description="Within the nights the client has left, over all their stays"
    )
    reason = free_text("Why the client needs more nights", description=SPOC_READS)
    submit = SubmitField("Send the extension request to the SPOC", widget=Button())

    def nights_number(self) -> int | None:
        return _number(self.nights)


class ExtensionDecisionForm(VersionedForm):
    decision = radio_field(
        "Decision", DECISIONS, "Select whether to approve or decline the extension"
    )
    reason = free_text("Reason", description=f"Needed when you decline. {PRACTITIONER_READS}")
    submit = SubmitField("Save the decision", widget=Button())


class CommitmentForm(VersionedForm):
    amount = StringField(
        "Amount to add",
        description="Pounds and pence, VAT included, like 130.00",
        widget=TextInput(),
        filters=[strip],
        validators=[Pounds()],
    )
    reason = free_text(
        "Why more money is needed",
        description=f"For example, the invoice it covers. {PRACTITIONER_READS}",
    )
    submit = SubmitField("Add the commitment", widget=Button())

    def amount_pence(self) -> int | None:
        return getattr(self.amount, "pence", None)


class CommitmentReversalForm(VersionedForm):
    reason = free_text(
        "Why is the added commitment no longer needed?",
        description=f"For example, the invoice it was for was lower. {PRACTITIONER_READS}",
    )
    submit = SubmitField("Reverse the added commitment", widget=Button())


class PlacementFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter: nothing changes

    state = SelectField(
        "State",
        choices=choices((("", "Any state"), *STATE_LABELS.items())),
        widget=Select(),
        validate_choice=False,
        validators=[Optional()],
    )
    submit = SubmitField("Filter", widget=Button())

    def validate_state(self, field) -> None:
        if field.data and field.data not in STATE_LABELS:
            raise ValidationError("Select a state from the list")
