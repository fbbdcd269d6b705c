"""Small pieces of HTML the case pages share, written in Python rather than as Jinja macros:
a list of cases calls them on every row, and a macro call costs several times what a
function call does (issue 16). Registered as template globals by `eip.templating`; they
return the same HTML the macros in templates/cases/_macros.html did."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import g, url_for
from markupsafe import Markup, escape

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
