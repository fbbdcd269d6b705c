"""Issue 17's journey for the two thresholds and the MARAC referral, in a real browser
(axe checks every page): a DASH of 11 makes the IDVA action due in 1 working day and no
MARAC action; a DASH of 15 makes both; the MARAC pack downloads pre-filled with the DASH
answers and the children; recording it as sent takes the MARAC action off what is due."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

from eip.cases import dash
from eip.cases.records import Child
from eip.extensions import db
from eip.formatting import long_date
from eip.workdays import add_working_days
from tests import factories
from tests import factories_marac as fm
from tests import factories_pathway_activity as fa
from tests.browser.signing import sign_in


def _case_with_children(user):
    start = date.today() - timedelta(days=60)
    case = fa.case("active", practitioner=user, received_on=start)
    case.partner_id = fm.partner().id
    db.session.add_all(
        [
            Child(case_id=case.id, position=1, age_years=4, lives_with="both"),
            Child(case_id=case.id, position=2, age_band="11_to_15", lives_with="partner"),
        ]
    )
    db.session.commit()
    return case.reference


def _record_dash(page, reference: str, yes: int) -> None:
    page.goto(f"/cases/{reference}/dash/new")
    for n in range(1, 25):
        page.locator(f"input[name=q{n}][value={'yes' if n <= yes else 'no'}]").check()
    page.locator("input[name=professional_judgement][value=none]").check()
    page.locator("input[name=escalation_incidents]").fill("0")
    page.get_by_role("button", name="Save review").click()
    assert page.url.endswith(f"/cases/{reference}")


def _due(page) -> str:
    return " ".join(page.locator("#due").inner_text().split())


def test_the_thresholds_the_marac_pack_and_recording_it_as_sent(page, app_context, tmp_path):
    user = factories.user("practitioner", name="Alex Practitioner")
    email = user.email
    eleven, fifteen = _case_with_children(user), _case_with_children(user)
    db.session.rollback()
    today = date.today()
    idva_due = long_date(add_working_days(today, 1))
    marac_due = long_date(add_working_days(today, 2))
    on = long_date(today)
    sign_in(page, email)

    # A DASH of 11: high risk, so the IDVA referral is due in 1 working day; no MARAC.
    _record_dash(page, eleven, 11)
    due = _due(page)
    assert (
        f"Refer the partner to the IDVA service: high risk found by the DASH review of {on}: "
        f"{idva_due}" in due
    )
    assert "MARAC" not in due
    assert (
        page.locator("#marac").get_by_role("link", name="Prepare the MARAC referral").count() == 0
    )

    # A DASH of 15: both.
    _record_dash(page, fifteen, 15)
    due = _due(page)
    assert f"high risk found by the DASH review of {on}: {idva_due}" in due
    assert (
        f"Refer the case to MARAC: the MARAC criteria met by the DASH review of {on}: {marac_due}"
        in due
    )

    # The referral form starts from the review; the practitioner completes the rest.
    page.locator("#marac").get_by_role("link", name="Prepare the MARAC referral").click()
    reasons = page.get_by_label("Reasons for referral")
    assert "Visible high risk: a DASH score of 15 of 24" in reasons.input_value()
    page.get_by_role("button", name="Prepare the referral").click()
    assert page.title().startswith("Error:")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Select whether the partner knows about this referral" in summary
    assert "Enter a phone number MARAC can reach you on" in summary
    page.get_by_label("No, the partner does not know about this referral").check()
    page.get_by_label("Your phone number").fill("020 7946 0000")
    page.get_by_role("button", name="Prepare the referral").click()
    assert page.url.endswith(f"/cases/{fifteen}")
    assert "Not sent" in page.locator("#marac").inner_text()

    # The pack downloads, pre-filled with the answers and the children.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the MARAC referral pack (PDF)").click()
    saved = Path(tmp_path / "pack.pdf")
    download.value.save_as(saved)
    assert download.value.suggested_filename == f"{fifteen}-marac-referral.pdf"
    reader = PdfReader(BytesIO(saved.read_bytes()))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    for question in dash.questions():
        assert " ".join(question.text.split())[:30] in text, question.number
    assert "Child 1, aged 4" in text and "Child 2, age 11 to 15" in text
    assert "Alex Practitioner" in text and "020 7946 0000" in text
    assert "Visible high risk: a DASH score of 15 of 24" in text

    # Recording it as sent: the MARAC action is done, the IDVA one is still due.
    page.goto(f"/cases/{fifteen}")
    page.locator("#marac").get_by_role("link", name="Record the referral as sent").click()
    page.get_by_role("button", name="Record as sent").click()
    assert page.url.endswith(f"/cases/{fifteen}")
    due = _due(page)
    assert "Refer the case to MARAC" not in due
    assert "Refer the partner to the IDVA service" in due
    assert "Sent" in page.locator("#marac").inner_text()
