"""A document's accessible HTML version, made from the very story its PDF is laid out from.

reportlab's open-source edition cannot tag a PDF, so a screen reader meets an untagged page.
Every document therefore also has a web page of the same content: `story_html(story)` walks
the story a builder returned (the same list of flowables `page.build_pdf` lays out) and
writes semantic HTML in the GOV.UK classes the rest of the service uses. A change to a
document's builder reaches its HTML version with no further work; a flowable this module
does not know is an error (raised here, caught by the tests of every kind), never text
silently left out.

- a paragraph's style says what it is: the title is the page's h1, the house headings
  (`styles.heading`) h2 and h3, the rest paragraphs; the little markup reportlab reads
  (bold, italic, line breaks) is mapped to HTML and everything else is escaped text;
- tables made by `eip.pdf.tables` carry their source rows (`html_source`): a data table
  becomes a `<table>` with a caption (the heading it sits under) and column headings
  (`th scope="col"`), a label and value table a GOV.UK summary list (`<dl>`);
- bulleted and numbered lists become `ul` and `ol` (a numbered list keeps its start);
- a chart becomes an image of the same drawing (SVG), described in words; its figures
  are always in a table beside it (`eip.pdf.charts`);
- page breaks, spacers and keep-together groups are layout only: their content is kept.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from html.parser import HTMLParser

from markupsafe import Markup, escape
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.enums import TA_RIGHT
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
)

# A paragraph style's name (eip/pdf/styles.py) -> the element and classes it becomes.
_BLOCKS = {
    "title": ("h1", "govuk-heading-l"),
    "subtitle": ("p", "govuk-body-l"),
    "h2": ("h2", "govuk-heading-m"),
    "h3": ("h3", "govuk-heading-s"),
    "small": ("p", "govuk-body-s"),
    "notice": ("div", "govuk-inset-text"),
}
_PARAGRAPH = ("p", "govuk-body")
_HEADINGS = {"h1", "h2", "h3"}
# Layout only: nothing to read in them.
_LAYOUT = (CondPageBreak, PageBreak, Spacer)
# reportlab's paragraph markup -> HTML. Anything else (font sizes, colours) is dropped and
# its text kept.
_INLINE = {"b": "strong", "strong": "strong", "i": "em", "em": "em", "sup": "sup", "sub": "sub"}
_STACK_FROM = 2  # a table of this many columns stacks on a phone (its headings as labels)


class _Inline(HTMLParser):
    """Paragraph markup read as HTML and written back with only the tags above: text is
    escaped again, so nothing typed by a user can become markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.out.append("<br>")
        elif tag in _INLINE:
            self.out.append(f"<{_INLINE[tag]}>")

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self.out.append("<br>")

    def handle_endtag(self, tag):
        if tag in _INLINE:
            self.out.append(f"</{_INLINE[tag]}>")

    def handle_data(self, data):
        self.out.append(str(escape(data)))


def inline(markup: str) -> Markup:
    """A reportlab paragraph's text as safe inline HTML."""
    parser = _Inline()
    parser.feed(markup)
    parser.close()
    return _trusted(parser.out).strip()


def _trusted(parts: Iterable[str]) -> Markup:
    # Every part is written here: escaped text between the fixed tags of this module.
    return Markup("".join(parts))  # noqa: S704


def _text(markup: Markup) -> str:
    return " ".join(markup.striptags().split())


class _Writer:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.last_heading = ""

    def walk(self, flowables: Iterable[Flowable]) -> None:
        for flowable in flowables:
            self.flowable(flowable)

    def flowable(self, item: Flowable) -> None:
        source = getattr(item, "html_source", None)
        if source is not None:
            self.table_from_source(source)
        elif isinstance(item, Paragraph):
            self.paragraph(item)
        elif isinstance(item, ListFlowable):
            self.list(item)
        elif isinstance(item, KeepTogether):
            self.walk(item._content)
        elif isinstance(item, Drawing):
            self.chart(item)
        elif isinstance(item, Table):
            self.plain_table(item)
        elif isinstance(item, _LAYOUT):
            return
        else:
            raise TypeError(f"no HTML for a {type(item).__name__} in a document's story")

    def paragraph(self, item: Paragraph) -> None:
        tag, classes = _BLOCKS.get(item.style.name, _PARAGRAPH)
        content = inline(item.text)
        if tag in _HEADINGS:
            self.last_heading = _text(content)
        self.out.append(f'<{tag} class="{classes}">{content}</{tag}>')

    def cell(self, value: object) -> Markup:
        """A table cell or list item: plain text, lines, or a flowable (a paragraph, say)."""
        if value is None:
            return Markup("")
        if isinstance(value, str):
            return escape(value)
        if isinstance(value, Paragraph):
            return inline(value.text)
        if isinstance(value, Flowable):
            inner = _Writer()
            inner.flowable(value)
            return _trusted(inner.out)
        if isinstance(value, Sequence):
            return Markup("<br>").join(escape(line) for line in value)
        return escape(str(value))

    def table_from_source(self, source) -> None:
        if source.kind == "summary":
            rows = "".join(
                '<div class="govuk-summary-list__row">'
                f'<dt class="govuk-summary-list__key">{self.cell(label)}</dt>'
                f'<dd class="govuk-summary-list__value">{self.cell(value)}</dd></div>'
                for label, value in source.rows
            )
            self.out.append(f'<dl class="govuk-summary-list">{rows}</dl>')
            return
        titles = [self.cell(c.title) for c in source.columns]
        labels = [_text(title) for title in titles]
        numeric = [c.right or _right(c.title) for c in source.columns]
        # A first column without a heading holds each row's label (the statement's lines).
        row_labels = not labels[0]
        body = []
        for index, row in enumerate(source.rows):
            total = source.bold_last and index == len(source.rows) - 1
            cells = []
            for column, (label, right, value) in enumerate(zip(labels, numeric, row, strict=True)):
                content = self.cell(value)
                if total:
                    content = _trusted(["<strong>", content, "</strong>"])
                if column == 0 and row_labels:
                    cells.append(f'<th scope="row" class="govuk-table__header">{content}</th>')
                    continue
                classes = "govuk-table__cell"
                if right or _right(value):
                    classes += " govuk-table__cell--numeric"
                cells.append(f'<td class="{classes}" data-label="{escape(label)}">{content}</td>')
            body.append(f'<tr class="govuk-table__row">{"".join(cells)}</tr>')
        self._table(titles, numeric, body)

    def _table(self, titles: list[Markup], numeric: list[bool], body: list[str]) -> None:
        head = "".join(
            f'<th scope="col" class="govuk-table__header'
            f'{" govuk-table__header--numeric" if right else ""}">{title}</th>'
            for title, right in zip(titles, numeric, strict=True)
        )
        stack = " eip-table--stack" if len(titles) >= _STACK_FROM else ""
        caption = (
            f'<caption class="govuk-table__caption govuk-visually-hidden">'
            f"{escape(self.last_heading)}</caption>"
            if self.last_heading
            else ""
        )
        self.out.append(
            f'<div class="eip-table-container"><table class="govuk-table eip-table{stack}">'
            f'{caption}<thead class="govuk-table__head"><tr class="govuk-table__row">{head}'
            f'</tr></thead><tbody class="govuk-table__body">{"".join(body)}</tbody></table></div>'
        )

    def plain_table(self, item: Table) -> None:
        """A table laid out by hand (the agreement's signature blocks): each row a row, a
        cell in a heading style a heading of its row. One with no heading cell only sets
        blocks side by side (a letter's recipient and sender): on the page they follow
        each other, since a table without headings is not one to a screen reader."""
        if not any(
            isinstance(value, Paragraph) and value.style.name == "cell_head"
            for row in item._cellvalues
            for value in row
        ):
            for row in item._cellvalues:
                for value in row:
                    self.out.append(f'<p class="govuk-body">{self.cell(value)}</p>')
            return
        rows = []
        for row in item._cellvalues:
            cells = []
            for column, value in enumerate(row):
                heading = isinstance(value, Paragraph) and value.style.name == "cell_head"
                if heading:
                    scope = "row" if column == 0 and len(row) > 1 else "col"
                    cells.append(
                        f'<th scope="{scope}" class="govuk-table__header">{self.cell(value)}</th>'
                    )
                else:
                    cells.append(f'<td class="govuk-table__cell">{self.cell(value)}</td>')
            rows.append(f'<tr class="govuk-table__row">{"".join(cells)}</tr>')
        self.out.append(
            '<table class="govuk-table eip-document-form"><tbody class="govuk-table__body">'
            f"{''.join(rows)}</tbody></table>"
        )

    def list(self, item: ListFlowable) -> None:
        items = []
        for entry in item._flowables:
            parts = entry._flowables if isinstance(entry, ListItem) else [entry]
            if len(parts) == 1:
                content = self.cell(parts[0])
            else:
                inner = _Writer()
                inner.walk(parts)
                content = _trusted(inner.out)
            items.append(f"<li>{content}</li>")
        if item._bulletType == "bullet":
            self.out.append(f'<ul class="govuk-list govuk-list--bullet">{"".join(items)}</ul>')
            return
        start = item._start
        first = f' start="{start}"' if isinstance(start, int) and start != 1 else ""
        self.out.append(f'<ol class="govuk-list govuk-list--number"{first}>{"".join(items)}</ol>')

    def chart(self, drawing: Drawing) -> None:
        from reportlab.graphics import renderSVG

        svg = renderSVG.drawToString(drawing)
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        words = [s.text for s in _strings(drawing) if s.text.strip()]
        title = words[0] if words else "A chart"
        alt = f"Chart: {title}. Its figures are in the table with it."
        self.out.append(
            '<figure class="eip-document-chart">'
            f'<img src="data:image/svg+xml;base64,{data}" alt="{escape(alt)}"></figure>'
        )


def _right(value: object) -> bool:
    """A paragraph set right-aligned (an amount) in the PDF."""
    return isinstance(value, Paragraph) and value.style.alignment == TA_RIGHT


def _strings(drawing: Drawing) -> list[String]:
    """The texts drawn straight onto a chart (its title and keys, not the axis labels the
    chart widget makes as it draws)."""
    return [shape for shape in drawing.contents if isinstance(shape, String)]


def story_html(story: Sequence[Flowable]) -> Markup:
    """The story as HTML: the body of the document's web page."""
    writer = _Writer()
    writer.walk(story)
    return _trusted("\n".join(writer.out))
