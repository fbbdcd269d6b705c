"""Forms for what happens while a case runs: sessions, meetings, incidents, DASH
reviews and actions. They check the shape of input; the services check the rules."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
)
from wtforms import BooleanField, RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from eip.cases import choices as case_choices
from eip.cases import dash
from eip.cases.activity_services import MAX_MEETING_ACTIONS, ActionInput
from eip.cases.safety_plans import ReviewInput
from forms.fields import (
    AdditionForm,
    Chosen,
    LondonDateField,
    choices,
    date_field,
    radio_field,
    strip,
    text_field,
    who_what_when,
    whole_number,
)
from forms.widgets import Button, Checkbox, TextInput

TEXT_MAX = 5000
SESSION_MINUTES_MESSAGE = "Enter how long the session lasted, from 1 to 480 minutes"
OWNER_MAX = 120


def _long_text(label: str, name: str, *, hint: str | None = None, required: str | None = None):
    """A text area; `name` is how messages refer to it ("The notes")."""
    return text_field(
        label,
        required=required,
        optional=False,
        area=True,
        description=hint,
        max_length=TEXT_MAX,
        name=name,
    )


class WholeNumber:
    """A whole number typed in a text box (GOV.UK asks for text inputs with
    inputmode=numeric, not type=number); the number is kept on `field.value`."""

    def __init__(self, low: int, high: int, message: str, *, required: bool = True) -> None:
        self.low, self.high, self.message, self.required = low, high, message, required

    def __call__(self, form, field) -> None:
        text = (field.data or "").strip().replace(",", "")
        field.value = None
        if not text and not self.required:
            return
        number = whole_number(text)
        if number is None or not self.low <= number <= self.high:
            raise ValidationError(self.message)
        field.value = number


class _StepForm(AdditionForm):
    """An addition: no version (it never conflicts), a one-time token (saved once)."""


# ---------------------------------------------------------------------------
# Intervention sessions


class SessionForm(_StepForm):
    held_on = date_field("Date of the session", "the date of the session", "27 3 2026")
    duration_minutes = StringField(
        "How long it lasted",
        description="In minutes, from 1 to 480",
        widget=TextInput(),
        filters=[strip],
        validators=[
            WholeNumber(1, 480, "Enter how long the session lasted, from 1 to 480 minutes")
        ],
    )
    attendance = radio_field(
        "Did the client attend?",
        case_choices.SESSION_ATTENDANCE,
        "Select whether the client attended",
    )
    themes = _long_text("Themes (optional)", "The themes", hint="What the session worked on")
    notes = _long_text("Notes (optional)", "The notes")
    submit = SubmitField("Save session", widget=Button())

    def values(self) -> dict[str, Any]:
        return {
            "held_on": self.held_on.data,
            "duration_minutes": getattr(self.duration_minutes, "value", None),
            "attendance": self.attendance.data,
            "themes": self.themes.data,
            "notes": self.notes.data,
        }


# ---------------------------------------------------------------------------
# Professionals meetings


def _action_fields(n: int) -> tuple[StringField, StringField, LondonDateField]:
    return who_what_when(
        n,
        "action",
        what="what needs to be done",
        who="owner",
        who_hint="Who will do it, for example the social worker",
        when="due date",
        date_name="due date",
        text_max=TEXT_MAX,
        who_max=OWNER_MAX,
    )


class MeetingForm(_StepForm):
    held_on = date_field("Date of the meeting", "the date of the meeting", "27 3 2026")
    attendees = _long_text(
        "Who attended",
        "The list of who attended",
        hint="Names and roles, for example the practitioner and the social worker",
        required="Enter who attended the meeting",
    )
    risk_update = _long_text("Risk update (optional)", "The risk update")
    progress = _long_text("Progress (optional)", "The progress note")
    action1_description, action1_owner, action1_due_on = _action_fields(1)
    action2_description, action2_owner, action2_due_on = _action_fields(2)
    action3_description, action3_owner, action3_due_on = _action_fields(3)
    submit = SubmitField("Save meeting", widget=Button())
    # The case's safety plans, (id, whose) each: `meeting_form` gives each its two fields.
    safety_plans: tuple[tuple[int, str], ...] = ()

    def action_rows(self) -> list[ActionInput]:
        return [
            ActionInput(
                number=n,
                description=self[f"action{n}_description"].data,
                owner=self[f"action{n}_owner"].data,
                due_on=self[f"action{n}_due_on"].data,
            )
            for n in range(1, MAX_MEETING_ACTIONS + 1)
        ]

    def values(self) -> dict[str, Any]:
        return {
            "held_on": self.held_on.data,
            "attendees": self.attendees.data,
            "risk_update": self.risk_update.data,
            "progress": self.progress.data,
            "actions": self.action_rows(),
            "safety_plan_reviews": [
                ReviewInput(
                    plan_id,
                    bool(self[f"plan{plan_id}_reviewed"].data),
                    self[f"plan{plan_id}_change"].data,
                )
                for plan_id, _ in self.safety_plans
            ],
        }


def meeting_form(plans: list[tuple[int, str]]) -> MeetingForm:
    """The meeting form with, for each safety plan of the case, whether it was reviewed at
    the meeting and what changed (the fields are named by the plan's id)."""
    fields: dict[str, Any] = {}
    for plan_id, who in plans:
        fields[f"plan{plan_id}_reviewed"] = BooleanField(
            f"The safety plan for {who} was reviewed at this meeting", widget=Checkbox()
        )
        fields[f"plan{plan_id}_change"] = _long_text(
            f"What changed in the safety plan for {who} (optional)",
            f"What changed in the safety plan for {who}",
        )
    form = type("MeetingForm", (MeetingForm,), fields)()
    form.safety_plans = tuple(plans)
    return form


# ---------------------------------------------------------------------------
# Incidents


class IncidentForm(_StepForm):
    occurred_on = LondonDateField(
        "Date of the incident",
        description="For example, 27 3 2026. An incident before the referral can be recorded",
        required="Enter the date of the incident",
        invalid="The date of the incident must be a real date, like 27 3 2026",
    )
    source = radio_field(
        "How did it become known?",
        case_choices.INCIDENT_SOURCE,
        "Select where the incident was reported from",
        description="A police call-out counts towards escalation on the next DASH review",
    )
    description = _long_text("What happened", "What happened", required="Enter what happened")
    response = _long_text(
        "Response (optional)", "The response", hint="What was done about it, and by whom"
    )
    submit = SubmitField("Save incident", widget=Button())

    def values(self) -> dict[str, Any]:
        return {
            "occurred_on": self.occurred_on.data,
            "source": self.source.data,
            "description": self.description.data,
            "response": self.response.data,
        }


# ---------------------------------------------------------------------------
# DASH risk reviews: 24 radio groups, built from the checklist's data file.

ANSWER_CHOICES = choices(dash.ANSWER_LABELS.items())
JUDGEMENT_CHOICES = choices(dash.JUDGEMENTS.items())


def _dash_fields() -> dict[str, Any]:
    """The fields in page order (WTForms orders fields by when they were made)."""
    fields: dict[str, Any] = {
        "completed_on": LondonDateField(
            "Date the review was completed",
            description="For example, 27 3 2026",
            required="Enter the date the review was completed",
            invalid="The date the review was completed must be a real date, like 27 3 2026",
        ),
    }
    for q in dash.questions():
        fields[f"q{q.number}"] = RadioField(
            f"{q.number}. {q.text}",
            description=q.label,
            choices=ANSWER_CHOICES,
            widget=GovRadioInput(),
            validate_choice=False,
            validators=[Chosen(f"Answer question {q.number} ({q.label})")],
        )
    fields["professional_judgement"] = RadioField(
        "In your professional judgement, how high is the risk?",
        description="Your judgement can raise the level the score and escalation give, "
        "never lower it",
        choices=JUDGEMENT_CHOICES,
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[Chosen("Select your professional judgement of the risk")],
    )
    fields["judgement_note"] = _long_text(
        "Why (needed if your judgement raises the level)",
        "The reason for your judgement",
        hint="What your judgement rests on",
    )
    fields["escalation_incidents"] = StringField(
        "Incidents counted for escalation",
        widget=TextInput(),
        filters=[strip],
        validators=[
            WholeNumber(0, 99, "Enter the number of incidents, from 0 to 99", required=False)
        ],
    )
    fields["submit"] = SubmitField("Save review", widget=Button())
    return fields


_DashFields: type[FlaskForm] = type("_DashFields", (AdditionForm,), _dash_fields())


class DashForm(_DashFields):  # type: ignore[misc, valid-type]
    # Whether the judgement needs its reason depends on the score and the thresholds:
    # eip.cases.dash_services.record_dash says so.

    def question_fields(self) -> list[Any]:
        return [self[f"q{q.number}"] for q in dash.questions()]

    def answers(self) -> dict[int, str | None]:
        return {q.number: self[f"q{q.number}"].data or None for q in dash.questions()}

    def values(self) -> dict[str, Any]:
        return {
            "completed_on": self.completed_on.data,
            "answers": self.answers(),
            "professional_judgement": self.professional_judgement.data or None,
            "judgement_note": self.judgement_note.data,
            "escalation_incidents": getattr(self.escalation_incidents, "value", None),
        }


# ---------------------------------------------------------------------------
# Actions


class ActionForm(_StepForm):
    description = _long_text(
        "What needs to be done", "The action", required="Enter what needs to be done"
    )
    owner = StringField(
        "Owner",
        description="Who will do it, for example the practitioner or the social worker",
        widget=TextInput(),
        filters=[strip],
        validators=[
            DataRequired("Enter who owns the action"),
            Length(max=OWNER_MAX, message=f"The owner must be {OWNER_MAX} characters or fewer"),
        ],
    )
    due_on = LondonDateField(
        "Due date",
        description="For example, 3 4 2026",
        required="Enter the date the action is due",
        invalid="The due date must be a real date, like 3 4 2026",
    )
    urgent = BooleanField("This action is urgent", widget=Checkbox())
    submit = SubmitField("Add action", widget=Button())

    def values(self) -> dict[str, Any]:
        return {
            "description": self.description.data,
            "owner": self.owner.data,
            "due_on": self.due_on.data,
            "urgent": bool(self.urgent.data),
        }


class CompleteActionForm(FlaskForm):
    """The "Mark as done" button: the CSRF token only (marking done is a conditional UPDATE,
    so the second of two is told it is already done)."""


def prefill(form: AdditionForm, **dates: date) -> None:
    """What a new form shows: its one-time token, and today's date where it helps."""
    form.start()
    for name, value in dates.items():
        form[name].data = value
