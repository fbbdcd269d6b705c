"""The accommodation blueprint. Each area's routes live in their own module, registered
on this blueprint: placement requests and decisions (request_views), the stay
(stay_views), invoices and payments (finance_views) and the budget (budget_views)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accommodation", __name__)

# Imported for their routes, after `bp` exists.
from accommodation import budget_views, finance_views, request_views, stay_views  # noqa: E402, F401
