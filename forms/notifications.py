"""The reminder e-mail preference form. It checks the shape of input; the service checks
the rule."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from wtforms import RadioField, SubmitField

from eip.notifications.centre import EMAIL_PREFERENCES
from forms.fields import Chosen, choices
from forms.widgets import Button

CHOOSE_MESSAGE = "Select how you want reminders by e-mail"


class EmailPreferenceForm(FlaskForm):
    notification_email = RadioField(
        "How do you want reminders by e-mail?",
        description="Every reminder also shows on your notifications page.",
        choices=choices(EMAIL_PREFERENCES.items()),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[Chosen(CHOOSE_MESSAGE)],
    )
    submit = SubmitField("Save", widget=Button())
