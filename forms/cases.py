"""Finding cases: the case list's filters."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from forms.fields import text_field
from forms.widgets import Button, Checkbox, Select, TextInput


class CaseFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search: nothing changes

    reference = StringField(
        "Case reference",
        description="All or part of it, for example 0012",
        widget=TextInput(),
        validators=[Optional(), Length(max=20)],
    )
    status = SelectField("Status", widget=Select(), validators=[Optional()], validate_choice=False)
    borough = SelectField(
        "Borough", widget=Select(), validators=[Optional()], validate_choice=False
    )
    practitioner = SelectField(
        "Practitioner", widget=Select(), validators=[Optional()], validate_choice=False
    )
    overdue = BooleanField("Only cases with something overdue", widget=Checkbox())
    submit = SubmitField("Find cases", widget=Button())


class CaseSearchForm(FlaskForm):
    # Sent by POST: what is typed is personal data, kept out of URLs, history and proxies.
    text = text_field(
        "Name, date of birth or case reference",
        description="All or part of the client's name, a date of birth like 12 3 1985, "
        "or part of a reference like 0012",
        required="Enter a name, a date of birth or part of a case reference",
        max_length=120,
        name="What you search for",
    )
    submit = SubmitField("Find a case", widget=Button())
