"""Column headings on every body cell, so that a table can stack on a phone.

`templates/macros/tables.html` runs each table's body through `label_cells`: every cell gets
`data-label="<its column heading>"`, which the stylesheet shows before the cell's content
once the table stacks into one block per row (below the tablet breakpoint, in
`assets/scss/eip.scss`). Done once here, the callers' rows need no change and a new table
reflows on its own. The label is drawn by CSS (`attr(data-label)`), not written into the
cell, so the cell's text stays what it was on wide screens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from markupsafe import Markup, escape

# The opening tag of a row or cell. The body is rendered, autoescaped HTML: a `>` inside an
# attribute value arrives as `&gt;`, so "up to the next `>`" is the whole tag.
_TAG = re.compile(r"<(tr|td|th)\b([^>]*)>", re.IGNORECASE)
_COLSPAN = re.compile(r"""\bcolspan\s*=\s*["']?(\d+)""", re.IGNORECASE)


def column_labels(headings: Iterable[object]) -> list[str | None]:
    """Each shown column's label: a heading's text; none for a heading only screen readers
    hear (a column of buttons or links, whose own text says what they do)."""
    labels: list[str | None] = []
    for heading in headings:
        if heading is None:
            continue  # a column this user is not shown
        if isinstance(heading, Mapping):
            labels.append(None if heading.get("hidden") else str(heading.get("text", "")))
        else:
            labels.append(str(heading))
    return labels


def label_cells(body: str, headings: Iterable[object]) -> Markup:
    """The table body with each cell labelled by its column's heading. A cell spanning
    several columns (a "nothing yet" row) is left unlabelled, as is a cell that has a label."""
    # Escaped once per table, not once per cell.
    labels = [None if text is None else escape(text) for text in column_labels(headings)]
    column = 0

    def label(match: re.Match[str]) -> str:
        nonlocal column
        tag, attributes = match.group(1), match.group(2)
        if tag.lower() == "tr":
            column = 0
            return match.group(0)
        span_match = _COLSPAN.search(attributes)
        span = int(span_match.group(1)) if span_match else 1
        text = labels[column] if span == 1 and column < len(labels) else None
        column += span
        if not text or "data-label" in attributes:
            return match.group(0)
        closing = "/>" if attributes.endswith("/") else ">"
        attributes = attributes.removesuffix("/")
        return f'<{tag}{attributes} data-label="{text}"{closing}'

    return Markup(_TAG.sub(label, str(body)))  # noqa: S704 (body is the macro's rendered, escaped HTML)
