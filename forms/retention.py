"""The retention review's forms: a legal hold placed or removed, a batch confirmed."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from eip.privacy.review import REASON_MAX
from forms.widgets import Button, TextInput

_LENGTH = Length(max=REASON_MAX, message=f"The reason must be {REASON_MAX} characters or fewer")


class PlaceHoldForm(FlaskForm):
    reference = StringField(
        "Case reference",
        description="For example, EIP-2026-0001",
        widget=TextInput(),
        validators=[DataRequired("Enter the case reference")],
    )
    reason = TextAreaField(
        "Why the case must be kept",
        description="For example, a claim, an inquiry or a police request. Do not name anyone",
        widget=GovTextArea(),
        validators=[DataRequired("Enter why the case is held"), _LENGTH],
    )
    submit = SubmitField("Place the legal hold", widget=Button())


class RemoveHoldForm(FlaskForm):
    reason = TextAreaField(
        "Why the hold is removed",
        widget=GovTextArea(),
        validators=[DataRequired("Enter why the hold is removed"), _LENGTH],
    )
    submit = SubmitField("Remove the legal hold", widget=Button())


class ConfirmBatchForm(FlaskForm):
    """Only the CSRF token: the cases are the page's checkboxes (`case_ids`)."""
