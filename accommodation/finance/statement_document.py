"""The layout of Camden's finance statement: the balance at the period's start and end,
each kind of movement in the period with its total, and the placements' figures at the
period's end. Case references and boroughs only; every amount in pounds and pence, VAT
included, right-aligned so the columns can be added up by eye, a negative one in brackets
(`eip.formatting.accounts_pence`)."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph

from accommodation import ledger
from accommodation.finance.statement import (
    UNPAID_FLAG_DAYS,
    Movement,
    Nights,
    Statement,
    day_before,
)
from eip.formatting import accounts_pence, long_date, short_date
from eip.pdf import styles
from eip.pdf.styles import CELL, CELL_HEAD, escape_text, heading, markup, para
from eip.pdf.tables import Column, Lines, data_table, lines_table

STATEMENT_TITLE = "Accommodation statement for Camden"
MONEY = ParagraphStyle("money", parent=CELL, alignment=TA_RIGHT)
MONEY_HEAD = ParagraphStyle("money_head", parent=CELL_HEAD, alignment=TA_RIGHT)
SECTIONS = (
    (ledger.COMMIT, "Commitments", "Money set aside for approved nights and extensions."),
    (ledger.RELEASE, "Releases", "Commitments given back: early move-outs and cancellations."),
    (ledger.INVOICE, "Invoices", "Suppliers' invoices recorded by Camden, by invoice date."),
    (ledger.PAYMENT, "Payments", "Camden's payments of those invoices, by payment date."),
)


def period_text(statement: Statement) -> str:
    return f"{long_date(statement.start)} to {long_date(statement.end)}"


def money(pence: int, bold: bool = False) -> Paragraph:
    text = escape_text(accounts_pence(pence))
    return markup(f"<b>{text}</b>" if bold else text, MONEY)


def money_column(title: str, share: float) -> Column:
    """A column of amounts, its heading right-aligned over them (`data_table` keeps a
    heading that is already a paragraph as it is)."""
    return Column(para(title, MONEY_HEAD), share)  # type: ignore[arg-type]


def _bold(text: str) -> Paragraph:
    return markup(f"<b>{escape_text(text)}</b>", CELL)


def balance_table(statement: Statement) -> Flowable:
    opening, closing = statement.opening, statement.closing
    rows = [
        ("Pot (VAT included)", opening.pot, closing.pot),
        ("Committed", opening.committed, closing.committed),
        ("Invoiced", opening.invoiced, closing.invoiced),
        ("Paid", opening.paid, closing.paid),
        (
            "Invoiced, not yet paid",
            opening.invoiced - opening.paid,
            closing.invoiced - closing.paid,
        ),
        ("Available", opening.available, closing.available),
    ]
    columns = [
        Column("", 0.34),
        money_column(f"At the start ({long_date(day_before(statement.start))})", 0.22),
        money_column("Change in the period", 0.22),
        money_column(f"At the end ({long_date(statement.end)})", 0.22),
    ]
    return data_table(
        columns,
        [
            [
                _bold(label) if label == "Available" else label,
                money(start),
                money(end - start),
                money(end, bold=label == "Available"),
            ]
            for label, start, end in rows
        ],
    )


def _reconciliation(statement: Statement) -> str:
    s = statement
    commits, releases = s.moved(ledger.COMMIT), s.moved(ledger.RELEASE)
    invoiced, paid = s.moved(ledger.INVOICE), s.moved(ledger.PAYMENT)
    return (
        f"Committed: {accounts_pence(s.opening.committed)} at the start, plus "
        f"{accounts_pence(commits)} committed, less {accounts_pence(releases)} released, is "
        f"{accounts_pence(s.closing.committed)} at the end. Invoiced: "
        f"{accounts_pence(s.opening.invoiced)} plus {accounts_pence(invoiced)} is "
        f"{accounts_pence(s.closing.invoiced)}. Paid: {accounts_pence(s.opening.paid)} plus "
        f"{accounts_pence(paid)} is {accounts_pence(s.closing.paid)}. Available is the pot less, "
        "for each placement, the larger of what is committed and what is invoiced."
    )


def movements_table(lines: Sequence[Movement], total_label: str) -> Flowable:
    if not lines:
        return para("None in this period.")
    columns = [
        Column("Date", 0.15),
        Column("Case", 0.2),
        Column("What", 0.47),
        Column("Amount", 0.18, right=True),
    ]
    rows: list[list[Lines]] = [
        [short_date(m.on), (m.reference, m.borough), m.description, accounts_pence(m.signed_pence)]
        for m in lines
    ]
    rows.append(["", "", total_label, accounts_pence(sum(m.signed_pence for m in lines))])
    return lines_table(columns, rows, bold_last=True)


def _count(n: int) -> str:
    return f"{n} night{'' if n == 1 else 's'}"


def nights_text(nights: Nights | None, rate_pence: int | None) -> str:
    """`28 nights approved at £70.00: 20 used, 8 released`, at the period's end."""
    if nights is None or nights.approved is None:
        return "No nights approved"
    text = f"{_count(nights.approved)} approved at {accounts_pence(rate_pence)}: {nights.used} used"
    if nights.released:
        text += f", {nights.released} released"
    if nights.to_come:
        text += f", {nights.to_come} to come"
    return text


def unpaid_table(statement: Statement) -> Flowable:
    if not statement.unpaid:
        return para(f"No invoice was unpaid more than {UNPAID_FLAG_DAYS} days after its date.")
    columns = [
        Column("Invoice date", 0.15),
        Column("Case", 0.2),
        Column("Invoice", 0.33),
        Column("Days unpaid", 0.14, right=True),
        Column("Unpaid", 0.18, right=True),
    ]
    rows: list[list[Lines]] = [
        [
            short_date(u.on),
            (u.reference, u.borough),
            f"{u.number or ''} from {u.supplier or 'the supplier'}",
            str(u.days),
            accounts_pence(u.outstanding_pence),
        ]
        for u in statement.unpaid
    ]
    total = sum(u.outstanding_pence for u in statement.unpaid)
    rows.append(["", "", "Total unpaid", "", accounts_pence(total)])
    return lines_table(columns, rows, bold_last=True)


def placements_table(statement: Statement) -> Flowable:
    if not statement.placements:
        return para("No placement had money committed by the end of the period.")
    columns = [
        Column("Placement", 0.16),
        Column("Provider and status", 0.2),
        Column("Nights at the end", 0.22),
        Column("Committed", 0.14, right=True),
        Column("Invoiced", 0.14, right=True),
        Column("Paid", 0.14, right=True),
    ]
    rows: list[list[Lines]] = []
    for p in statement.placements:
        rows.append(
            [
                (p.name, p.borough),
                (p.provider or "", p.state),
                nights_text(p.nights, p.rate_pence),
                accounts_pence(p.totals.committed),
                accounts_pence(p.totals.invoiced),
                accounts_pence(p.totals.paid),
            ]
        )
    placements = statement.placements
    rows.append(
        [
            "Total",
            "",
            "",
            accounts_pence(sum(p.totals.committed for p in placements)),
            accounts_pence(sum(p.totals.invoiced for p in placements)),
            accounts_pence(sum(p.totals.paid for p in placements)),
        ]
    )
    return lines_table(columns, rows, bold_last=True)


def statement_story(statement: Statement) -> list[Flowable]:
    count = sum(len(lines) for lines in statement.movements.values())
    story: list[Flowable] = [
        para(STATEMENT_TITLE, styles.TITLE),
        para(
            f"{period_text(statement)}. Temporary accommodation paid from the Early "
            "Intervention Project's pot, through the London Borough of Camden.",
            styles.SUBTITLE,
        ),
        para(
            "Every figure is worked out from the budget ledger, each entry on its business "
            "date (the approval, move-out, invoice or payment date). Amounts include VAT. "
            "Placements are shown by case reference, move-in date and borough only."
        ),
        *heading("The pot at the start and end"),
        balance_table(statement),
        styles.gap(4),
        para(_reconciliation(statement), styles.SMALL),
        para(
            f"{count} ledger entr{'y' if count == 1 else 'ies'} in the period. A correction "
            "(a reversal) counts against the kind of entry it undoes, on its own date.",
            styles.SMALL,
        ),
    ]
    for kind, title, explanation in SECTIONS:
        story += [
            *heading(title),
            para(explanation, styles.SMALL),
            movements_table(statement.movements[kind], f"Total {title.lower()}"),
        ]
    story += [
        *heading(
            f"Invoices unpaid more than {UNPAID_FLAG_DAYS} days at {long_date(statement.end)}"
        ),
        para(
            "Invoices dated before the period or in it, not paid in full by its end, "
            f"more than {UNPAID_FLAG_DAYS} days after their date: chase these with the supplier "
            "or Camden's payments team.",
            styles.SMALL,
        ),
        unpaid_table(statement),
        *heading(f"Placements at {long_date(statement.end)}"),
        para(
            "Every placement that held money by the end of the period, with its status, "
            "nights and figures then: nights approved (with extensions), used by the end, "
            "released (given back) and still to come. The totals are the pot's committed, "
            "invoiced and paid at the end.",
            styles.SMALL,
        ),
        placements_table(statement),
    ]
    return story
