"""Widgets of ours where govuk_frontend_wtf's cost more than the page around them.

Each writes a GOV.UK component's markup in Python, the same bytes as the Jinja macro that the
govuk_frontend_wtf widget it extends renders: `Select` (govukSelect), `TextInput` (govukInput),
`Checkbox` (govukCheckboxes, one box for a BooleanField) and `Button` (govukButton). A macro
calls other macros and filters for every part: on the case list the filter form's widgets were
a quarter of the request (issue 16). Every field of these kinds uses ours, so the forms keep
one way to render each. The widgets keep their parent's parameter mapping (`map_gov_params`)
and only write the markup; a parameter they do not write is refused, not dropped.
tests/unit/test_widgets.py compares each with its macro, way by way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from markupsafe import Markup, escape

# The parts of the govukSelect parameters that `Select` writes; any other is refused loudly
# (a field rendered with it must then be written here, not silently dropped).
_PARAMS = {"id", "name", "label", "hint", "errorMessage", "classes", "attributes", "items"}
_PARAMS |= {"formGroup", "describedBy", "disabled", "value"}
_LABEL = {"text", "html", "classes", "isPageHeading", "attributes"}
_HINT = {"text", "html", "classes", "attributes"}
_ERROR = {"text", "html", "classes", "attributes", "visuallyHiddenText"}
_FORM_GROUP = {"classes", "attributes"}
_ITEM = {"text", "value", "selected"}


class Select(GovSelect):
    """A select field in the GOV.UK select component's markup, written without the macro."""

    def render(self, params: dict[str, Any]) -> Markup:
        return Markup(select_html(params))  # noqa: S704 (every value in it escaped)


def _check(part: Mapping | None, allowed: set[str], what: str) -> None:
    extra = set(part or {}) - allowed
    if extra:
        raise ValueError(f"forms.widgets does not write the {what} {sorted(extra)}")


def _attributes(attributes: Any) -> str:
    """govukAttributes: ` name="value"` each, booleans as "true"/"false"."""
    if isinstance(attributes, str):
        return attributes
    out = []
    for name, value in (attributes or {}).items():
        if isinstance(value, Mapping):
            raise ValueError("forms.widgets does not write optional attributes")
        if isinstance(value, bool):
            value = str(value).lower()
        out.append(f' {escape(name)}="{escape(value)}"')
    return "".join(out)


def _indent(text: str, width: int = 2) -> str:
    """Jinja's `trim | indent(width)`: every line but the first indented, blank ones not."""
    lines = text.strip().splitlines() or [""]
    pad = " " * width
    return "\n".join([lines[0], *(pad + line if line else line for line in lines[1:])])


def _content(part: Mapping) -> str:
    """A part's html (trusted, as given) or its text (escaped)."""
    if part.get("html"):
        return _indent(str(part["html"]))
    return str(escape(part.get("text")))


def _label(label: Mapping, for_id: str) -> str:
    _check(label, _LABEL, "label's")
    classes = f" {escape(label['classes'])}" if label.get("classes") else ""
    html = (
        f'<label class="govuk-label{classes}"{_attributes(label.get("attributes"))}'
        f' for="{escape(for_id)}">\n  {_content(label)}\n</label>'
    )
    if label.get("isPageHeading"):
        html = f'<h1 class="govuk-label-wrapper">\n  {_indent(html)}\n</h1>'
    return html


def _hint(hint: Mapping, hint_id: str) -> str:
    _check(hint, _HINT | {"id"}, "hint's")
    classes = f" {escape(hint['classes'])}" if hint.get("classes") else ""
    return (
        f'<div id="{escape(hint_id)}" class="govuk-hint{classes}"'
        f"{_attributes(hint.get('attributes'))}>\n  {_content(hint)}\n</div>"
    )


def _error(error: Mapping, error_id: str) -> str:
    _check(error, _ERROR, "error message's")
    classes = f" {escape(error['classes'])}" if error.get("classes") else ""
    hidden = error.get("visuallyHiddenText", "Error")
    text = _content(error)
    inner = (
        f'<span class="govuk-visually-hidden">{escape(hidden)}:</span> {text}' if hidden else text
    )
    return (
        f'<p id="{escape(error_id)}" class="govuk-error-message{classes}"'
        f"{_attributes(error.get('attributes'))}>\n  {inner}\n</p>"
    )


def _option(item: Mapping) -> str:
    _check(item, _ITEM, "option's")
    value = item.get("value")
    if isinstance(value, bool):
        value = str(value).lower()
    selected = " selected" if item.get("selected") else ""
    return (
        f'        <option value="{escape(value)}"{selected}>{escape(item.get("text"))}</option>\n'
    )


def _group(params: Mapping[str, Any], error: Any) -> str:
    """The form group's opening tag."""
    group = params.get("formGroup") or {}
    _check(group, _FORM_GROUP, "form group's")
    classes = " govuk-form-group--error" if error else ""
    if group.get("classes"):
        classes += f" {escape(group['classes'])}"
    return f'<div class="govuk-form-group{classes}"{_attributes(group.get("attributes"))}>\n'


def _hint_and_error(params: Mapping[str, Any], id_prefix: str, parts: list[str]) -> str:
    """The hint and the error message, each indented by two (appended to `parts`), and the
    aria-describedby that names them after the caller's `describedBy`."""
    described_by = params.get("describedBy") or ""
    if params.get("hint"):
        hint_id = f"{id_prefix}-hint"
        described_by = f"{described_by} {hint_id}" if described_by else hint_id
        parts.append(f"  {_indent(_hint(params['hint'], hint_id))}\n")
    if params.get("errorMessage"):
        error_id = f"{id_prefix}-error"
        described_by = f"{described_by} {error_id}" if described_by else error_id
        parts.append(f"  {_indent(_error(params['errorMessage'], error_id))}\n")
    return described_by


def _labelled(params: Mapping[str, Any], field_id: str) -> list[str]:
    """The group's opening tag and the label: how a select and a text input start."""
    label = params.get("label") or {}
    if not (label.get("text") or label.get("html")):
        raise ValueError("forms.widgets needs a label")
    return [_group(params, params.get("errorMessage")), f"  {_indent(_label(label, field_id))}\n"]


def select_html(params: Mapping[str, Any]) -> str:
    """The govukSelect macro's output for `params` (those GovSelect's fields are given)."""
    _check(params, _PARAMS, "parameters")
    field_id = params.get("id") or params["name"]
    parts = _labelled(params, field_id)
    described_by = _hint_and_error(params, field_id, parts)
    classes = f" {escape(params['classes'])}" if params.get("classes") else ""
    if params.get("errorMessage"):
        classes += " govuk-select--error"
    parts.append(
        f'  <select class="govuk-select{classes}" id="{escape(field_id)}"'
        f' name="{escape(params["name"])}"'
        + (" disabled" if params.get("disabled") else "")
        + (f' aria-describedby="{escape(described_by)}"' if described_by else "")
        + f"{_attributes(params.get('attributes'))}>\n"
    )
    parts.extend(_option(item) for item in params.get("items") or () if item)
    parts.append("  </select>\n</div>\n")
    return "".join(parts)


class TextInput(GovTextInput):
    """A text input in the GOV.UK input component's markup, written without the macro."""

    def render(self, params: dict[str, Any]) -> Markup:
        return Markup(input_html(params))  # noqa: S704 (every value in it escaped)


_INPUT = (_PARAMS - {"items"}) | {"type", "prefix", "suffix", "spellcheck", "autocomplete"}
_INPUT |= {"autocapitalize", "pattern", "inputmode"}
_AFFIX = {"text", "classes", "attributes"}


def _optional(name: str, value: Any) -> str:
    """An optional attribute of govukAttributes: left out when empty, bare when true."""
    if value is None or value is False:
        return ""
    if value is True:
        return f" {name}"
    return f' {name}="{escape(value)}"'


def _affix(affix: Mapping, kind: str) -> str:
    _check(affix, _AFFIX, f"{kind}'s")
    classes = f" {escape(affix['classes'])}" if affix.get("classes") else ""
    return (
        f'\n    <div class="govuk-input__{kind}{classes}" aria-hidden="true"'
        f"{_attributes(affix.get('attributes'))}>{escape(affix.get('text'))}</div>"
    )


def input_html(params: Mapping[str, Any]) -> str:
    """The govukInput macro's output for `params` (those GovTextInput's fields are given)."""
    _check(params, _INPUT, "parameters")
    field_id = params.get("id") or params["name"]
    parts = _labelled(params, field_id)
    described_by = _hint_and_error(params, field_id, parts)
    classes = f" {escape(params['classes'])}" if params.get("classes") else ""
    if params.get("errorMessage"):
        classes += " govuk-input--error"
    spellcheck = params.get("spellcheck")
    spellcheck = str(spellcheck).lower() if spellcheck in (True, False) else None
    element = "".join(
        (
            f'<input class="govuk-input{classes}" id="{escape(field_id)}"',
            f' name="{escape(params["name"])}" type="{escape(params.get("type") or "text")}"',
            _optional("spellcheck", spellcheck),
            _optional("value", params.get("value")),
            _optional("disabled", params.get("disabled")),
            _optional("aria-describedby", described_by or None),
            _optional("autocomplete", params.get("autocomplete")),
            _optional("autocapitalize", params.get("autocapitalize")),
            _optional("pattern", params.get("pattern")),
            _optional("inputmode", params.get("inputmode")),
            f"{_attributes(params.get('attributes'))}>",
        )
    )
    prefix, suffix = params.get("prefix") or {}, params.get("suffix") or {}
    if prefix.get("text") or suffix.get("text") or prefix.get("html") or suffix.get("html"):
        parts.append('  <div class="govuk-input__wrapper">')
        if prefix.get("text") or prefix.get("html"):
            parts.append(_affix(prefix, "prefix"))
        parts.append(f"\n    {element}")
        if suffix.get("text") or suffix.get("html"):
            parts.append(_affix(suffix, "suffix"))
        parts.append("\n  </div>\n</div>\n")
    else:
        parts.append(f"  {element}\n</div>\n")
    return "".join(parts)


class Checkbox(GovCheckboxInput):
    """One checkbox (a BooleanField) in the GOV.UK checkboxes component's markup, written
    without the macro."""

    def render(self, params: dict[str, Any]) -> Markup:
        return Markup(checkbox_html(params))  # noqa: S704 (every value in it escaped)


_CHECKBOXES = {"name", "idPrefix", "items", "hint", "errorMessage", "classes", "attributes"}
_CHECKBOXES |= {"formGroup", "describedBy"}
_CHECKBOX = {"text", "value", "checked"}


def _checkbox(item: Mapping, item_id: str, name: str, described_by: str) -> str:
    _check(item, _CHECKBOX, "checkbox's")
    checked = " checked" if item.get("checked") else ""
    aria = f' aria-describedby="{escape(described_by)}"' if described_by else ""
    label = _label({"text": item.get("text"), "classes": "govuk-checkboxes__label"}, item_id)
    return (
        '    <div class="govuk-checkboxes__item">\n'
        f'      <input class="govuk-checkboxes__input" id="{escape(item_id)}"'
        f' name="{escape(name)}" type="checkbox" value="{escape(item.get("value"))}"'
        f"{checked}{aria}>\n"
        f"      {_indent(label, 6)}\n"
        "    </div>\n"
    )


def checkbox_html(params: Mapping[str, Any]) -> str:
    """The govukCheckboxes macro's output for `params` without a fieldset (those
    GovCheckboxInput's fields are given)."""
    _check(params, _CHECKBOXES, "parameters")
    id_prefix = params.get("idPrefix") or params["name"]
    parts = ["\n", _group(params, params.get("errorMessage"))]
    described_by = _hint_and_error(params, id_prefix, parts)
    classes = f" {escape(params['classes'])}" if params.get("classes") else ""
    parts.append(
        f'  <div class="govuk-checkboxes{classes}"{_attributes(params.get("attributes"))}'
        ' data-module="govuk-checkboxes">\n'
    )
    items = [item for item in params.get("items") or () if item]
    for index, item in enumerate(items, start=1):
        item_id = id_prefix + (f"-{index}" if index > 1 else "")
        parts.append(_checkbox(item, item_id, params["name"], described_by))
    parts.append("  </div>\n</div>\n")
    return "".join(parts)


class Button(GovSubmitInput):
    """A submit button in the GOV.UK button component's markup, written without the macro."""

    def render(self, params: dict[str, Any]) -> Markup:
        return Markup(button_html(params))  # noqa: S704 (every value in it escaped)


# `label`, `hint` and `element` come from GovSubmitInput's mapping; the macro reads none.
_BUTTON = {"id", "name", "label", "hint", "element", "attributes", "value", "type", "text"}
_BUTTON |= {"html", "classes", "disabled", "preventDoubleClick"}


def button_html(params: Mapping[str, Any]) -> str:
    """The govukButton macro's output for `params` (those GovSubmitInput's fields are given)."""
    _check(params, _BUTTON, "parameters")
    classes = f" {escape(params['classes'])}" if params.get("classes") else ""
    prevent = params.get("preventDoubleClick")
    text = _indent(str(params["html"])) if params.get("html") else escape(params.get("text"))
    return "".join(
        (
            f'<button type="{escape(params.get("type") or "submit")}"',
            f' value="{escape(params["value"])}"' if params.get("value") else "",
            f' name="{escape(params["name"])}"' if params.get("name") else "",
            ' disabled aria-disabled="true"' if params.get("disabled") else "",
            f' data-prevent-double-click="{str(prevent).lower()}"' if prevent is not None else "",
            f' class="govuk-button{classes}" data-module="govuk-button"',
            _attributes(params.get("attributes")),
            f' id="{escape(params["id"])}"' if params.get("id") else "",
            f">\n  {text}\n</button>",
        )
    )
