"""The accommodation agreement the client signs before the move: the facts it prints,
gathered into plain values, and its layout.

The client keeps a copy, and a printed page can be left lying about or taken home, so
what the agreement may hold is decided here, once: the client's own name, the stay
(provider, address, dates, nights) and the practitioner. Nothing of the partner is
gathered (name, address, contact, safe-contact times, code word), nor the request's areas
to avoid, which could point to where the partner lives: the values never reach the layout,
so no change to the layout can leak them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, ListFlowable, ListItem, Table, TableStyle
from sqlalchemy.orm import Session

from accommodation.models import Placement
from eip.auth.models import User
from eip.domain import RuleBroken
from eip.formatting import long_date, weekday_date
from eip.pdf import styles
from eip.pdf.fonts import BOLD
from eip.pdf.page import CONTENT_WIDTH, Letterhead
from eip.pdf.styles import BORDER, CELL, CELL_HEAD, TEXT, heading, labelled, para
from eip.pdf.tables import summary_table
from eip.programme import current_settings
from eip.roles import Role

AGREEMENT_TITLE = "Temporary accommodation agreement"
# The stay's states in which there is an agreement to print: approved (to be signed),
# signed, checked in and ended (a copy of the signed agreement, for the client or the file,
# as long as the case is kept).
AGREEMENT_STATES = ("approved", "agreement_signed", "checked_in", "ended")
NOT_APPROVED = (
    "The accommodation agreement can be printed once the SPOC has approved the placement."
)
NO_STAY = (
    "There is no accommodation agreement to print: the placement did not go ahead, or the "
    "stay ended without a signed agreement."
)
# In a signed copy's signature boxes: the signatures themselves are on the paper original.
SIGNED_ON_PAPER = "Signed: the original is on the case file"


@dataclass(frozen=True)
class AgreementData:
    reference: str
    client_name: str | None
    provider: str
    address: str
    move_in_on: date
    checked_in: bool
    planned_move_out_on: date
    nights: int
    max_nights: int
    programme_end_on: date
    # The signatory for the project: the allocated practitioner, whoever prints it.
    practitioner_name: str | None
    practitioner_email: str | None
    signed_on: date | None
    prepared_on: date
    contact: Letterhead

    @property
    def dated_on(self) -> date:
        """A signed agreement is dated the day it was signed; until then, the day printed."""
        return self.signed_on or self.prepared_on


def agreement_data(
    session: Session,
    placement: Placement,
    generated_by: User,
    today: date,
    letterhead: Letterhead,
) -> AgreementData:
    """The agreement's facts. Raises `RuleBroken` while the placement is not approved, and
    when the stay never happened or ended without a signed agreement."""
    if placement.state == "requested":
        raise RuleBroken(NOT_APPROVED)
    if placement.state not in AGREEMENT_STATES:
        raise RuleBroken(NO_STAY)
    if placement.state == "ended" and placement.agreement_signed_on is None:
        raise RuleBroken(NO_STAY)
    move_out = placement.planned_move_out_on
    if not (placement.provider and placement.address and placement.approved_nights and move_out):
        raise RuleBroken(NOT_APPROVED)  # approved states always have them; never half a page
    settings = current_settings(session)
    signatory = placement.case.allocated_practitioner
    if signatory is None and generated_by.has_role(Role.PRACTITIONER):
        signatory = generated_by
    return AgreementData(
        reference=placement.case.reference,
        client_name=placement.client.full_name if placement.client else None,
        provider=placement.provider,
        address=placement.address,
        move_in_on=placement.start_on,
        checked_in=placement.checked_in_on is not None,
        planned_move_out_on=move_out,
        nights=placement.approved_nights,
        max_nights=settings.max_nights_per_client,
        programme_end_on=settings.programme_end_date,
        practitioner_name=signatory.name if signatory else None,
        practitioner_email=signatory.email if signatory else None,
        signed_on=placement.agreement_signed_on,
        prepared_on=today,
        contact=letterhead,
    )


# ---------------------------------------------------------------------------
# Layout


def _nights(count: int) -> str:
    return f"{count} night{'s' if count != 1 else ''}"


def _terms(data: AgreementData) -> dict[str, list[str]]:
    move_in, move_out = weekday_date(data.move_in_on), weekday_date(data.planned_move_out_on)
    return {
        "Your stay": [
            "This is temporary accommodation, offered as part of the Early Intervention "
            "Project while you take part in the intervention. It is not a tenancy, and it "
            "gives you no right to stay after the planned move-out date.",
            f"You may stay for up to {_nights(data.nights)}: from {move_in} until the "
            f"morning of {move_out}, when you leave the room and hand back the keys.",
            "More nights are possible only if your practitioner asks for them and the "
            "borough approves them in writing before your move-out date. No one may stay "
            f"more than {_nights(data.max_nights)} in total, over all their stays, or stay "
            f"beyond {long_date(data.programme_end_on)}, when the programme ends.",
            "Before you leave, you take part in a return-home review with your practitioner "
            "and your social worker: together you look at the risks to your children and to "
            "the adults in your family and agree the support you will have. The review "
            "always comes before the move-out date.",
            "The room is paid for by the programme, through the London Borough of Camden. "
            "You will not be asked to pay for it.",
        ],
        "House rules": [
            f"You follow the house rules of {data.provider}, which they give you when you arrive.",
            "No visitors: you do not bring anyone into the accommodation, and no one stays "
            "there with you.",
            "You keep to the safety plan agreed with your practitioner and your social "
            "worker, including everything it says about contact with your family.",
            "You keep your appointments with your practitioner, and tell them straight away "
            "if anything about the stay changes or if you want to leave early.",
            "You look after the room and what is in it, and leave it as you found it.",
        ],
        "If the terms are broken": [
            "If you break these terms or the provider's house rules, the provider may ask you "
            "to leave. Your practitioner will review the stay at once with your social worker "
            "and the borough, and it may end early. Nights you do not use are not kept for "
            "later.",
            "If anyone's safety is at risk, your practitioner will act on it straight away, "
            "which can include calling the police.",
        ],
    }


def _numbered(terms: list[str], start: int) -> ListFlowable:
    return ListFlowable(
        [ListItem(para(term), leftIndent=20) for term in terms],
        bulletType="1",
        start=start,
        leftIndent=20,
        bulletFontName=BOLD,
        bulletFontSize=10,
    )


def _signature_block(role: str, name: str | None, signed_on: date | None) -> Table:
    """A name, a signature line and a date line, with room to write by hand; a signed
    copy has them filled in with the names and the day it was signed."""
    blank = ""
    signature = para(SIGNED_ON_PAPER, CELL) if signed_on else blank
    dated = para(long_date(signed_on), CELL) if signed_on else blank
    rows = [
        [para(role, CELL_HEAD), blank, blank],
        [para("Name", CELL), para(name or blank, CELL), blank],
        [para("Signature", CELL), signature, blank],
        [para("Date", CELL), dated, blank],
    ]
    table = Table(
        rows,
        colWidths=[CONTENT_WIDTH * 0.2, CONTENT_WIDTH * 0.5, CONTENT_WIDTH * 0.3],
        rowHeights=[7 * mm, 11 * mm, 15 * mm, 11 * mm],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 0), (-1, 0)),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LINEBELOW", (1, 1), (1, -1), 0.75, TEXT),
                ("LINEABOVE", (0, 0), (-1, 0), 0.5, BORDER),
            ]
        )
    )
    return table


def agreement_story(data: AgreementData) -> list[Flowable]:
    client = data.client_name or "the client"
    contact = data.contact
    practitioner = data.practitioner_name or "your practitioner"
    email = (
        f"{data.practitioner_email} or {contact.email}"
        if data.practitioner_email
        else contact.email
    )
    if data.signed_on:
        status = f"Recorded as signed on {long_date(data.signed_on)}; this is a copy."
        dated = labelled("Signed on", long_date(data.signed_on), styles.SMALL)
    else:
        status = "To be signed before you move in."
        dated = labelled("Prepared on", long_date(data.prepared_on), styles.SMALL)
    stay = [
        ("Case reference", data.reference),
        ("Your name", client),
        ("Accommodation provider", data.provider),
        ("Address", data.address),
        ("Checked in" if data.checked_in else "Move-in date", weekday_date(data.move_in_on)),
        ("Planned move-out", f"{weekday_date(data.planned_move_out_on)}, in the morning"),
        ("Nights", f"Up to {_nights(data.nights)}"),
        ("Your practitioner", data.practitioner_name or "Your allocated practitioner"),
    ]
    if data.practitioner_email:
        stay.append(("Practitioner's e-mail", data.practitioner_email))
    story: list[Flowable] = [
        para(AGREEMENT_TITLE, styles.TITLE),
        para(f"Between {client} and the Early Intervention Project. {status}", styles.SUBTITLE),
        para(
            "This agreement sets out the terms of your stay in temporary accommodation. "
            "Please read it with your practitioner, ask about anything that is not clear, "
            "and keep your copy."
        ),
        *heading("The stay"),
        summary_table(stay),
    ]
    number = 1
    for title, terms in _terms(data).items():
        # Numbered on through the sections, so that "term 7" means one thing.
        story += [*heading(title), _numbered(terms, number)]
        number += len(terms)
    story += [
        *heading("Your information"),
        para(
            "The borough's housing contact arranges the room with the provider, and the "
            "London Borough of Camden's finance team pays for it by case reference, without "
            "your name. They are told only what they need to book and pay for the stay; "
            "nothing about your family's situation is shared with them."
        ),
        *heading("How to reach us"),
        para(
            "If you are worried about your safety or anyone else's, call 999 in an "
            f"emergency. At any other time, call the team on {contact.phone} and ask for "
            f"{practitioner}, or write to {email}. Our address: "
            f"{', '.join(contact.address_lines)}."
        ),
        KeepTogether(
            [
                *heading("Signatures"),
                para("By signing, we agree to the terms above."),
                styles.gap(4),
                _signature_block("The client", data.client_name, data.signed_on),
                styles.gap(10),
                _signature_block(
                    f"The practitioner, for {contact.organisation}",
                    data.practitioner_name,
                    data.signed_on,
                ),
                styles.gap(8),
                dated,
            ]
        ),
    ]
    return story
