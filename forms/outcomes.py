"""The outcome measures form: one measurement point's answers, recorded or corrected on one
page. Its wording comes from eip/cases/outcome_measures.json; it checks the shape of input
(each answer on its scale), eip/cases/outcome_services.py the rules."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from wtforms import HiddenField, RadioField, SubmitField

from eip.cases import outcomes
from forms.fields import AdditionForm, Chosen, choices, date_field
from forms.widgets import Button

NOT_KNOWN = "not_known"


def _radios(label: str, pairs, *, hint: str = "", message: str | None = None) -> RadioField:
    return RadioField(
        label,
        description=hint,
        choices=choices([(str(value), text) for value, text in pairs]),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[Chosen(message)] if message else [],
    )


def _frequencies(*, not_known: bool) -> list[tuple[str, str]]:
    pairs = [(str(f["value"]), f["label"]) for f in outcomes.data()["frequency"]]
    return pairs + ([(NOT_KNOWN, outcomes.data()["not_known"])] if not_known else [])


def _fields() -> dict[str, Any]:
    data = outcomes.data()
    fields: dict[str, Any] = {
        "version": HiddenField(),
        "measured_on": date_field(
            "Date the measures were taken", "the date the measures were taken", "27 3 2027"
        ),
    }
    for behaviour in outcomes.behaviours():
        fields[behaviour.column] = _radios(
            behaviour.label,
            _frequencies(not_known=True),
            hint=behaviour.hint,
            message=f"Select how often in the last 3 months: {behaviour.label.lower()}",
        )
    fields["partner_source"] = _radios(
        "Was the partner asked, and by whom?",
        [(s["value"], s["label"]) for s in data["partner_source"]],
        hint="Ask only where it is safe. The partner's answers are kept only when they were asked",
        message="Select whether the partner was asked, and by whom",
    )
    safe = data["feels_safe"]
    fields["partner_feels_safe"] = _radios(
        "How safe does the partner feel now?",
        [(n, str(n)) for n in range(safe["lowest"], safe["highest"] + 1)],
        hint=f"0 is {safe['lowest_label'].lower()}, 10 is {safe['highest_label'].lower()}",
    )
    fields["partner_abuse_frequency"] = _radios(
        "How often does the partner say abuse happened in the last 3 months?",
        _frequencies(not_known=False),
    )
    fields["partner_quality_of_life"] = _radios(
        "How does the partner rate their life now?",
        [(q["value"], q["label"]) for q in data["quality_of_life"]],
    )
    fields["children_exposure"] = _radios(
        "The children's exposure to abuse in the last 3 months",
        [(c["value"], c["label"]) for c in data["children_exposure"]],
        message="Select the children's exposure to abuse",
    )
    fields["submit"] = SubmitField("Save the outcome measures", widget=Button())
    return fields


_OutcomeFields: type[AdditionForm] = type("_OutcomeFields", (AdditionForm,), _fields())


class OutcomeForm(_OutcomeFields):  # type: ignore[misc, valid-type]
    """Recording a point carries the one-time token (saved once); correcting it carries the
    measurement's version (a save from an older page is refused)."""

    def behaviour_fields(self) -> list[Any]:
        return [self[b.column] for b in outcomes.behaviours()]

    def values(self) -> dict[str, Any]:
        return {
            "measured_on": self.measured_on.data,
            **{name: self[name].data or None for name in outcomes.ANSWER_COLUMNS},
        }
