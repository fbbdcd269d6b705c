"""Administration forms: users, approvals, boroughs, programme settings.

They check the shape of input. Where a value has to be read (pounds into pence,
a whole number of days) the form asks `eip.admin.rules`, so that each message
shows beside its field on the first submit; the service checks again before it
writes.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovTextArea,
)
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, ValidationError

from eip.admin import rules
from eip.cases.choices import INCIDENT_SOURCE
from eip.formatting import plain_pounds
from eip.roles import ROLE_CHOICES
from forms.fields import (
    Chosen,
    LondonDateField,
    choices,
    date_field,
    optional_int,
    radio_field,
    strip,
)
from forms.widgets import Button, Checkbox, Select, TextInput

# ---------------------------------------------------------------------------
# Users

EMAIL_VALIDATORS = [
    DataRequired("Enter their email address"),
    Email("Enter an email address in the correct format, like name@example.org"),
    Length(max=254, message="The email address must be 254 characters or fewer"),
]


class UserForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=TextInput(),
        filters=[strip],
        validators=[
            DataRequired("Enter the person's full name"),
            Length(max=120, message="The name must be 120 characters or fewer"),
        ],
    )
    email = EmailField(
        "Email address",
        description="Their work address. Invitation and password reset links go only here",
        widget=TextInput(),
        filters=[strip],
        validators=EMAIL_VALIDATORS,
    )
    role = radio_field(
        "Role",
        ROLE_CHOICES,
        "Select a role",
        description=(
            "Practitioners, programme managers and borough SPOCs see personal data: a programme "
            "manager must approve these roles before they take effect"
        ),
    )
    borough = SelectField(
        "Borough",
        description="Only for a borough SPOC: the borough whose placements they approve",
        coerce=optional_int,
        widget=Select(),
        validate_choice=False,
    )

    def set_borough_choices(self, boroughs: list[tuple[int, str]]) -> None:
        self.borough.choices = choices([("", "No borough"), *boroughs])

    def validate_borough(self, field) -> None:
        if field.data is not None:
            Chosen("Select a borough from the list")(self, field)
        if self.role.errors or not self.role.data:
            return
        problem = rules.role_borough_problem(self.role.data, field.data)
        if problem:
            raise ValidationError(problem)


class InviteUserForm(UserForm):
    submit = SubmitField("Send invitation", widget=Button())


class EditUserForm(UserForm):
    submit = SubmitField("Save changes", widget=Button())


ROLE_FILTERS = choices([("", "All roles"), *ROLE_CHOICES, ("none", "Waiting for approval")])
STATUS_FILTERS = choices([("", "Any status"), *rules.STATUS_LABELS.items()])


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False

    role = SelectField("Role", choices=ROLE_FILTERS, widget=Select())
    status = SelectField("Status", choices=STATUS_FILTERS, widget=Select())
    submit = SubmitField("Show users", widget=Button())


# ---------------------------------------------------------------------------
# Approvals


class DecisionForm(FlaskForm):
    decision = radio_field(
        "Your decision",
        [("approve", "Approve the change"), ("reject", "Reject the change")],
        "Select whether to approve or reject the change",
        description="Approving makes the change at once",
    )
    note = TextAreaField(
        "Note (optional)",
        description="Why you decided this, for the audit trail. Do not include case details",
        widget=GovCharacterCount(),
        validators=[Length(max=500, message="The note must be 500 characters or fewer")],
    )
    submit = SubmitField("Save decision", widget=Button())


# ---------------------------------------------------------------------------
# Boroughs


def _borough_name(form, field) -> None:
    try:
        field.data = rules.clean_borough_name(field.data)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


class NewBoroughForm(FlaskForm):
    name = StringField("Borough name", widget=TextInput(), validators=[_borough_name])
    active = BooleanField("It is taking part in the programme now", widget=Checkbox())
    submit = SubmitField("Add borough", widget=Button())


class RenameBoroughForm(FlaskForm):
    name = StringField("Borough name", widget=TextInput(), validators=[_borough_name])
    submit = SubmitField("Save name", widget=Button())


# ---------------------------------------------------------------------------
# Programme settings


class _Reads:
    """A validator that reads the text with a rules function and keeps the result."""

    def __init__(self, read) -> None:
        self.read = read

    def __call__(self, form, field) -> None:
        try:
            field.value = self.read(field.data)
        except ValueError as exc:
            field.value = None
            raise ValidationError(str(exc)) from None


def _text_setting(spec: rules.TextSetting) -> StringField | TextAreaField:
    field = TextAreaField if spec.multiline else StringField
    return field(
        spec.label,
        description=spec.hint,
        widget=GovTextArea() if spec.multiline else TextInput(),
        validators=[_Reads(spec.clean)],
    )


def _whole_number(spec: rules.WholeNumber) -> StringField:
    return StringField(
        spec.label, description=spec.hint, widget=TextInput(), validators=[_Reads(spec.parse)]
    )


class SettingsForm(FlaskForm):
    # When the form was loaded: saving refuses if another manager saved since.
    version = HiddenField()
    pot_pence = StringField(
        "Accommodation pot",
        description="Pounds and pence, VAT included, like 14000.00. The whole pot, London-wide",
        widget=TextInput(),
        validators=[_Reads(rules.parse_pounds)],
    )
    default_nightly_rate_pence = StringField(
        "Default nightly rate",
        description=(
            "Pounds and pence, like 50.00. The pot's forecast and a typical stay use the "
            "median rate of the placements approved so far, and this rate until there are any"
        ),
        widget=TextInput(),
        validators=[_Reads(rules.parse_rate)],
    )
    max_people = _whole_number(rules.WHOLE_NUMBER_BY_NAME["max_people"])
    max_nights_per_client = _whole_number(rules.WHOLE_NUMBER_BY_NAME["max_nights_per_client"])
    referral_window_start = date_field(
        "Referral window opens", "the date the referral window opens", "19 8 2026"
    )
    referral_window_end = LondonDateField(
        "Referral window closes",
        description="The last day a referral is accepted without a late-referral agreement",
        required="Enter the date the referral window closes",
        invalid="The date the referral window closes must be a real date, like 31 12 2026",
    )
    programme_end_date = LondonDateField(
        "Programme ends",
        description="No placement may run past this date",
        required="Enter the programme end date",
        invalid="The programme end date must be a real date, like 31 3 2027",
    )
    acknowledge_working_days = _whole_number(rules.WHOLE_NUMBER_BY_NAME["acknowledge_working_days"])
    consultation_booking_working_days = _whole_number(
        rules.WHOLE_NUMBER_BY_NAME["consultation_booking_working_days"]
    )
    meeting_interval_days = _whole_number(rules.WHOLE_NUMBER_BY_NAME["meeting_interval_days"])
    dash_review_days = _whole_number(rules.WHOLE_NUMBER_BY_NAME["dash_review_days"])
    outcome_mid_point_weeks = _whole_number(rules.WHOLE_NUMBER_BY_NAME["outcome_mid_point_weeks"])
    idva_action_working_days = _whole_number(rules.WHOLE_NUMBER_BY_NAME["idva_action_working_days"])
    marac_action_working_days = _whole_number(
        rules.WHOLE_NUMBER_BY_NAME["marac_action_working_days"]
    )
    high_risk_threshold_yes = _whole_number(rules.WHOLE_NUMBER_BY_NAME["high_risk_threshold_yes"])
    marac_threshold_yes = _whole_number(rules.WHOLE_NUMBER_BY_NAME["marac_threshold_yes"])
    escalation_min_incidents = _whole_number(rules.WHOLE_NUMBER_BY_NAME["escalation_min_incidents"])
    escalation_months = _whole_number(rules.WHOLE_NUMBER_BY_NAME["escalation_months"])
    escalation_kinds = SelectMultipleField(
        "Escalation: the kinds of incident that count",
        description="Every incident of a kind selected counts",
        choices=choices(INCIDENT_SOURCE),
        widget=GovCheckboxesInput(),
        validate_choice=False,
        validators=[_Reads(rules.join_kinds)],
    )
    invoice_unpaid_days = _whole_number(rules.WHOLE_NUMBER_BY_NAME["invoice_unpaid_days"])
    evaluation_k = _whole_number(rules.WHOLE_NUMBER_BY_NAME["evaluation_k"])
    retain_case_years = _whole_number(rules.WHOLE_NUMBER_BY_NAME["retain_case_years"])
    retain_child_extra_years = _whole_number(rules.WHOLE_NUMBER_BY_NAME["retain_child_extra_years"])
    retain_audit_years = _whole_number(rules.WHOLE_NUMBER_BY_NAME["retain_audit_years"])
    retain_notifications_days = _whole_number(
        rules.WHOLE_NUMBER_BY_NAME["retain_notifications_days"]
    )
    retain_sessions_days = _whole_number(rules.WHOLE_NUMBER_BY_NAME["retain_sessions_days"])
    retain_unreleased_extracts_days = _whole_number(
        rules.WHOLE_NUMBER_BY_NAME["retain_unreleased_extracts_days"]
    )
    letterhead_organisation = _text_setting(rules.TEXT_SETTING_BY_NAME["letterhead_organisation"])
    contact_phone = _text_setting(rules.TEXT_SETTING_BY_NAME["contact_phone"])
    contact_email = _text_setting(rules.TEXT_SETTING_BY_NAME["contact_email"])
    contact_address = _text_setting(rules.TEXT_SETTING_BY_NAME["contact_address"])
    submit = SubmitField("Save settings", widget=Button())

    # Each whole number's unit, shown after its box.
    UNITS: ClassVar[dict[str, str]] = {spec.name: spec.unit for spec in rules.WHOLE_NUMBERS}

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        dates = [self[name].data if not self[name].errors else None for name in rules.DATE_SETTINGS]
        for name, message in rules.date_order_problems(*dates).items():
            self[name].errors = [*self[name].errors, message]
            valid = False
        kinds_problem = rules.kinds_problem(self.escalation_kinds.value)
        if kinds_problem and not self.escalation_kinds.errors:
            self.escalation_kinds.errors = [kinds_problem]
            valid = False
        order = rules.threshold_order_problems(
            self.high_risk_threshold_yes.value, self.marac_threshold_yes.value
        )
        for name, message in order.items():
            self[name].errors = [*self[name].errors, message]
            valid = False
        return valid

    def values(self) -> dict[str, Any]:
        """The typed values, once the form is valid."""
        typed: dict[str, Any] = {
            "pot_pence": self.pot_pence.value,
            "default_nightly_rate_pence": self.default_nightly_rate_pence.value,
        }
        for spec in rules.WHOLE_NUMBERS:
            typed[spec.name] = self[spec.name].value
        for name in rules.DATE_SETTINGS:
            typed[name] = self[name].data
        typed["escalation_kinds"] = self.escalation_kinds.value
        for text in rules.TEXT_SETTINGS:
            typed[text.name] = self[text.name].value
        return typed

    def fill(self, current: dict[str, Any], version: str) -> None:
        """Show the saved values (GET)."""
        self.version.data = version
        self.pot_pence.data = plain_pounds(current["pot_pence"])
        self.default_nightly_rate_pence.data = plain_pounds(current["default_nightly_rate_pence"])
        for spec in rules.WHOLE_NUMBERS:
            self[spec.name].data = str(current[spec.name])
        for name in rules.DATE_SETTINGS:
            self[name].data = current[name]
        self.escalation_kinds.data = list(rules.split_kinds(current["escalation_kinds"]))
        for text in rules.TEXT_SETTINGS:
            self[text.name].data = current[text.name]


class NonWorkingDayForm(FlaskForm):
    day = date_field("Date", "the date", "24 12 2026")
    reason = StringField(
        "Reason",
        description="For example, office closure between Christmas and New Year",
        widget=TextInput(),
        validators=[
            DataRequired("Enter the reason"),
            Length(
                max=rules.NON_WORKING_REASON_MAX,
                message=f"The reason must be {rules.NON_WORKING_REASON_MAX} characters or fewer",
            ),
        ],
    )
    submit = SubmitField("Add non-working day", widget=Button())
