"""Widgets of ours where govuk_frontend_wtf's cost more than the page around them.

`Select` writes the GOV.UK select component's markup in Python, the same bytes as the
`govukSelect` Jinja macro that `GovSelect` renders. The macro calls another macro and three
filters for each option: the case list's three selects (about eighty options) were a quarter
of its request (issue 16). Every select field uses `Select`, so the forms keep one select.
tests/unit/test_select_widget.py compares it with the macro, option by option.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovSelect
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
        raise ValueError(f"forms.widgets.Select does not write the {what} {sorted(extra)}")


def _attributes(attributes: Any) -> str:
    """govukAttributes: ` name="value"` each, booleans as "true"/"false"."""
    if isinstance(attributes, str):
        return attributes
    out = []
    for name, value in (attributes or {}).items():
        if isinstance(value, Mapping):
            raise ValueError("forms.widgets.Select does not write optional attributes")
        if isinstance(value, bool):
            value = str(value).lower()
        out.append(f' {escape(name)}="{escape(value)}"')
    return "".join(out)


def _indent(text: str) -> str:
    """Jinja's `trim | indent(2)`: every line but the first indented by two spaces."""
    lines = text.strip().splitlines()
    return "\n".join([lines[0], *("  " + line if line else line for line in lines[1:])])


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


def select_html(params: Mapping[str, Any]) -> str:
    """The govukSelect macro's output for `params` (those GovSelect's fields are given)."""
    _check(params, _PARAMS, "parameters")
    field_id = params.get("id") or params["name"]
    error = params.get("errorMessage")
    group = params.get("formGroup") or {}
    _check(group, _FORM_GROUP, "form group's")
    group_classes = " govuk-form-group--error" if error else ""
    if group.get("classes"):
        group_classes += f" {escape(group['classes'])}"
    label = params.get("label") or {}
    if not (label.get("text") or label.get("html")):
        raise ValueError("forms.widgets.Select needs a label")
    parts = [
        f'<div class="govuk-form-group{group_classes}"{_attributes(group.get("attributes"))}>\n',
        f"  {_indent(_label(label, field_id))}\n",
    ]
    described_by = params.get("describedBy") or ""
    if params.get("hint"):
        hint_id = f"{field_id}-hint"
        described_by = f"{described_by} {hint_id}" if described_by else hint_id
        parts.append(f"  {_indent(_hint(params['hint'], hint_id))}\n")
    if error:
        error_id = f"{field_id}-error"
        described_by = f"{described_by} {error_id}" if described_by else error_id
        parts.append(f"  {_indent(_error(error, error_id))}\n")
    classes = f" {escape(params['classes'])}" if params.get("classes") else ""
    if error:
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
