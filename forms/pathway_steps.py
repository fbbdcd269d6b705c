"""Forms for the consultation, the plan, onward referrals, the scenario plan, consent
and closure. They check the shape of input; the services check the rules (dates
against the referral, what the state machine allows) and report back by field name.

A form that edits a record carries the version of that record the user saw (the booking,
the consent of each person and purpose, an onward referral, the scenario plan), so that a save
made from a stale page is refused rather than merged, and a change to another record of the
case does not refuse it. Closing and reopening carry none: they move the case on, and the
state machine is checked again inside the transaction. Additions carry a one-time
submission token instead (eip/submissions.py).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
)
from wtforms import BooleanField, HiddenField, RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, ValidationError

from eip.cases import choices as lists
from eip.cases.consent_services import CHOICES, decision_field
from eip.cases.consent_state import KINDS
from eip.cases.consultation_services import ACTION_ROWS, PlanAction
from eip.cases.rules import CLOSURE_OUTCOMES, CONSULTATION_OUTCOMES
from eip.clock import parse_time
from eip.vocabulary import TIME_HINT, TIME_INVALID
from forms.fields import (
    AdditionForm,
    LondonDateField,
    choices,
    date_field,
    radio_field,
    strip,
    text_field,
    whole_number,
)
from forms.widgets import Button, Checkbox, TextInput

LONDON = ZoneInfo("Europe/London")
TEXT_MAX = 5000


def _text(label: str, message: str, *, description: str | None = None, max_length=TEXT_MAX):
    return text_field(
        label, required=message, area=True, description=description, max_length=max_length
    )


def _optional_text(label: str, *, description: str | None = None, max_length=TEXT_MAX):
    return text_field(label, area=True, description=description, max_length=max_length)


def _line(label: str, message: str | None, *, description: str | None = None, max_length=120):
    return text_field(label, required=message, description=description, max_length=max_length)


class StepForm(FlaskForm):
    # The version of the record this form edits, as the page showed it: a save from an
    # older page is refused.
    version = HiddenField()


class TransitionForm(FlaskForm):
    """Moves the case on (close, reopen): the state machine is the check, no version."""


# ---------------------------------------------------------------------------
# Consultation


class BookConsultationForm(StepForm):
    scheduled_on = date_field(
        "Date of the consultation", "the date of the consultation", "27 11 2026"
    )
    scheduled_time = StringField(
        "Time",
        description=TIME_HINT,
        widget=TextInput(),
        filters=[strip],
        validators=[DataRequired("Enter the time of the consultation")],
    )
    medium = radio_field(
        "How will it be held?",
        lists.CONSULTATION_MEDIUM,
        "Select how the consultation will be held",
    )
    attendees = _text(
        "Who will attend",
        "Enter who will attend the consultation",
        description="The practitioner, the social worker and anyone else, with their roles",
    )
    submit = SubmitField("Save the booking", widget=Button())

    def validate_scheduled_time(self, field) -> None:
        field.parsed = parse_time(field.data)
        if field.parsed is None:
            raise ValidationError(TIME_INVALID)

    def scheduled_for(self) -> datetime | None:
        """The date and time as an aware moment in London time."""
        parsed = getattr(self.scheduled_time, "parsed", None)
        if self.scheduled_on.data is None or parsed is None:
            return None
        return datetime.combine(self.scheduled_on.data, parsed, tzinfo=LONDON)


def _action_fields(n: int) -> dict:
    return {
        f"action_{n}_description": _optional_text(f"Action {n}: what will be done"),
        f"action_{n}_owner": _line(
            f"Action {n}: owner", None, description="Who does it, for example the social worker"
        ),
        f"action_{n}_review_on": LondonDateField(
            f"Action {n}: due date",
            description="For example, 4 12 2026",
            required=None,
            invalid=f"The due date of action {n} must be a real date, like 4 12 2026",
        ),
    }


class RecordConsultationForm(StepForm):
    """The consultation, its outcome and the plan, with up to ACTION_ROWS actions
    (their fields are added below the class: action_<n>_description, _owner, _review_on)."""

    held_on = date_field(
        "Date the consultation was held", "the date the consultation was held", "27 11 2026"
    )
    outcome = radio_field(
        "Outcome", CONSULTATION_OUTCOMES, "Select the outcome of the consultation"
    )
    advice = _optional_text(
        "Advice to the social worker",
        description="Needed when the outcome is consultation only",
    )
    plan_risks = _text(
        "Risks",
        "Enter the risks in the plan",
        description="To the partner, the children and others, and what makes them worse",
    )
    plan_protective_factors = _optional_text(
        "Protective factors", description="What keeps the family safe and can be built on"
    )
    submit = SubmitField("Save the consultation and plan", widget=Button())

    def action_rows(self) -> list[tuple]:
        """(description, owner, due date) fields per row, for the template."""
        return [
            (
                self[f"action_{n}_description"],
                self[f"action_{n}_owner"],
                self[f"action_{n}_review_on"],
            )
            for n in range(1, ACTION_ROWS + 1)
        ]

    def plan_actions(self) -> list[PlanAction]:
        """Rows with anything typed in them; an empty row is no action."""
        actions = []
        for description, owner, review_on in self.action_rows():
            if description.data or owner.data or review_on.data or any(review_on.raw_data or []):
                actions.append(PlanAction(description.data or "", owner.data or "", review_on.data))
        return actions


for _n in range(1, ACTION_ROWS + 1):
    for _name, _field in _action_fields(_n).items():
        setattr(RecordConsultationForm, _name, _field)


class PlanActionForm(AdditionForm):
    description = _text("What will be done", "Enter what the action is")
    owner = _line(
        "Owner",
        "Enter who owns the action",
        description="Who does it, for example the social worker",
    )
    review_on = date_field("Due date", "the due date", "4 12 2026")
    submit = SubmitField("Add the action", widget=Button())


# ---------------------------------------------------------------------------
# Onward referrals and the scenario plan


class OnwardReferralForm(AdditionForm):
    agency = radio_field(
        "Agency referred to", lists.ONWARD_REFERRAL_AGENCY, "Select the agency referred to"
    )
    agency_name = _line(
        "Name of the agency",
        None,
        description="Needed when you chose Other; for example, the local service's name",
    )
    referred_on = date_field("Date of the referral", "the date of the referral", "27 11 2026")
    status = radio_field(
        "Status", lists.ONWARD_REFERRAL_STATUS, "Select the status of the referral"
    )
    note = _optional_text("Note (optional)", max_length=2000)
    submit = SubmitField("Save the onward referral", widget=Button())


class OnwardReferralStatusForm(StepForm):
    status = radio_field(
        "Status", lists.ONWARD_REFERRAL_STATUS, "Select the status of the referral"
    )
    submit = SubmitField("Save the status", widget=Button())


class ScenarioPlanForm(StepForm):
    plan = _text(
        "Scenario plan",
        "Enter what happens if the couple stay apart after the 4 weeks",
        description=(
            "What happens if the client and the partner decide to keep living apart after the "
            "4 weeks, or if return home is unsafe: housing options, support, who does what"
        ),
    )
    submit = SubmitField("Save the scenario plan", widget=Button())


# ---------------------------------------------------------------------------
# Consent


class ConsentsForm(StepForm):
    """One person's consent to every purpose, on one date, obtained by one person in one way.
    Each purpose's decision (`decision_<kind>`: given, declined or not asked) is checked by
    the service, which knows which purposes are asked now (eip/cases/consent_services.py);
    the page shows only those."""

    recorded_on = date_field("Date of the decisions", "the date of the decisions", "27 11 2026")
    obtained_by = _line(
        "Who obtained them",
        "Enter who obtained the consent",
        description="Name and role, for example the allocated social worker",
    )
    how = radio_field(
        "How were they obtained?", lists.HOW_CONSENT_OBTAINED, "Select how consent was obtained"
    )
    submit = SubmitField("Save the decisions", widget=Button())

    def decision_fields(self) -> list:
        return [self[decision_field(kind)] for kind in KINDS]

    def decisions(self) -> dict[str, str | None]:
        return {kind: self[decision_field(kind)].data for kind in KINDS}


for _kind, _label in lists.CONSENT_KINDS:
    setattr(
        ConsentsForm,
        decision_field(_kind),
        RadioField(
            f"Consent to {_label[0].lower()}{_label[1:]}"
            if _kind != "evaluation"
            else "Consent to their anonymised data being used in the evaluation",
            choices=choices(CHOICES),
            widget=GovRadioInput(),
            validate_choice=False,
        ),
    )


class WithdrawConsentForm(StepForm):
    withdrawn_on = date_field(
        "Date consent was withdrawn", "the date consent was withdrawn", "27 11 2026"
    )
    reason = _text("Reason", "Enter the reason consent was withdrawn", max_length=2000)
    submit = SubmitField("Record the withdrawal", widget=Button())


# ---------------------------------------------------------------------------
# Closure


def _whole_number(form, field) -> None:
    text = (field.data or "").strip()
    if not text:
        raise ValidationError("Enter the number of police call-outs since the referral")
    number = whole_number(text)
    if number is None:
        raise ValidationError("The number of police call-outs must be a whole number, like 2")
    field.number = number


class CloseCaseForm(TransitionForm):
    outcome = radio_field("Outcome", CLOSURE_OUTCOMES, "Select the outcome of the case")
    risk_level = radio_field(
        "Risk at closure", lists.RISK_LEVEL, "Select the level of risk at closure"
    )
    living_arrangements = radio_field(
        "Living arrangements at closure",
        lists.LIVING_ARRANGEMENTS_AT_CLOSURE,
        "Select the living arrangements at closure",
    )
    childrens_services_status = radio_field(
        "Children's services status at closure",
        lists.CHILDRENS_SERVICES_STATUS,
        "Select the children's services status at closure",
    )
    police_callouts = StringField(
        "Police call-outs since the referral",
        description="A whole number; 0 if there were none",
        widget=TextInput(),
        validators=[_whole_number],
    )
    reason = _text("Reason for closing", "Enter the reason the case is closed")
    # Shown and required only when the risk is high or a referral is open: the service
    # decides (eip.cases.closure_services.risk_reason_needed).
    risk_reason = _optional_text(
        "Why close the case while the risk is high",
        description="What has been done about the risk, and who is managing it now",
    )
    # Shown only when the case has a sensitive note: the one way one reaches a document.
    sensitive_notes = BooleanField(
        "Put the sensitive case notes on the closure summary",
        description="Left unticked, the closure summary lists only the notes not marked sensitive",
        widget=Checkbox(),
    )
    submit = SubmitField("Close the case", widget=Button())

    def callouts(self) -> int | None:
        return getattr(self.police_callouts, "number", None)


class ReopenForm(TransitionForm):
    reason = _text(
        "Reason for reopening",
        "Enter the reason the case is reopened",
        description="Kept in the audit trail for programme managers",
        max_length=2000,
    )
    submit = SubmitField("Reopen the case", widget=Button())


def london_parts(moment: datetime) -> tuple[date, str]:
    """A stored moment as the date and the 24-hour time the booking form shows."""
    local = moment.astimezone(LONDON)
    return local.date(), local.strftime("%H:%M")
