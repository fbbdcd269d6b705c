"""The header's role-based navigation: each item shows only if the policy allows it."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user

from eip.policy import can

# (label, endpoint, access rule, endpoint prefix that marks the item as the current section)
ITEMS: list[tuple[str, str, str, str]] = [
    ("Home", "main.home", "account.own", "main.home"),
    ("Cases", "cases.index", "case.list", "cases."),
    ("Placements", "accommodation.placements", "placement.list", "accommodation.placement"),
    ("Budget", "accommodation.budget", "budget.view", "accommodation.budget"),
    ("Invoices", "accommodation.invoices", "finance.record", "accommodation.invoice"),
    ("Evaluation", "evaluation.index", "evaluation.list", "evaluation."),
    ("Data requests", "privacy.index", "privacy.requests", "privacy."),
    ("Approvals", "admin.approvals", "approvals.view", "admin.approval"),
    ("Programme settings", "admin.settings", "settings.view", "admin.setting"),
    ("Audit trail", "audit.search", "audit.search", "audit."),
    ("Users", "admin.users", "admin.users", "admin.user"),
    ("Boroughs", "admin.boroughs", "admin.boroughs", "admin.borough"),
    ("Account events", "audit.account_events", "audit.account_events", "audit."),
]


def main_navigation() -> list[dict]:
    if not current_user.is_authenticated or current_user.role is None:
        return []
    endpoint_now = request.endpoint or ""
    items = []
    for label, endpoint, action, section in ITEMS:
        # Managers reach account events through the full audit trail.
        if endpoint == "audit.account_events" and can(current_user, "audit.search"):
            continue
        if can(current_user, action):
            items.append(
                {
                    "href": url_for(endpoint),
                    "text": label,
                    "active": endpoint_now.startswith(section),
                }
            )
    return items
