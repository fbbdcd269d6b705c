"""The referral forms: recording and changing a referral, acknowledging it, and the
managers' late-referral decision.

They read the shape of input (a real date, a time, a whole number). The referral
rules (`eip.cases.referral_rules.problems`) run as part of validation so every
message shows beside its field on the first submit; the service checks again
before it saves.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovTextArea,
)
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import StopValidation

from eip.cases import choices as lists
from eip.cases.referral_rules import (
    AGREEING_ORGANISATIONS,
    CHOICE_FIELDS,
    OPTIONAL_CHOICE_FIELDS,
    ReferralDetails,
    ethnicity_label,
    late_agreement_problems,
    late_refusal_problems,
    london_moment,
    problems,
)
from eip.clock import now, parse_time
from eip.vocabulary import TIME_HINT, TIME_INVALID
from eip.workdays import LONDON
from forms.fields import (
    Chosen,
    LondonDateField,
    choices,
    optional_int,
    radio_field,
    strip,
    whole_number,
)
from forms.widgets import Button, Checkbox, Select, TextInput


class LondonTimeField(StringField):
    """A time of day (`14:30` or `2:30pm`); the parsed `datetime.time` is in `.time`."""

    def __init__(self, label: str, *, required: str, invalid: str, **kwargs: Any) -> None:
        kwargs.setdefault("widget", TextInput())
        kwargs.setdefault("description", TIME_HINT)
        super().__init__(label, filters=[strip], **kwargs)
        self.required_message = required
        self.invalid_message = invalid
        self.time = None

    def pre_validate(self, form) -> None:
        self.time = parse_time(self.data)
        if not self.data:
            raise StopValidation(self.required_message)
        if self.time is None:
            raise StopValidation(self.invalid_message)


class WholeNumberField(StringField):
    """An optional whole number typed in a text box (GOV.UK advises against type=number)."""

    def __init__(self, label: str, *, invalid: str, **kwargs: Any) -> None:
        kwargs.setdefault("widget", TextInput())
        super().__init__(label, filters=[strip], **kwargs)
        self.invalid_message = invalid
        self.number = None

    def pre_validate(self, form) -> None:
        self.number = None
        if not self.data:
            return
        number = whole_number(self.data)
        if number is None:
            raise StopValidation(self.invalid_message)
        self.number = number

    def set_number(self, value: int | None) -> None:
        self.data = "" if value is None else str(value)


def _text(label: str, description: str = "") -> StringField:
    return StringField(label, description=description, widget=TextInput(), filters=[strip])


def _area(label: str, description: str = "") -> StringField:
    return StringField(label, description=description, widget=GovTextArea(), filters=[strip])


def _radios(name: str, label: str, description: str = "") -> RadioField:
    pairs = (CHOICE_FIELDS.get(name) or OPTIONAL_CHOICE_FIELDS[name])[0]
    return RadioField(
        label,
        description=description,
        choices=choices(pairs),
        widget=GovRadioInput(),
        validate_choice=False,
    )


def _select(name: str, label: str, pairs, description: str = "") -> SelectField:
    return SelectField(
        label,
        description=description,
        choices=choices([("", "Select an option"), *pairs]),
        widget=Select(),
        validate_choice=False,
    )


# Equality questions the person may not have been asked: blank is stored as "Not known".
NOT_ASKED_HINT = (
    "Choose “Not known” if it was not asked (or leave it blank), and “Prefer not to say” "
    "if the person chose not to answer."
)


def _ethnicity_choices():
    return [(value, ethnicity_label(value)) for value, _ in lists.ETHNICITY]


class ReferralFields(FlaskForm):
    """Every field of a referral. The change form drops the borough: it is fixed for the
    life of the case."""

    received_date = LondonDateField(
        "Date received",
        description="The day the referral e-mail arrived, for example 7 9 2026",
        required="Enter the date the referral was received",
        invalid="The date received must be a real date, like 7 9 2026",
    )
    received_time = LondonTimeField(
        "Time received",
        required="Enter the time the referral was received",
        invalid="Enter the time received as hours and minutes, like 14:30 or 2:30pm",
    )
    borough = SelectField(
        "Referring borough",
        description="Fixed for the life of the case: its SPOC approves any placement",
        coerce=optional_int,
        widget=Select(),
        validate_choice=False,
        validators=[Chosen("Select the referring borough")],
    )
    practitioner = SelectField(
        "Allocated practitioner",
        coerce=optional_int,
        widget=Select(),
        validate_choice=False,
        validators=[Chosen("Select the allocated practitioner")],
    )

    referrer_name = _text("Name")
    referrer_team = _text("Team", "For example, Children in Need team 2")
    referrer_email = _text("Email address", "The acknowledgement goes here")
    referrer_phone = _text("Phone number")

    client_name = _text("Full name")
    client_date_of_birth = LondonDateField(
        "Date of birth",
        description="For example, 27 3 1990. The client must be 16 or older",
        required="Enter the client's date of birth",
        invalid="The client's date of birth must be a real date, like 27 3 1990",
    )
    client_gender = _radios("client_gender", "Gender")
    client_ethnicity = _select(
        "client_ethnicity", "Ethnicity", _ethnicity_choices(), "The ONS 2021 census categories"
    )
    client_disability = _radios("client_disability", "Does the client have a disability?")
    client_sexual_orientation = _radios(
        "client_sexual_orientation",
        "Which of the following best describes the client's sexual orientation? (optional)",
        NOT_ASKED_HINT,
    )
    client_language = _text("Main language", "For example, English, Polish, British Sign Language")
    client_interpreter = _radios("client_interpreter", "Does the client need an interpreter?")
    client_address = _area("Address")
    client_phone = _text("Phone number")
    client_email = _text("Email address")
    client_safe_contact = _area(
        "Safe contact arrangements",
        "How and when it is safe to contact the client, and anything to avoid",
    )

    partner_name = _text("Full name")
    partner_date_of_birth = LondonDateField(
        "Date of birth (optional)",
        description="For example, 14 11 1991",
        required=None,
        invalid="The partner's date of birth must be a real date, like 14 11 1991",
    )
    partner_age_band = _radios(
        "partner_age_band",
        "Age band (optional)",
        "Only needed when the date of birth is not known: with a date of birth, the band is "
        "worked out from it. " + NOT_ASKED_HINT,
    )
    partner_gender = _radios("partner_gender", "Gender (optional)", NOT_ASKED_HINT)
    partner_ethnicity = _select(
        "partner_ethnicity",
        "Ethnicity (optional)",
        _ethnicity_choices(),
        "The ONS 2021 census categories. " + NOT_ASKED_HINT,
    )
    partner_disability = _radios(
        "partner_disability", "Does the partner have a disability? (optional)", NOT_ASKED_HINT
    )
    partner_sexual_orientation = _radios(
        "partner_sexual_orientation",
        "Which of the following best describes the partner's sexual orientation? (optional)",
        NOT_ASKED_HINT,
    )
    partner_relationship = _select(
        "partner_relationship", "Relationship to the client", lists.RELATIONSHIP_TO_CLIENT
    )
    partner_living_together = _radios(
        "partner_living_together", "Do the client and the partner live together?"
    )
    partner_address = _area("Address")
    partner_phone = _text("Phone number")
    partner_email = _text("Email address")
    partner_safe_contact_times = _area(
        "Safe contact times", "When it is safe to contact the partner, and how"
    )
    partner_code_word = _text(
        "Code word", "A word the partner uses to show it is safe to talk (optional)"
    )

    # Each child is described on the case page (age, who they live with, their status),
    # one record each: the referral only counts them, so it needs no JavaScript.
    children_count = WholeNumberField(
        "Number of children (optional)",
        description=(
            "Include an unborn child. After saving, give each child's age and details in "
            "the Children section of the case page"
        ),
        invalid="Enter the number of children as a whole number, like 2",
    )
    childrens_services_status = _radios(
        "childrens_services_status", "Children's services involvement"
    )

    police_callouts_12_months = WholeNumberField(
        "Police call-outs in the last 12 months (optional)",
        invalid="Enter the number of police call-outs as a whole number, like 0 or 3",
    )
    previous_abuse = _radios("previous_abuse", "Previous abuse")
    separation = _radios("separation", "Recent or planned separation")
    pregnancy = _radios("pregnancy", "Pregnancy or a new baby")
    substance_use = _radios("substance_use", "Substance use")
    mental_health = _radios("mental_health", "Mental health needs")
    weapons = _radios("weapons", "Weapons used or threatened")
    dash_score = WholeNumberField(
        "DASH score, if known (optional)",
        description="The number of yes answers, from 0 to 24",
        invalid="Enter the DASH score as a whole number from 0 to 24",
    )

    reason_for_referral = _area("Reason for the referral")
    what_has_been_tried = _area(
        "What has been tried (optional)", "Support or interventions already offered"
    )

    def set_practitioners(self, pairs: list[tuple[int, str]]) -> None:
        self.practitioner.choices = choices([("", "Select a practitioner"), *pairs])

    def received_at(self):
        day, at = self.received_date.data, parse_time(self.received_time.data)
        return london_moment(day, at) if day and at else None

    def details(self) -> ReferralDetails:
        """The typed values (unparsed ones are None)."""
        values: dict[str, Any] = {
            "received_at": self.received_at(),
            "practitioner_id": self.practitioner.data,
            "borough_id": self.borough.data if "borough" in self._fields else None,
        }
        for name in ReferralDetails.names():
            if name in values:
                continue
            field = self[name]
            if isinstance(field, WholeNumberField):
                values[name] = whole_number(field.data)
            else:
                values[name] = field.data or None
        return ReferralDetails(**values).cleaned()

    def fill(self, details: ReferralDetails) -> None:
        """Show saved values (GET of the edit page)."""
        if details.received_at is not None:
            local = details.received_at.astimezone(LONDON)
            self.received_date.data = local.date()
            self.received_time.data = f"{local:%H:%M}"
        self.practitioner.data = details.practitioner_id
        for name in ReferralDetails.names():
            if name in ("received_at", "practitioner_id", "borough_id"):
                continue
            field = self[name]
            value = getattr(details, name)
            if isinstance(field, WholeNumberField):
                field.set_number(value)
            else:
                field.data = value

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        received_unread = bool(self.received_date.errors or self.received_time.errors)
        for name, message in problems(self.details(), now()).items():
            field = self._fields.get(name)
            if name.startswith("received_") and received_unread:
                continue
            if field is not None and not field.errors:
                field.errors = [*field.errors, message]
                valid = False
        return valid


class NewReferralForm(ReferralFields):
    # The possible-duplicates step: shown only when someone may already be on record.
    duplicates_shown = HiddenField()
    client_person = RadioField(widget=GovRadioInput(), validate_choice=False)
    partner_person = RadioField(widget=GovRadioInput(), validate_choice=False)
    submit = SubmitField("Save the referral", widget=Button())

    def set_boroughs(self, pairs: list[tuple[int, str]]) -> None:
        self.borough.choices = choices([("", "Select a borough"), *pairs])


class EditReferralForm(ReferralFields):
    borough = None  # fixed for the life of the case
    # The referral details' own version (Case.referral_version) the page showed.
    version = HiddenField()
    submit = SubmitField("Save changes", widget=Button())


class AcknowledgeForm(FlaskForm):
    # No version: acknowledging moves the case on, and the state machine is checked again
    # inside the transaction (a second acknowledgement is refused, whatever else changed).
    acknowledged_date = LondonDateField(
        "Date the referrer was told",
        description="For example, 8 9 2026",
        required="Enter the date the referrer was told",
        invalid="The date must be a real date, like 8 9 2026",
    )
    acknowledged_time = LondonTimeField(
        "Time the referrer was told",
        required="Enter the time the referrer was told",
        invalid=TIME_INVALID,
    )
    method = radio_field(
        "How was the referrer told?", lists.CONTACT_METHOD, "Select how the referrer was told"
    )
    submit = SubmitField("Record the acknowledgement", widget=Button())

    def acknowledged_at(self):
        day, at = self.acknowledged_date.data, parse_time(self.acknowledged_time.data)
        return london_moment(day, at) if day and at else None


DECISIONS = (
    ("agreed", "Agreed by Cranstoun, Respect/SafeLives and Camden"),
    ("refused", "Refused: the case closes as not accepted"),
)


class LateDecisionForm(FlaskForm):
    # No version: the decision moves the case on; the state machine and the one decision per
    # case are checked again inside the transaction.
    decision = radio_field(
        "What was decided?", DECISIONS, "Select whether the late referral was agreed or refused"
    )
    decided_on = LondonDateField(
        "Date of the decision",
        description="The date of the written agreement or refusal, for example 2 1 2027",
        required="Enter the date of the decision",
        invalid="The date of the decision must be a real date, like 2 1 2027",
    )
    cranstoun_agreed_by = _text("Who agreed for Cranstoun")
    respect_agreed_by = _text("Who agreed for Respect/SafeLives")
    camden_agreed_by = _text("Who agreed for Camden")
    support_confirmed = BooleanField(
        "Support and move-on are in place before the programme end date",
        widget=Checkbox(),
    )
    note = _area(
        "Note",
        "Where the written agreement is kept, or why it was refused (needed for a refusal)",
    )
    submit = SubmitField("Record the decision", widget=Button())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.decision.data == "agreed":
            names = {name: self[name].data for name in AGREEING_ORGANISATIONS}
            found = late_agreement_problems(names, bool(self.support_confirmed.data))
        elif self.decision.data == "refused":
            found = late_refusal_problems(self.note.data)
        else:
            found = {}
        for name, message in found.items():
            self[name].errors = [*self[name].errors, message]
            valid = False
        return valid
