"""The header's role-based navigation: each item shows only if the policy allows it.

Every signed-in page draws it, so its HTML is made once per process for each combination of
what it shows (which items the policy allows, which one is the current section, the prefix
the app is served under) and reused: the key is the whole of what the HTML depends on, and it
holds no one's name or data, so two people with the same items share the same bytes and
anyone whose items differ (another role, a role just changed) gets their own.
"""

from __future__ import annotations

from flask import current_app, request, url_for
from flask_login import current_user
from markupsafe import Markup

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

_SERVICE_NAVIGATION = "govuk_frontend_jinja/components/service-navigation/macro.html"


def _shown(user, endpoint_now: str) -> tuple[tuple[int, bool], ...]:
    """Which items `user` sees (their index in ITEMS) and whether each is the current
    section."""
    if not user.is_authenticated or user.role is None:
        return ()
    shown = []
    for index, (_label, endpoint, action, section) in enumerate(ITEMS):
        # Managers reach account events through the full audit trail.
        if endpoint == "audit.account_events" and can(user, "audit.search"):
            continue
        if can(user, action):
            shown.append((index, endpoint_now.startswith(section)))
    return tuple(shown)


def _items(shown: tuple[tuple[int, bool], ...]) -> list[dict]:
    return [
        {"href": url_for(ITEMS[index][1]), "text": ITEMS[index][0], "active": active}
        for index, active in shown
    ]


def service_navigation() -> Markup:
    """The header's service navigation as HTML (template global), or "" when the user sees
    none: govukServiceNavigation's output, made once per process for each key."""
    shown = _shown(current_user._get_current_object(), request.endpoint or "")
    if not shown:
        return Markup()
    # url_for's paths start with the prefix the app is served under.
    key = (shown, request.script_root)
    cache = current_app.extensions.setdefault("eip.navigation", {})
    html = cache.get(key)
    if html is None:
        macro = current_app.jinja_env.get_template(_SERVICE_NAVIGATION).module
        # A macro of an .html template returns Markup, escaped as the page's own call was.
        params = {"navigation": _items(shown), "navigationLabel": "Main menu"}
        html = cache[key] = macro.govukServiceNavigation(params)
    return html
