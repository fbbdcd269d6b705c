"""In a real browser, every document checked with axe: a manager prepares an evaluation
extract, reviews its disclosure report and releases it; an evaluator downloads it, the zip
opens with its data dictionary, disclosure report and manifest, and the figures page
shows charts built from it."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import timedelta

from eip.clock import today
from eip.extensions import db
from tests import factories
from tests import factories_evaluation as fe
from tests.browser.signing import sign_in, sign_out


def test_a_manager_releases_an_extract_and_an_evaluator_downloads_it(page, app_context, tmp_path):
    fe.many(6, borough_name="Camden")
    fe.many(6, borough_name="Hackney", gender="woman", ethnicity="black_caribbean")
    manager, evaluator = factories.user("manager").email, factories.user("evaluator").email
    # End the test's own read transaction: on SQLite it would hold the live server's lock.
    db.session.rollback()
    start = today() - timedelta(days=60)

    sign_in(page, manager)
    page.get_by_role("link", name="Evaluation", exact=True).click()
    page.get_by_role("button", name="Prepare an extract").click()
    page.fill("#period_start-day", str(start.day))
    page.fill("#period_start-month", str(start.month))
    page.fill("#period_start-year", str(start.year))
    page.get_by_role("button", name="Prepare the extract").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Extract 1"
    summary = page.locator("#extract-summary").inner_text()
    assert "Prepared: waiting for review" in summary
    assert "12 of 12 referred in the period" in summary
    assert "5: the smallest group has" in summary
    assert page.locator("#generalisation").is_visible()
    page.get_by_role("button", name="Release to the evaluators").click()  # the link
    page.wait_for_load_state()
    assert "A release cannot be undone" in page.locator("main").inner_text()
    page.get_by_role("button", name="Release to the evaluators").click()  # confirmed
    page.wait_for_load_state()
    assert "is released" in page.locator("main").inner_text()
    sign_out(page)

    sign_in(page, evaluator)
    assert "The latest released extract is Extract 1" in page.locator("main").inner_text()
    with page.expect_download() as waiting:
        page.get_by_role("button", name="Download Extract 1").click()
    download = waiting.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
        csvs = {"cases.csv", "events.csv", "dash_reviews.csv", "outcomes.csv"}
        assert csvs | {"data_dictionary.md", "disclosure_report.md", "manifest.sha256"} == names
        assert "k = 5" in archive.read("disclosure_report.md").decode()
        for line in archive.read("manifest.sha256").decode().splitlines():
            digest, name = line.split("  ")
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest
        fe.assert_k_anonymous(archive, 5)

    page.get_by_role("link", name="Programme figures and charts from Extract 1").click()
    page.wait_for_load_state()
    assert "Built only from Extract 1" in page.locator("#figures-source").inner_text()
    assert page.locator("#figure-cases").inner_text() == "12"
    # The figures' charts (pathway, borough, timeliness, DASH; risk and safety; outcome
    # measures), each named for a screen reader.
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 4
    for index in range(charts.count()):
        chart = charts.nth(index)
        assert chart.get_attribute("aria-label") or chart.get_attribute("aria-labelledby")
