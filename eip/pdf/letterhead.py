"""The sender's details on a letter (the acknowledgement to the referrer): the organisation,
its postal address, phone and e-mail, from the programme settings
(`eip.pdf.page.Letterhead`), beside the recipient."""

from __future__ import annotations

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Table, TableStyle

from eip.pdf import styles
from eip.pdf.page import CONTENT_WIDTH, Letterhead
from eip.pdf.styles import para

# A letter's sender block: top right, a little smaller than the letter itself.
SENDER = ParagraphStyle("sender", parent=styles.BODY, fontSize=9, leading=12, alignment=TA_RIGHT)


def sender_block(letterhead: Letterhead) -> Flowable:
    """The organisation and how to reach it, as a letter's sender block."""
    lines = [
        letterhead.organisation,
        *letterhead.address_lines,
        f"Phone: {letterhead.phone}",
        f"E-mail: {letterhead.email}",
    ]
    return para("\n".join(lines), SENDER)


def letter_heading(recipient: Flowable, letterhead: Letterhead) -> Flowable:
    """The recipient on the left and the sender on the right, side by side."""
    table = Table(
        [[recipient, sender_block(letterhead)]],
        colWidths=[CONTENT_WIDTH * 0.5, CONTENT_WIDTH * 0.5],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table
