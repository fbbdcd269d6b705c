"""The safety plan form: one person at risk's plan, written or changed on one page. It checks
the shape of input; eip/cases/safety_plans.py checks the rules."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from wtforms import HiddenField, RadioField, StringField, SubmitField

from eip.cases.safety_plans import STEP_ROWS, TEXT_MAX, StepInput
from forms.fields import AdditionForm, LondonDateField, text_field, who_what_when
from forms.widgets import Button

WHO_MAX = 120


def _area(label: str, name: str, *, hint: str | None = None, required: str | None = None):
    return text_field(
        label,
        required=required,
        optional=False,
        area=True,
        description=hint,
        max_length=TEXT_MAX,
        name=name,
    )


def _step_fields(n: int) -> tuple[StringField, StringField, LondonDateField]:
    return who_what_when(
        n,
        "step",
        what="what is done",
        who="by whom",
        who_hint="For example, the IDVA or the social worker",
        when="by when",
        date_name="date",
        text_max=TEXT_MAX,
        who_max=WHO_MAX,
    )


class SafetyPlanForm(AdditionForm):
    """Adding a plan carries the one-time token (saved once); changing one carries the
    plan's version (a save from an older page is refused)."""

    version = HiddenField()
    # Its choices are the people at risk with no plan yet (set by the view); the service
    # checks the choice, so a stale or forged value gets the same message as none.
    person = RadioField(
        "Who is this safety plan for?",
        description="The client is the person who harms: a plan is for a person at risk",
        choices=[],
        widget=GovRadioInput(),
        validate_choice=False,
    )
    risks = _area(
        "Risks to this person",
        "The risks",
        hint="What could happen, from whom, and when it is most likely",
        required="Enter the risks to this person",
    )
    protective_steps = _area(
        "Protective steps (optional)",
        "The protective steps",
        hint="What keeps this person safe now, and what more is in place",
    )
    step1_action, step1_by_whom, step1_by_when = _step_fields(1)
    step2_action, step2_by_whom, step2_by_when = _step_fields(2)
    step3_action, step3_by_whom, step3_by_when = _step_fields(3)
    step4_action, step4_by_whom, step4_by_when = _step_fields(4)
    agencies = _area(
        "Agencies involved (optional)",
        "The agencies involved",
        hint="For example, the IDVA service, children's social care, the school",
    )
    safe_contact = _area(
        "Safe contact arrangements (optional)",
        "The safe contact arrangements",
        hint=(
            "How and when this person can be contacted safely. Shown only on this case's page "
            "to practitioners and managers, never in any document"
        ),
    )
    submit = SubmitField("Save the safety plan", widget=Button())

    def step_rows(self) -> list[StepInput]:
        return [
            StepInput(
                number=n,
                action=self[f"step{n}_action"].data,
                by_whom=self[f"step{n}_by_whom"].data,
                by_when=self[f"step{n}_by_when"].data,
            )
            for n in range(1, STEP_ROWS + 1)
        ]

    def values(self) -> dict[str, Any]:
        return {
            "risks": self.risks.data,
            "protective_steps": self.protective_steps.data,
            "steps": self.step_rows(),
            "agencies": self.agencies.data,
            "safe_contact": self.safe_contact.data,
        }
