"""The GOV.UK summary list (`govukSummaryList`), written in Python.

The macro costs about a fifth of a millisecond a call (a nested macro per action link, a
namespace, a captured block, filters on every value): the case page calls it seven times.
This writes the same bytes for what the service passes: `classes`, and rows of `key` and
`value` (`text` or `html`, `classes`), row `classes`, and row `actions` whose items have
`href`, `text` or `html`, `visuallyHiddenText` and `classes`. A summary card or `attributes`
(on the list or an action) are not written here: they raise, so a caller that needs them
uses the macro.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2.filters import do_indent
from markupsafe import Markup, escape

_ROW_NO_ACTIONS = " govuk-summary-list__row--no-actions"


def summary_list(params: Mapping[str, Any]) -> Markup:
    if params.get("card") or params.get("attributes"):
        raise ValueError("summary_list writes no card or attributes: use govukSummaryList")
    rows = params.get("rows") or ()
    any_actions = any(_items(row) for row in rows)
    out = [f'<dl class="govuk-summary-list{_classes(params)}">\n']
    for row in rows:
        if not row:
            continue
        items = _items(row)
        no_actions = _ROW_NO_ACTIONS if any_actions and not items else ""
        key, value = row.get("key") or {}, row.get("value") or {}
        out.append(
            f'  <div class="govuk-summary-list__row{no_actions}{_classes(row)}">\n'
            f'    <dt class="govuk-summary-list__key{_classes(key)}">\n'
            f"      {_content(key)}\n"
            "    </dt>\n"
            f'    <dd class="govuk-summary-list__value{_classes(value)}">\n'
            f"      {_content(value)}\n"
            "    </dd>\n"
        )
        if items:
            out.append(f'    <dd class="govuk-summary-list__actions{_classes(row["actions"])}">\n')
            if len(items) == 1:
                out.append(f"{do_indent(_action_link(items[0]), 6, first=True)}\n")
            else:
                out.append('      <ul class="govuk-summary-list__actions-list">\n')
                for action in items:
                    out.append(
                        '        <li class="govuk-summary-list__actions-list-item">\n'
                        f"          {do_indent(_action_link(action), 8)}\n"
                        "        </li>\n"
                    )
                out.append("      </ul>\n")
            out.append("    </dd>\n")
        out.append("  </div>\n")
    out.append("</dl>")
    return Markup("".join(out))  # noqa: S704 (every value is escaped above, or given as html)


def _items(row: Any) -> list[Mapping[str, Any]]:
    actions = row.get("actions") if row else None
    return list(actions.get("items") or ()) if actions else []


def _classes(params: Mapping[str, Any]) -> str:
    classes = params.get("classes")
    return f" {escape(classes)}" if classes else ""


def _text(value: Any) -> str:
    """What the macro's `{{ value }}` writes: escaped, and nothing for a missing key."""
    return str(escape(value))


def _content(part: Mapping[str, Any]) -> str:
    """A key's or value's content as the macro writes it: its html trimmed and indented to
    the cell, or its text escaped."""
    html = part.get("html")
    if html:
        return str(do_indent(str(html).strip(), 6))
    return _text(part["text"]) if "text" in part else ""


def _action_link(action: Mapping[str, Any]) -> Markup:
    if action.get("attributes"):
        raise ValueError("summary_list writes no action attributes: use govukSummaryList")
    html = action.get("html")
    text = str(do_indent(str(html), 4)) if html else _text(action.get("text", ""))
    hidden = action.get("visuallyHiddenText")
    if hidden:
        text += f'<span class="govuk-visually-hidden"> {escape(hidden)}</span>'
    href = _text(action["href"]) if "href" in action else ""
    return Markup(f'<a class="govuk-link{_classes(action)}" href="{href}">{text}</a>')  # noqa: S704
