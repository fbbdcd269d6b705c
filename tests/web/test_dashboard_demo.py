"""The manager's dashboard on the demo: every figure group shows something, and every link to
the cases behind a figure opens a list with as many cases as the figure says."""

from __future__ import annotations

import re

import pytest

from eip.demo import DEMO_PASSWORD
from tests.conftest import run_seed_demo, sign_in

MANAGER = "helen.marsh@respect.example"


@pytest.fixture
def demo(runner, app_context):
    run_seed_demo(runner)


def test_every_dashboard_figure_on_the_demo_opens_its_cases(demo, app):
    client = app.test_client()
    assert sign_in(client, MANAGER, DEMO_PASSWORD).status_code == 302
    page = client.get("/dashboard/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    links = set(re.findall(r'href="(/dashboard/cases/[^"]+)">(\d+)<', html))
    links.add(("/dashboard/cases/accommodated", re.search(r"(\d+) of \d+ at most", html).group(1)))
    figures = {re.match(r"/dashboard/cases/(\w+)", url).group(1) for url, _n in links}
    # Every kind of figure has at least one case behind it on the demo (but the follow-ups
    # due: the demo's cases closed within the last three months, so none is due yet).
    assert figures >= {
        "referrals",
        "outcomes",
        "acknowledgement",
        "dash",
        "dash_movement",
        "meetings",
        "idva",
        "late",
        "no_idva",
        "no_marac",
        "quiet",
        "accommodated",
        "outcome_change",
        "outcome_points",
    }, figures
    for url, shown in sorted(links):
        listing = client.get(url.replace("&amp;", "&"))
        assert listing.status_code == 200, url
        text = listing.get_data(as_text=True)
        total = re.search(r'id="cases-total">(\d+) case', text)
        assert total and total.group(1) == shown, (url, shown)
