"""Forms for evaluation extracts: the period to prepare, the reason for a withdrawal.
They check the shape of input; the services check the rules (enough cases for k)."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from evaluation.services import WITHDRAWAL_REASON_MAX
from forms.fields import LondonDateField, strip
from forms.widgets import Button

# Referrals were first recorded in this programme's lifetime; these bounds only keep
# impossible dates (year 1, year 9999) away from the date arithmetic.
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


class PrepareForm(FlaskForm):
    period_start = LondonDateField(
        "Referred from",
        description="The first day of the period, for example, 19 8 2026",
        required="Enter the first day of the period",
        invalid="The first day of the period must be a real date, like 19 8 2026",
    )
    period_end = LondonDateField(
        "Referred up to",
        description="The last day of the period, for example, 31 12 2026",
        required="Enter the last day of the period",
        invalid="The last day of the period must be a real date, like 31 12 2026",
    )
    submit = SubmitField("Prepare the extract", widget=Button())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # A POST with no form data at all never reaches the date fields' own checks.
        for field in (self.period_start, self.period_end):
            if field.data is None and not field.errors:
                field.errors = [field.required_message]
                valid = False
        start, end = self.period_start.data, self.period_end.data
        for field in (self.period_start, self.period_end):
            if field.data is not None and not EARLIEST <= field.data <= LATEST:
                field.errors = [
                    *field.errors,
                    f"Enter a date between {EARLIEST.year} and {LATEST.year}",
                ]
                valid = False
        if valid and start and end and end < start:
            self.period_end.errors = [
                *self.period_end.errors,
                "The last day of the period must be the same as or after the first day",
            ]
            valid = False
        return valid


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        "Why is the extract being withdrawn?",
        description="For example, it included a case whose consent was withdrawn the same day. "
        "Do not write anyone's name",
        widget=GovTextArea(),
        filters=[strip],
        validators=[
            DataRequired("Enter why the extract is withdrawn"),
            Length(
                max=WITHDRAWAL_REASON_MAX,
                message=f"The reason must be {WITHDRAWAL_REASON_MAX} characters or fewer",
            ),
        ],
    )
    submit = SubmitField("Withdraw the extract", widget=Button())
