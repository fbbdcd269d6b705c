"""`forms.widgets.Select` writes the GOV.UK select component's markup itself (cheaper than the
macro, issue 16): the same bytes as govuk_frontend_wtf's `GovSelect` for each way this
service's forms render a select."""

from __future__ import annotations

import pytest
from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import Form, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from forms.widgets import Select, select_html

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
