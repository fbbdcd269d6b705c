"""The accommodation blueprint. Each area's routes live in their own module, registered
on this blueprint: placement requests and the placement page (placements.request_views), the
SPOC's decisions (placements.decision_views) and added commitments
(placements.commitment_views), the stay (stay.views), invoices and payments (finance.views),
the budget (budget.views) and the documents (document_views). What their step pages share is
in view_helpers."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accommodation", __name__)

# Imported for their routes, after `bp` exists.
from accommodation import document_views  # noqa: E402, F401
from accommodation.budget import views as budget_views  # noqa: E402, F401
from accommodation.finance import views as finance_views  # noqa: E402, F401
from accommodation.placements import (  # noqa: E402, F401
    commitment_views,
    decision_views,
    request_views,
)
from accommodation.stay import views as stay_views  # noqa: E402, F401
