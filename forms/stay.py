"""Forms for the stay: the signed agreement, check-in, move-out, cancellation and the
return-home review. They check the shape of input (a real date, text not too long); the
services in accommodation/stay/services.py check the rules and report back by field name.

Every form carries the placement version the page showed, so a save made from a stale page
is refused rather than applied to a placement that has moved on.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from wtforms import BooleanField, HiddenField, RadioField, SubmitField
from wtforms.validators import Optional

from forms.fields import LondonDateField, choices, date_field
from forms.placement import free_text
from forms.widgets import Button, Checkbox

TEXT_MAX = 5000
SAFE_CHOICES = (("yes", "Yes, it is safe to return home"), ("no", "No, returning home is unsafe"))


def _date(label: str, what: str) -> LondonDateField:
    return date_field(label, f"the date {what}", "27 11 2026")


class StayForm(FlaskForm):
    # The placement version the page showed: a save from an older page is refused.
    version = HiddenField()


class AgreementForm(StayForm):
    signed_on = _date("Date the client signed the agreement", "the client signed the agreement")
    submit = SubmitField("Save the signed agreement", widget=Button())


class CheckInForm(StayForm):
    checked_in_on = _date("Date the client checked in", "the client checked in")
    submit = SubmitField("Save the check-in", widget=Button())


class MoveOutForm(StayForm):
    moved_out_on = _date("Date the client moved out", "the client moved out")
    submit = SubmitField("Save the move-out", widget=Button())


class CancelForm(StayForm):
    cancelled_on = _date("Date the placement was cancelled", "the placement was cancelled")
    reason = free_text(
        "Why was it cancelled?",
        description="For example, the client chose to stay with family. Do not write the "
        "partner's details here.",
        max_length=2000,
    )
    submit = SubmitField("Cancel the placement", widget=Button())


class ReturnHomeReviewForm(StayForm):
    reviewed_on = _date("Date of the review", "of the review")
    children_risks_reviewed = BooleanField(
        "The risks to the children have been reviewed", widget=Checkbox()
    )
    adults_risks_reviewed = BooleanField(
        "The risks to the adults have been reviewed", widget=Checkbox()
    )
    return_safe = RadioField(
        "Is it safe for the client to return home?",
        choices=choices(SAFE_CHOICES),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[Optional()],
    )
    support_package = free_text(
        "Support package agreed",
        description="Needed when it is safe to return home: who does what, and when",
        max_length=TEXT_MAX,
    )
    protective_steps = free_text(
        "Protective steps taken",
        description="Needed when returning home is unsafe: what has been done to keep "
        "everyone safe",
        max_length=TEXT_MAX,
    )
    submit = SubmitField("Save the return-home review", widget=Button())

    def safe(self) -> bool | None:
        """The answer as the service takes it: True, False, or None when not chosen."""
        return {"yes": True, "no": False}.get(self.return_safe.data or "")
