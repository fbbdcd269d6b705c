"""The words people see, one per idea: the code's half of docs/glossary.md.

Pages, CSVs, PDFs and e-mails name the same thing with the same word. The money words are
DOMAIN.md's ledger terms (pot, committed, invoiced, paid, available); a deadline has a
"due date"; a placement is named by its case reference and move-in date. Each term lists the
synonyms it retired: tests/unit/test_vocabulary.py fails when a template, a CSV or a PDF uses
one again, so a seventh name for the pot's balance cannot creep back in.

Plain constants and functions, no Flask: formatting, templates and documents import them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from eip.formatting import long_date

# The ledger's words (DOMAIN.md, "Ledger arithmetic"), as people read them.
POT = "pot"
COMMITTED = "Committed"
INVOICED = "Invoiced"
PAID = "Paid"
AVAILABLE = "Available"
# What a deadline or an action falls due on.
DUE_DATE = "Due date"
# The one hint every time-of-day box shows (forms/fields.py's LondonTimeField).
TIME_HINT = "London time, for example 14:30 or 2:30pm"
TIME_INVALID = "Enter the time as hours and minutes, like 14:30 or 2:30pm"


@dataclass(frozen=True)
class Term:
    word: str
    meaning: str
    # Words that used to name the same thing and must not any more (matched as whole
    # words, any case), in templates, CSVs and PDFs.
    retired: tuple[str, ...] = ()


GLOSSARY: tuple[Term, ...] = (
    Term(
        "pot",
        "The programme's money for temporary accommodation, London-wide, VAT included "
        "(£14,000 by default; a programme setting).",
    ),
    Term(
        "committed",
        "Money set aside for approved placements: each approval, extension or added "
        "commitment, less what was released by an early move-out or a cancellation.",
    ),
    Term("invoiced", "The providers' invoices recorded against a placement."),
    Term("paid", "Payments recorded against invoices. Paying never changes what is available."),
    Term(
        "available",
        "What the pot can still commit: the pot less, for each placement, the larger of "
        "what is committed and what is invoiced. Approvals are refused beyond it.",
        retired=(
            "uncommitted",
            "uncommitted remaining",
            "left uncommitted",
            "what is left",
            "money left",
            "balance",
        ),
    ),
    Term(
        "due date",
        "The day a deadline or an action falls due (a plan action's too).",
        retired=("review date",),
    ),
    Term(
        "placement",
        "One stay in temporary accommodation for a client, from the request to the move-out. "
        "Named by its case reference and move-in date: “EIP-2026-0012, moving in 3 March "
        "2027”, never by a number of its own (“Placement 10”).",
    ),
    Term(
        "London time",
        "Every date and time is London's (GMT or BST). A time is typed as "
        "“14:30” or “2:30pm”; pages write it “2:30pm”.",
    ),
)

RETIRED: tuple[str, ...] = tuple(word for term in GLOSSARY for word in term.retired)


def placement_name(reference: str, move_in_on: date | None, *, moved_in: bool = False) -> str:
    """How a placement is named everywhere: `EIP-2026-0012, moving in 3 March 2027` (or
    `moved in` once the client has checked in). The case reference is not personal data."""
    if move_in_on is None:
        return reference
    verb = "moved in" if moved_in else "moving in"
    return f"{reference}, {verb} {long_date(move_in_on)}"
