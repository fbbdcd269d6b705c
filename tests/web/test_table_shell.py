"""The one table shell (`templates/macros/tables.html`): every body cell carries its column's
heading, which the stylesheet shows when the table stacks on a phone."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from flask import render_template_string

from eip.table_labels import label_cells

TABLE = """{% from "macros/tables.html" import govuk_table %}
{% call govuk_table("Invoices", headings) %}
  <tr class="govuk-table__row">
    <th scope="row" class="govuk-table__header">INV-1</th>
    <td class="govuk-table__cell">12 May 2026</td>
    <td class="govuk-table__cell govuk-table__cell--numeric">£140.00</td>
    <td class="govuk-table__cell"><a class="govuk-link" href="/pay">Record a payment</a></td>
  </tr>
  <tr class="govuk-table__row"><td class="govuk-table__cell" colspan="4">No more.</td></tr>
{% endcall %}"""


class Table(HTMLParser):
    """The table's classes and, for each body row, each cell's label and text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.classes: list[str] = []
        self.rows: list[list[tuple[str | None, str]]] = []
        self.in_body = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table":
            self.classes = attributes["class"].split()
        elif tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.rows.append([])
        elif tag in ("td", "th") and self.in_body:
            self.rows[-1].append((attributes.get("data-label"), ""))

    def handle_data(self, data):
        if self.in_body and self.rows and self.rows[-1]:
            label, text = self.rows[-1][-1]
            self.rows[-1][-1] = (label, re.sub(r"\s+", " ", text + data).strip())


def _render(app, headings) -> Table:
    with app.test_request_context(method="POST"):
        return Table(render_template_string(TABLE, headings=headings))


def test_each_body_cell_is_labelled_with_its_column_heading(app):
    headings = ["Invoice", "Date", {"text": "Amount", "numeric": True}, {"hidden": "Actions"}]
    table = _render(app, headings)
    assert table.classes == ["govuk-table", "eip-table", "eip-table--stack"]
    first, nothing_more = table.rows
    assert first == [
        ("Invoice", "INV-1"),  # the text is unchanged: the stylesheet draws the label
        ("Date", "12 May 2026"),
        ("Amount", "£140.00"),
        (None, "Record a payment"),  # a column of links: the link's own text says what it does
    ]
    assert nothing_more == [(None, "No more.")]  # spans every column


def test_a_left_out_column_moves_the_labels_along_and_two_columns_do_not_stack(app):
    table = _render(app, ["Invoice", None, "Date", "Amount", None])
    assert [label for label, _text in table.rows[0]] == ["Invoice", "Date", "Amount", None]
    assert "eip-table--stack" not in _render(app, ["Invoice", "Date"]).classes


def test_a_heading_is_escaped_in_the_label():
    body = label_cells('<tr><td class="c">x</td></tr>', ['Who said "no" & <why>'])
    label = 'data-label="Who said &#34;no&#34; &amp; &lt;why&gt;"'
    assert body == f'<tr><td class="c" {label}>x</td></tr>'
