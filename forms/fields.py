"""Fields and helpers that every form module shares."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovRadioInput,
    GovTextArea,
)
from wtforms import DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, StopValidation, ValidationError

from eip.errors import LARGEST_ID
from eip.submissions import new_token
from forms.widgets import TextInput


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(str(value), label) for value, label in pairs]


# ASCII digits only: `str.isdigit` also accepts "²" and other scripts' digits, which `int`
# then refuses (or reads as a number nobody typed), so every typed whole number goes here.
_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def whole_number(text: str | None) -> int | None:
    """The whole number typed in `text` (digits only, already stripped), or None. A number
    larger than any INTEGER column holds is not one: binding it would fail in the driver."""
    if text is None or _DIGITS.fullmatch(text) is None:
        return None
    number = int(text)
    return number if number <= LARGEST_ID else None


def optional_int(value: Any) -> int | None:
    """A select's (or a page number's) value: '' means none, and so does anything that is not
    a whole number an INTEGER column could hold (`?borough=` with 30 digits names nothing)."""
    if value in (None, "", "None"):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if abs(number) <= LARGEST_ID else None


class NoNul:
    """Refuses the NUL character in free text: PostgreSQL cannot store it, so it would
    otherwise fail the save with a server error instead of a message beside the field."""

    message = "Remove the hidden control character (NUL) from this text"

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str) and "\x00" in field.data:
            raise ValidationError(self.message)


def text_field(
    label: str,
    *,
    max_length: int,
    required: str | None = None,
    optional: bool = True,
    area: bool = False,
    no_nul: bool = False,
    description: str | None = None,
    name: str | None = None,
):
    """A GOV.UK text input (a text area with `area`) whose text is stripped: needed (with the
    message `required`) or not; at most `max_length` characters, said of `name` (the label by
    default). `optional=False` leaves an empty optional box to the length check alone;
    `no_nul` refuses NUL (PostgreSQL cannot store it; the accommodation forms ask for it)."""
    checks: list[Any] = [DataRequired(required)] if required else [Optional()] if optional else []
    if no_nul:
        checks.append(NoNul())
    checks.append(
        Length(max=max_length, message=f"{name or label} must be {max_length} characters or fewer")
    )
    field, widget = (TextAreaField, GovTextArea) if area else (StringField, TextInput)
    return field(
        label, description=description, widget=widget(), filters=[strip], validators=checks
    )


class Chosen:
    """One of the field's choices, with our message (WTForms' own says "Not a valid choice")."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form, field) -> None:
        allowed = {field.coerce(value) for value, *_ in field.choices}
        if field.data is None or field.data not in allowed:
            raise StopValidation(self.message)


def must_include(invalid: str, names: tuple[str, ...], parts: list[str]) -> str | None:
    """GOV.UK's message for a date with some boxes left empty ("The date of the session must
    include a month", "... a day and year"), said of what `invalid` names; None when every
    box was filled or the message names nothing."""
    missing = [name for name, part in zip(names, parts, strict=True) if not part]
    subject, found, _ = invalid.partition(" must be a real ")
    if not missing or not found:
        return None
    return f"{subject} must include a {' and '.join(missing)}"


class LondonDateField(DateField):
    """A GOV.UK date input (day, month, year) with messages of our own.

    `required=None` makes the date optional: three empty boxes give None."""

    def __init__(self, label: str, *, required: str | None, invalid: str, **kwargs: Any) -> None:
        kwargs.setdefault("widget", GovDateInput())
        super().__init__(label, format="%d %m %Y", invalid_value_message=invalid, **kwargs)
        self.required_message = required
        self.invalid_message = invalid

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [part.strip() for part in valuelist]
        # The widget shows back exactly three boxes, whatever a tampered request sent.
        self.raw_data = [*parts, "", "", ""][:3]
        if len(parts) != 3 or not any(parts):
            self.data = None
            if self.required_message is None:
                return  # an optional date left empty
            raise ValueError(self.required_message)
        if partly := must_include(self.invalid_message, ("day", "month", "year"), parts):
            self.data = None
            raise ValueError(partly)
        super().process_formdata(parts)


class GovMonthYearInput(GovDateInput):
    """The GOV.UK date input with only its month and year boxes: how a month is asked for
    (a report's month), never a browser's own month picker."""

    def map_gov_params(self, field, **kwargs):
        # GovDateInput's own mapping assumes three boxes; start from its base instead.
        params = super(GovDateInput, self).map_gov_params(field, **kwargs)
        month, year = None, None
        if field.raw_data is not None:
            month, year = field.raw_data
        elif field.data:
            month, year = field.data.strftime("%m %Y").split(" ")
        params.setdefault("fieldset", {"legend": {"text": field.label.text}})
        error = " govuk-input--error" if field.errors else ""
        params.setdefault(
            "items",
            [
                {
                    "label": "Month",
                    "id": f"{field.name}-month",
                    "name": field.name,
                    "classes": f"govuk-input--width-2{error}",
                    "value": month,
                },
                {
                    "label": "Year",
                    "id": f"{field.name}-year",
                    "name": field.name,
                    "classes": f"govuk-input--width-4{error}",
                    "value": year,
                },
            ],
        )
        return params


class MonthYearField(DateField):
    """A month as the GOV.UK pattern asks for it: month and year boxes (`10`, `2026`). Its
    data is the month's first day. `required=None` makes it optional."""

    def __init__(self, label: str, *, required: str | None, invalid: str, **kwargs: Any) -> None:
        kwargs.setdefault("widget", GovMonthYearInput())
        super().__init__(label, format="%m %Y", invalid_value_message=invalid, **kwargs)
        self.required_message = required
        self.invalid_message = invalid

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [part.strip() for part in valuelist]
        # The widget shows back exactly two boxes, whatever a tampered request sent.
        self.raw_data = [*parts, "", ""][:2]
        if len(parts) != 2 or not any(parts):
            self.data = None
            if self.required_message is None:
                return
            raise ValueError(self.required_message)
        if partly := must_include(self.invalid_message, ("month", "year"), parts):
            self.data = None
            raise ValueError(partly)
        super().process_formdata(parts)


def radio_field(label: str, pairs, message: str, *, description: str | None = None) -> RadioField:
    """GOV.UK radios for `pairs` (value, label): one must be chosen, else `message`."""
    return RadioField(
        label,
        # "", not None: the GOV.UK widget printed a None hint as the word "None".
        description=description or "",
        choices=choices(pairs),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[Chosen(message)],
    )


def date_field(label: str, what: str, example: str) -> LondonDateField:
    """A needed date, with the example as its hint and messages that name it: `what` is
    "the date of the session", `example` "27 3 2026"."""
    return LondonDateField(
        label,
        description=f"For example, {example}",
        required=f"Enter {what}",
        invalid=f"{what[0].upper()}{what[1:]} must be a real date, like {example}",
    )


class AdditionForm(FlaskForm):
    """A form that adds a record (a session, a meeting, an action...): no version, since an
    addition never conflicts, but a one-time token so that sending it twice saves it once
    (eip/submissions.py). `start()` gives a new page its token; a page shown again after a
    refusal keeps the one it was sent with, since nothing was saved under it."""

    submission = HiddenField()

    def start(self) -> None:
        self.submission.data = new_token()


def who_what_when(
    n: int,
    noun: str,
    *,
    what: str,
    who: str,
    who_hint: str,
    when: str,
    date_name: str,
    text_max: int,
    who_max: int,
) -> tuple[StringField, StringField, LondonDateField]:
    """Row `n` of who does what by when (a meeting's actions, a safety plan's steps): each
    label names its row ("Step 2: by whom"), so that it reads on its own."""
    title = noun.capitalize()
    action = StringField(
        f"{title} {n}: {what}",
        widget=TextInput(),
        filters=[strip],
        validators=[
            Length(max=text_max, message=f"{title} {n} must be {text_max} characters or fewer")
        ],
    )
    by_whom = StringField(
        f"{title} {n}: {who}",
        description=who_hint,
        widget=TextInput(),
        filters=[strip],
        validators=[
            Length(
                max=who_max, message=f"Who does {noun} {n} must be {who_max} characters or fewer"
            )
        ],
    )
    by_when = LondonDateField(
        f"{title} {n}: {when}",
        description="For example, 3 4 2026",
        required=None,
        invalid=f"The {date_name} of {noun} {n} must be a real date, like 3 4 2026",
    )
    return action, by_whom, by_when
