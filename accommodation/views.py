"""The accommodation blueprint. Each area's routes live in their own module, registered
on this blueprint: placement requests and the placement page (request_views), the SPOC's
decisions (decision_views) and added commitments (commitment_views), the stay (stay_views),
invoices and payments (finance_views), the budget (budget_views) and the documents
(document_views). What their step pages share is in view_helpers."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accommodation", __name__)

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
