"""Reassigning a case to another practitioner (a manager's form)."""

from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField
from wtforms.validators import Optional

from forms.fields import text_field
from forms.widgets import Button, Select


class ReassignForm(FlaskForm):
    # The choices are the active practitioners, set by the view; the service checks the
    # one chosen is still an active practitioner when it saves.
    practitioner = SelectField(
        "New practitioner", widget=Select(), validators=[Optional()], validate_choice=False
    )
    reason = text_field(
        "Reason for reassigning",
        required="Enter the reason for reassigning the case",
        area=True,
        max_length=500,
        description="Kept in the audit trail for programme managers",
    )
    submit = SubmitField("Reassign the case", widget=Button())
