"""`forms.widgets` writes the GOV.UK select, text input, checkbox and button markup itself
(cheaper than the macros, issue 16): the same bytes as govuk_frontend_wtf's `GovSelect`,
`GovTextInput`, `GovCheckboxInput` and `GovSubmitInput` for each way this service's forms
render them."""

from __future__ import annotations

import pytest
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, Form, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from forms.widgets import Button, Checkbox, Select, TextInput, button_html, input_html, select_html

CHOICES = [
    SelectChoice("", "Anyone"),
    SelectChoice("1", 'Ann <Smith> & "Jo"'),
    SelectChoice("2", "Bea O'Neil"),
    SelectChoice(3, "Three"),
]


def _field(widget, *, description="", required=False, data=None, errors=()):
    class Filter(Form):
        who = SelectField(
            "Practitioner <name>",
            choices=CHOICES,
            description=description,
            widget=widget,
            validators=[DataRequired() if required else Optional()],
            validate_choice=False,
        )

    form = Filter(data={"who": data})
    form.who.errors = list(errors)
    return form.who


WAYS = {
    "plain": ({}, {}),
    "a choice selected": ({"data": "2"}, {}),
    "a number selected": ({"data": 3}, {}),
    "a hint": ({"description": "The one who works the case"}, {}),
    "an error": ({"errors": ["Select a practitioner <now>"]}, {}),
    "hint and error": ({"description": "Hint", "errors": ["Wrong"], "data": "1"}, {}),
    "required": ({"required": True}, {}),
    "label classes": ({}, {"params": {"label": {"classes": "govuk-label--s"}}}),
    "select classes": ({}, {"params": {"classes": "govuk-!-width-full"}}),
    "page heading": ({}, {"params": {"label": {"isPageHeading": True, "classes": "l"}}}),
    "form group": ({}, {"params": {"formGroup": {"classes": "x", "attributes": {"a": "b"}}}}),
    "attributes": ({}, {"autocomplete": "off", "data-module": 'a"b', "hidden": False}),
    "no hint": ({"description": "Hint"}, {"params": {"hint": None}}),
    "hint html": ({}, {"params": {"hint": {"html": "<b>Bold</b>\nsecond line"}}}),
}


@pytest.mark.parametrize("way", WAYS)
def test_the_select_is_written_as_the_govuk_macro_writes_it(app, way):
    field_args, call_args = WAYS[way]
    with app.test_request_context("/"):
        theirs = str(_field(GovSelect(), **field_args)(**_copy(call_args)))
        ours = str(_field(Select(), **field_args)(**_copy(call_args)))
    assert ours == theirs


def _copy(value):
    return {k: _copy(v) for k, v in value.items()} if isinstance(value, dict) else value


def test_a_parameter_it_does_not_write_is_refused_not_dropped():
    params = {"id": "who", "name": "who", "label": {"text": "Who"}, "items": []}
    assert 'id="who"' in select_html(params)
    with pytest.raises(ValueError, match="beforeInput"):
        select_html({**params, "formGroup": {"beforeInput": {"text": "£"}}})
    with pytest.raises(ValueError, match="disabled"):
        select_html({**params, "items": [{"text": "A", "value": "a", "disabled": True}]})


def _text_field(widget, *, description="", required=False, data=None, errors=()):
    class Details(Form):
        cost = StringField(
            "Cost <per night>",
            description=description,
            widget=widget,
            validators=[DataRequired() if required else Optional()],
        )

    form = Details(data={"cost": data})
    form.cost.errors = list(errors)
    return form.cost


TEXT_WAYS = {
    "plain": ({}, {}),
    "a value": ({"data": 'Ann <Smith> & "Jo"'}, {}),
    "a hint": ({"description": "In pounds & pence"}, {}),
    "an error": ({"errors": ["Enter a cost <now>"], "data": "x"}, {}),
    "hint and error": ({"description": "Hint", "errors": ["Wrong"]}, {}),
    "required": ({"required": True}, {}),
    "width": ({}, {"params": {"classes": "govuk-input--width-10"}}),
    "label classes": ({}, {"params": {"label": {"classes": "govuk-label--s"}}}),
    "page heading": ({}, {"params": {"label": {"isPageHeading": True, "classes": "l"}}}),
    "no hint": ({"description": "Hint"}, {"params": {"hint": None}}),
    "hint given": ({}, {"params": {"hint": {"text": "Counted <since> March"}}}),
    "hint html": ({}, {"params": {"hint": {"html": "<b>Bold</b>\nsecond line"}}}),
    "money": (
        {"errors": ["Enter a cost"], "description": "Hint"},
        {
            "params": {
                "classes": "govuk-input--width-5",
                "inputmode": "decimal",
                "spellcheck": False,
                "prefix": {"text": "£"},
                "label": {"classes": "govuk-label--s"},
            }
        },
    ),
    "minutes": (
        {},
        {"params": {"inputmode": "numeric", "spellcheck": True, "suffix": {"text": "<min>"}}},
    ),
    "email": (
        {},
        {"params": {"type": "email", "autocomplete": "off", "spellcheck": False}},
    ),
    "one-time code": (
        {},
        {"params": {"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}},
    ),
    "attributes param": ({}, {"params": {"attributes": {"autocomplete": "off", "a": 'b"c'}}}),
    "attributes": ({}, {"autocomplete": "off", "data-x": 'a"b', "hidden": False, "readonly": True}),
    "form group": ({}, {"params": {"formGroup": {"classes": "x", "attributes": {"a": "b"}}}}),
    "described by": ({"description": "Hint"}, {"params": {"describedBy": "other"}}),
    "disabled": ({}, {"params": {"disabled": True}}),
}


@pytest.mark.parametrize("way", TEXT_WAYS)
def test_the_text_input_is_written_as_the_govuk_macro_writes_it(app, way):
    field_args, call_args = TEXT_WAYS[way]
    with app.test_request_context("/"):
        theirs = str(_text_field(GovTextInput(), **field_args)(**_copy(call_args)))
        ours = str(_text_field(TextInput(), **field_args)(**_copy(call_args)))
    assert ours == theirs


def _checkbox_field(widget, *, description="", data=None, errors=()):
    class Filter(Form):
        overdue = BooleanField("Only <overdue> cases", description=description, widget=widget)

    form = Filter(data={"overdue": data})
    form.overdue.errors = list(errors)
    return form.overdue


CHECKBOX_WAYS = {
    "plain": ({}, {}),
    "checked": ({"data": True}, {}),
    "a hint": ({"description": "Tick <it>"}, {}),
    "an error": ({"errors": ["Confirm <it>"]}, {}),
    "small": ({"data": True}, {"params": {"classes": "govuk-checkboxes--small"}}),
    "no hint": ({"description": "Hint"}, {"params": {"hint": None}}),
    "form group": ({}, {"params": {"formGroup": {"classes": "x"}, "attributes": {"a": "b"}}}),
}


@pytest.mark.parametrize("way", CHECKBOX_WAYS)
def test_the_checkbox_is_written_as_the_govuk_macro_writes_it(app, way):
    field_args, call_args = CHECKBOX_WAYS[way]
    with app.test_request_context("/"):
        theirs = str(_checkbox_field(GovCheckboxInput(), **field_args)(**_copy(call_args)))
        ours = str(_checkbox_field(Checkbox(), **field_args)(**_copy(call_args)))
    assert ours == theirs


def _button_field(widget, label="Find <cases> & more"):
    class Filter(Form):
        submit = SubmitField(label, widget=widget)

    return Filter().submit


BUTTON_WAYS = {
    "plain": {},
    "secondary": {"params": {"classes": "govuk-button--secondary"}},
    "warning, no double click": {
        "params": {"classes": "govuk-button--warning", "preventDoubleClick": True}
    },
    "double click allowed": {"params": {"preventDoubleClick": False}},
    "disabled": {"params": {"disabled": True}},
    "html": {"params": {"html": "Save <span>and</span>\ncontinue"}},
    "attributes": {"formaction": "/x?a=1&b=2", "data-x": 'a"b'},
    "attributes param": {"params": {"attributes": {"data-y": "1"}}},
    "own value": {"params": {"value": "save", "name": "action"}},
}


@pytest.mark.parametrize("way", BUTTON_WAYS)
def test_the_button_is_written_as_the_govuk_macro_writes_it(app, way):
    with app.test_request_context("/"):
        theirs = str(_button_field(GovSubmitInput())(**_copy(BUTTON_WAYS[way])))
        ours = str(_button_field(Button())(**_copy(BUTTON_WAYS[way])))
    assert ours == theirs


def test_a_text_input_or_button_parameter_they_do_not_write_is_refused_not_dropped():
    params = {"id": "cost", "name": "cost", "label": {"text": "Cost"}}
    assert 'id="cost"' in input_html(params)
    with pytest.raises(ValueError, match="inputWrapper"):
        input_html({**params, "inputWrapper": {"classes": "x"}})
    with pytest.raises(ValueError, match="href"):
        button_html({**params, "text": "Go", "href": "/elsewhere"})
