"""Searching the audit trail."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional, ValidationError

from forms.fields import LondonDateField, whole_number
from forms.widgets import Button, Select, TextInput


class AuditSearchForm(FlaskForm):
    # Users are chosen by id, so that no e-mail address travels in the URL.
    user = SelectField("User", widget=Select(), validators=[Optional()], validate_choice=False)
    case_reference = StringField(
        "Case reference",
        description="All or part of it, for example EIP-2026-0001 or 0001",
        widget=TextInput(),
        validators=[Optional(), Length(max=20)],
    )
    date_from = LondonDateField(
        "From",
        description="For example, 1 11 2026",
        required=None,
        invalid="The start date must be a real date, like 1 11 2026",
    )
    date_to = LondonDateField(
        "To", required=None, invalid="The end date must be a real date, like 30 11 2026"
    )
    submit = SubmitField("Search", widget=Button())

    def validate_user(self, field):
        if field.data and whole_number(str(field.data)) is None:
            raise ValidationError("Choose a user from the list")

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date must be the same as or after the start date")
