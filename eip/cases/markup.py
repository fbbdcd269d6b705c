"""Small pieces of HTML the case pages share, written in Python rather than as Jinja macros:
a list of cases calls them on every row, and a macro call costs several times what a
function call does (issue 16). Registered as template globals by `eip.templating`; they
return the same HTML the macros in templates/cases/_macros.html did, and `case_rows` the
rows the case list's and the practitioner's tables wrote with a loop of filters and macros.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from flask import g, url_for
from markupsafe import Markup, escape

from eip.cases.rules import status_label
from eip.formatting import london_date_text, long_date

# An urgency's tag: its words and its colour ("later" has none).
_DUE_TAGS = {
    "overdue": ("Overdue", "govuk-tag--red"),
    "due_today": ("Due today", "govuk-tag--orange"),
    "due_soon": ("Due soon", "govuk-tag--yellow"),
}
_TAG_HTML = {
    urgency: Markup(f'<strong class="govuk-tag {colour}">{words}</strong>')  # noqa: S704 (constants)
    for urgency, (words, colour) in _DUE_TAGS.items()
}
_NO_TAG = Markup("")


def due_tag(urgency: str | None) -> Markup:
    """The coloured tag of an urgency (deadlines.OVERDUE, …); nothing for "later" or none."""
    return _TAG_HTML.get(urgency, _NO_TAG) if urgency else _NO_TAG


def case_path(reference: str) -> str:
    """`url_for("cases.view", reference=…)` for a row of a list: the route's prefix is built
    once a request (url_for is most of a row's cost) and the reference quoted as werkzeug
    quotes a path segment, so the address is the one url_for writes."""
    prefix = g.get("_case_path_prefix")
    if prefix is None:
        prefix = g._case_path_prefix = url_for("cases.view", reference="-")[:-1]
    return prefix + quote(reference, safe="!$&'()*+,/:;=@")


def case_link(case: Any, show_name: bool) -> Markup:
    """A case's reference, linked to its page, with the client's first name beside it for
    the roles that may see client names (practitioners and managers, DOMAIN.md); others see
    the reference only: the caller passes can(current_user, "case.client_name")."""
    # Escaped piece by piece: Markup.format goes through string.Formatter, many calls a row.
    reference = escape(case.reference)
    href = escape(case_path(case.reference))
    link = f'<a class="govuk-link" href="{href}">{reference}</a>'
    if show_name and case.client:
        link += f' <span class="eip-client-name">{escape(case.client.first_name)}</span>'
    return Markup(link)  # noqa: S704 (every value in it escaped above)


def _next_due(row: Any) -> str:
    """The first thing due on the case, with its date and the tag of the case's most urgent."""
    if not row.due:
        return "Nothing due"
    first = row.due[0]
    return f"{escape(first.label)}, {escape(long_date(first.due_on))} {due_tag(row.worst)}"


def _practitioner(case: Any) -> str:
    name = case.practitioner_name
    return "Not allocated" if name is None else str(escape(name))


# A column of a list of cases (a queries.CaseRow of a listing.ListedCase): its heading (the
# cell's data-label, as `label_cells` writes it) and its content.
COLUMNS: dict[str, tuple[str, Callable[[Any, bool], str]]] = {
    "case": ("Case", lambda row, names: case_link(row.case, names)),
    "borough": ("Borough", lambda row, _: str(escape(row.case.borough_name))),
    "status": ("Status", lambda row, _: str(escape(status_label(row.case.status)))),
    "practitioner": ("Practitioner", lambda row, _: _practitioner(row.case)),
    "received": (
        "Received",
        lambda row, _: str(escape(london_date_text(row.case.received_at or row.case.created_at))),
    ),
    "next due": ("Next due", lambda row, _: _next_due(row)),
    # The case list's cell keeps the line breaks its template gave it: the same page.
    "next due, own line": ("Next due", lambda row, _: f"\n{_next_due(row)}    "),
}


def case_rows(rows: Iterable[Any], columns: Iterable[str], show_names: bool) -> Markup:
    """A table body's rows, one per case, cells labelled with their column's heading for the
    stacked table (eip/table_labels.py): for `govuk_table(..., labelled=true)`."""
    cells = [COLUMNS[column] for column in columns]
    out = []
    for row in rows:
        out.append('  <tr class="govuk-table__row">\n')
        for heading, content in cells:
            out.append(
                f'    <td class="govuk-table__cell" data-label="{heading}">'
                f"{content(row, show_names)}</td>\n"
            )
        out.append("  </tr>\n")
    return Markup("".join(out))  # noqa: S704 (every value in it escaped above)
