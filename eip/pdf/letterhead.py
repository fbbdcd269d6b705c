"""The sender's details on documents addressed to a person (the acknowledgement to the
referrer, the client's accommodation agreement): the organisation, its postal address,
phone and e-mail, from the programme settings (`eip.pdf.page.Letterhead`)."""

from __future__ import annotations

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable

from eip.pdf import styles
from eip.pdf.page import Letterhead
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


def contact_rows(letterhead: Letterhead) -> list[tuple[str, str]]:
    """The programme's phone, e-mail and address, as rows of a summary table."""
    return [
        ("Phone", letterhead.phone),
        ("Team e-mail", letterhead.email),
        ("Address", ", ".join(letterhead.address_lines)),
    ]
