"""Money as people type it: always whole pence inside the system (shown with
`eip.formatting.format_pence`).

Every figure in the accommodation budget is an `int` of pence, because the pot is public money
and must reconcile to the penny; floats would drift. This module is the only place where text
becomes pence, so a form field and an import both refuse the same things with the same words.
"""

from __future__ import annotations

import re
from decimal import Decimal

ENTER_AN_AMOUNT = "Enter an amount in pounds, like 1,234.50"
MORE_THAN_ZERO = "The amount must be more than £0"
TWO_DECIMALS = "The amount can have at most 2 decimal places"
TOO_LARGE = "The amount is too large"

# Pounds either plainly (1234) or grouped in threes with commas (1,234); then optional pence.
# ASCII only, so that other scripts' digits (which `int` would accept) are refused.
_AMOUNT = re.compile(
    r"""
    (?P<sign>-?)\s*£?\s*(?P<sign_after>-?)\s*
    (?P<pounds>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)
    (?:\.(?P<fraction>[0-9]*))?
    """,
    re.VERBOSE | re.ASCII,
)
# Longer than any sensible amount; stops pathological input before any arithmetic.
_MAX_LENGTH = 40


class MoneyError(ValueError):
    """Text that is not an acceptable amount; the message is fit to show beside the field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_pounds(text: str, *, max_pence: int = 100_000_000, allow_zero: bool = False) -> int:
    """Whole pence from an amount typed in pounds: `£1,234.50`, `1234.5`, ` 1,234 `, `£0.99`.

    Only positive amounts are accepted: the sign of a ledger entry comes from its kind, never
    from what was typed, so a minus sign is refused rather than silently meaning a refund.
    More than two decimal places is refused, not rounded, because rounding public money
    without telling anyone hides a typing mistake. `max_pence` (default £1,000,000, far above
    the £14,000 pot) catches an extra zero or a pasted reference number. `allow_zero` is for a
    setting such as the pot itself, which may be £0.00; a ledger amount never is.
    """
    cleaned = (text or "").strip()
    if not cleaned:
        raise MoneyError(ENTER_AN_AMOUNT)
    if len(cleaned) > _MAX_LENGTH:
        raise MoneyError(TOO_LARGE if _looks_numeric(cleaned) else ENTER_AN_AMOUNT)
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        raise MoneyError(ENTER_AN_AMOUNT)
    pounds = match["pounds"].replace(",", "")
    fraction = match["fraction"]
    if not pounds and not fraction:
        raise MoneyError(ENTER_AN_AMOUNT)
    if fraction is not None and len(fraction) > 2:
        raise MoneyError(TWO_DECIMALS)
    if match["sign"] and match["sign_after"]:
        raise MoneyError(ENTER_AN_AMOUNT)
    pence = int(Decimal(f"{pounds or '0'}.{fraction or '0'}") * 100)
    if match["sign"] or match["sign_after"] or (pence == 0 and not allow_zero):
        raise MoneyError(MORE_THAN_ZERO)
    if pence > max_pence:
        raise MoneyError(TOO_LARGE)
    return pence


def _looks_numeric(text: str) -> bool:
    return re.fullmatch(r"-?\s*£?\s*[0-9,]+(?:\.[0-9]*)?", text, re.ASCII) is not None
