"""Every page of every role fits a phone: no page scrolls sideways at 390 px, nor the
heaviest ones at 320 px, on a tablet (768 px, still stacked tables) or a small laptop
(1024 px, where a wide table scrolls in its container). axe checks each page as it loads.

The pages are not listed here: each role gets every GET route of Flask's URL map that the
access table (`tests/web/test_route_access.py::EXPECTED`) lets it use, filled with the route
walk's real objects (its `world`: a case with consents, meetings, actions and referrals,
placements in each state with an invoice, a released extract, accounts of every role ...).
A new page is covered as soon as it is in that table. Files (PDF, CSV, the extract's zip) are
left out: they are not pages.
"""

from __future__ import annotations

import pytest

from eip.extensions import db
from eip.roles import Role
from tests import factories
from tests.browser.signing import fill_sign_in
from tests.web.test_route_access import ANON, EXPECTED, world  # noqa: F401 (the route walk's fixture)

PHONE = 390
# The pages with the most columns and the longest rows are checked at these widths as well.
OTHER_WIDTHS = (320, 768, 1024)
HEAVIEST = {
    "cases.index",
    "cases.view",
    "accommodation.placements",
    "accommodation.placement",
    "accommodation.budget",
    "accommodation.invoices",
    "admin.users",
    "admin.approvals",
    "audit.search",
    "audit.account_events",
    "evaluation.index",
    "evaluation.figures",
    "dashboard.index",
}

# The element that sticks out furthest whose parent still fits: what to fix.
WIDEST = r"""width => {
  let found = null;
  for (const element of document.body.querySelectorAll('*')) {
    const right = element.getBoundingClientRect().right;
    const parent = element.parentElement.getBoundingClientRect().right;
    if (right > width && parent <= width && (!found || right > found.right)) {
      found = {right, element};
    }
  }
  if (!found) return 'nothing in particular';
  const element = found.element;
  return `<${element.tagName.toLowerCase()} class="${element.className}"> ` +
    `"${element.innerText.replace(/\s+/g, ' ').trim().slice(0, 60)}"`;
}"""


def pages_of(app, walk, who: str) -> list[tuple[str, str]]:
    """(endpoint, URL) of every GET route `who` may use, each filled with a real object."""
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "main.healthz"):
            continue
        if who in EXPECTED[rule.endpoint]:
            pages.append((rule.endpoint, walk.url(rule, who)))
    return sorted(pages, key=lambda page: page[1])


def too_wide(page, url: str, who: str, width: int) -> str | None:
    """Loads `url` at `width` px; says why it does not fit, or None when it does (or is a file)."""
    page.set_viewport_size({"width": width, "height": 844})
    # Ask first (the context's cookies, no navigation), so that a download is never opened.
    probe = page.request.get(url)
    kind, status = probe.headers.get("content-type", ""), probe.status
    probe.dispose()
    if status >= 500:
        return f"{url} as {who}: a server error ({status})"
    if not kind.startswith("text/html"):
        return None
    page.goto(url)
    if who != ANON and page.url.split("/", 3)[3].startswith("sign-in") and "sign-in" not in url:
        # Signed out on the way: every page after this one would be the sign-in page.
        return f"{url} as {who}: sent to sign in ({page.url})"
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width <= width:
        return None
    widest = page.evaluate(WIDEST, width)
    return (
        f"{url} as {who} at {width} px: the page is {scroll_width} px wide (sticking out: {widest})"
    )


@pytest.mark.parametrize("who", [role.value for role in Role] + [ANON])
def test_no_page_scrolls_sideways_on_a_phone(page, app, world, who):  # noqa: F811
    # An address with no place to break, as a user's e-mail shows on the admin's pages.
    factories.user("practitioner", email="a.very-long-unbroken-address@fictional-borough.example")
    db.session.commit()
    db.session.rollback()  # release the database before the browser needs it
    pages = pages_of(app, world, who)
    assert len(pages) > 3, who
    page.set_viewport_size({"width": PHONE, "height": 844})
    if who != ANON:
        fill_sign_in(page, world.emails[who])
        assert "Sign out" in page.locator("header").inner_text(), who
    problems = [too_wide(page, url, who, PHONE) for _endpoint, url in pages]
    problems += [
        too_wide(page, url, who, width)
        for width in OTHER_WIDTHS
        for endpoint, url in pages
        if endpoint in HEAVIEST
    ]
    problems = [problem for problem in problems if problem]
    assert not problems, "\n".join(problems)
    assert len(page.axe_checked) >= len(pages) // 2, "axe ran on too few pages"
