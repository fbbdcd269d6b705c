"""Issue 18's subject access journey in a real browser (axe checks every page): a manager
opens the requests from their home, records one for the partner of a case (a mistake first,
shown in the error summary), downloads the pack (a zip of a PDF and a JSON holding none of
the client's details) and marks the request completed."""

from __future__ import annotations

import json
import zipfile
from datetime import date, timedelta
from pathlib import Path

from eip.extensions import db
from eip.formatting import long_date
from eip.privacy.statutory import due_date
from tests import factories
from tests import factories_subject_access as fs
from tests.browser.signing import sign_in


def _date(page, prefix: str, day: date) -> None:
    page.locator(f"#{prefix}-day").fill(str(day.day))
    page.locator(f"#{prefix}-month").fill(str(day.month))
    page.locator(f"#{prefix}-year").fill(str(day.year))


def test_a_manager_records_downloads_and_completes_a_request(page, app_context, tmp_path):
    email = factories.user("manager", name="Morgan Manager").email
    reference = fs.family_case().reference
    db.session.rollback()
    received = date.today() - timedelta(days=2)
    sign_in(page, email)

    page.get_by_role("link", name="Subject access requests: record one").click()
    page.get_by_role("link", name="Record a subject access request").click()
    page.locator("#reference").fill("EIP-1999-0000")
    page.locator("input[name=role][value=partner]").check()
    page.locator("#requested_by").fill("Themselves, by letter")
    _date(page, "received_on", received)
    page.get_by_role("button", name="Record the request").click()
    assert (
        "There is no case with that reference" in page.locator(".govuk-error-summary").inner_text()
    )

    page.locator("#reference").fill(reference)
    page.get_by_role("button", name="Record the request").click()
    table = " ".join(page.locator("table").inner_text().split())
    assert reference in table and long_date(due_date(received)) in table

    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download the pack for case {reference}").click()
    saved = Path(tmp_path) / "pack.zip"
    download.value.save_as(saved)
    assert download.value.suggested_filename.startswith(reference)
    archive = zipfile.ZipFile(saved)
    raw = archive.read("subject-access.json").decode()
    assert json.loads(raw)["subject"]["full_name"] == fs.PARTNER["name"]
    assert fs.CLIENT["name"] not in raw and fs.CLIENT["phone"] not in raw

    page.get_by_role("link", name=f"Mark completed for case {reference}").click()
    page.get_by_role("button", name="Mark as completed").click()
    assert "Subject access request completed" in page.locator("main").inner_text()
    assert page.get_by_role("link", name=f"Mark completed for case {reference}").count() == 0
