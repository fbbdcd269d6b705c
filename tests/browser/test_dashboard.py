"""A manager finds the dashboard from the home page, reads a figure and follows it to the
cases behind it, at phone width (axe checks every page it loads)."""

from __future__ import annotations

import os

from eip.demo import DEMO_PASSWORD
from eip.extensions import db
from tests.browser.signing import fill_sign_in
from tests.conftest import run_seed_demo

MANAGER = "helen.marsh@respect.example"


def test_a_manager_follows_a_dashboard_figure_to_its_cases_on_a_phone(page, runner, app_context):
    run_seed_demo(runner)
    db.session.rollback()  # release the database before the browser needs it
    page.set_viewport_size({"width": 390, "height": 844})
    fill_sign_in(page, MANAGER, DEMO_PASSWORD)
    page.get_by_role("link", name="Programme dashboard").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Programme dashboard"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if os.environ.get("EIP_SCREENSHOT"):
        page.screenshot(path=os.environ["EIP_SCREENSHOT"], full_page=True)
    late = page.locator("#queue-late a")
    shown = late.inner_text().split()[0]
    late.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Late referrals waiting for agreement"
    assert page.locator("#cases-total").inner_text().startswith(f"{shown} case")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
