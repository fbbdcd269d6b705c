"""The accommodation blueprint. Each area's routes live in their own module, registered
on this blueprint: placement requests and the placement page (request_views), the SPOC's
decisions (decision_views) and added commitments (commitment_views), the stay (stay_views),
invoices and payments (finance_views), the budget (budget_views) and the documents
(document_views). What their step pages share is in view_helpers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort

bp = Blueprint("accommodation", __name__)

# The largest id a database integer column holds: a larger one in a URL cannot name a row,
# and SQLite raises OverflowError binding it (a 500), so it is answered 404 up front.
LARGEST_ID = 2**63 - 1


@bp.url_value_preprocessor
def _no_impossible_ids(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Every accommodation route (placements, extensions, invoices, ledger entries): an id
    beyond what the database can hold is simply not found."""
    for name, value in (values or {}).items():
        if name.endswith("_id") and isinstance(value, int) and value > LARGEST_ID:
            abort(404)


# Imported for their routes, after `bp` exists.
from accommodation import (  # noqa: E402, F401
    budget_views,
    commitment_views,
    decision_views,
    document_views,
    finance_views,
    request_views,
    stay_views,
)
