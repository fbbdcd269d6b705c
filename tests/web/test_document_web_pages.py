"""Each document's accessible web page through the app (issue 20, item 6): offered beside its
PDF, shown to whoever may download the PDF with the PDF's header facts at the top (marking,
title, reference, who generated it when) and a link to the PDF, audited as a view of that
kind of document; refused, and not audited as a view, to everyone else; a case that lacks
what the document is made from goes back with the reason, as for the PDF; the statement and
the report take the same form and show it again for bad input."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from eip.audit import AuditEvent
from eip.clock import today
from eip.extensions import db
from eip.pdf.page import MARKING
from eip.pdf.tables import CONTINUED
from tests import factories
from tests import factories_subject_access as fs
from tests.integration.test_documents_leave_out_partner_support import (
    case_with_notes_and_partner_support,
    close,
    marac_referral_of,
)

LINK = "View as a web page (accessible)"


def viewed(kind: str | None = None) -> list[AuditEvent]:
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "document.viewed_as_page")
    ).all()
    return [e for e in events if kind is None or e.details["document"] == kind]


def assert_document_page(response, title: str, pdf_url: str) -> str:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/html"
    assert "no-store" in response.headers["Cache-Control"]
    page = response.get_data(as_text=True)
    main = page[page.index('<main class="govuk-main-wrapper') :]
    # The marking comes first, then the facts line, the generated line, then the document.
    assert main.index(MARKING) < main.lower().index("printed from ") < main.index("<h1")
    assert re.search(rf"<h1 class=\"govuk-heading-l\">[^<]*{re.escape(title)}", main, re.I)
    assert f'href="{pdf_url}"' in page.replace("&amp;", "&")
    assert 'class="eip-document-page' in page or "eip-document-page" in page
    return page


@pytest.fixture
def world(app_context):
    case, placement, meeting = case_with_notes_and_partner_support()
    return case, placement, meeting


def test_each_case_document_page_is_shown_linked_and_audited(signed_in, world):
    case, placement, meeting = world
    client, practitioner = signed_in("practitioner")
    case.practitioner_id = practitioner.id
    db.session.commit()
    referral = marac_referral_of(practitioner, case)
    ref = case.reference
    pages = {
        "acknowledgement": (f"/cases/{ref}/documents/acknowledgement", "referral"),
        "plan": (f"/cases/{ref}/documents/plan", "plan"),
        "meeting_pack": (f"/cases/{ref}/documents/meeting-pack", "meeting pack"),
        "minutes": (f"/cases/{ref}/documents/meetings/{meeting.id}/minutes", "minutes"),
        "marac_referral": (f"/cases/{ref}/marac/{referral.id}/referral", "MARAC"),
        "accommodation_agreement": (f"/placements/{placement.id}/agreement", "agreement"),
    }
    for kind, (url, title) in pages.items():
        assert_document_page(client.get(f"{url}.html"), title, f"{url}.pdf")
        assert len(viewed(kind)) == 1, kind
    # Offered where the PDF is.
    case_page = client.get(f"/cases/{ref}").get_data(as_text=True)
    for kind in ("acknowledgement", "plan", "meeting-pack", "minutes"):
        assert re.search(rf'href="[^"]*/{kind}\.html"', case_page), kind
    assert f"/marac/{referral.id}/referral.html" in case_page
    assert case_page.count(LINK) >= 5
    placement_page = client.get(f"/placements/{placement.id}").get_data(as_text=True)
    assert f"/placements/{placement.id}/agreement.html" in placement_page

    close(case, sensitive_notes=False)
    url = f"/cases/{ref}/documents/closure-summary"
    assert_document_page(client.get(f"{url}.html"), "closure", f"{url}.pdf")
    assert len(viewed("closure_summary")) == 1
    assert f"{url}.html" in client.get(f"/cases/{ref}").get_data(as_text=True)


@pytest.mark.parametrize("role", ["spoc", "finance", "evaluator", "admin"])
def test_other_roles_are_refused_each_case_document_page_and_nothing_is_viewed(
    signed_in, world, role
):
    case, placement, meeting = world
    referral = marac_referral_of(factories.user("practitioner"), case)
    client, _user = signed_in(role)
    ref = case.reference
    for url in (
        f"/cases/{ref}/documents/acknowledgement.html",
        f"/cases/{ref}/documents/plan.html",
        f"/cases/{ref}/documents/meeting-pack.html",
        f"/cases/{ref}/documents/meetings/{meeting.id}/minutes.html",
        f"/cases/{ref}/marac/{referral.id}/referral.html",
        f"/placements/{placement.id}/agreement.html",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "eip-document" not in response.get_data(as_text=True)
    assert viewed() == []


def test_a_case_without_what_the_document_needs_goes_back_with_the_reason(signed_in):
    client, practitioner = signed_in("practitioner")
    case = factories.case(practitioner=practitioner)
    response = client.get(f"/cases/{case.reference}/documents/closure-summary.html")
    assert response.status_code == 302
    assert f"/cases/{case.reference}" in response.headers["Location"]
    assert viewed() == []


def test_the_statement_and_the_report_pages_take_the_same_form(signed_in, world):
    client, _manager = signed_in("manager")
    on = today()
    start = on.replace(day=1)
    dates = (
        f"start={start.day}&start={start.month}&start={start.year}"
        f"&end={on.day}&end={on.month}&end={on.year}"
    )
    page = assert_document_page(
        client.get(f"/budget/statement.html?{dates}"), "statement", f"/budget/statement.pdf?{dates}"
    )
    assert "<th" in page
    assert len(viewed("finance_statement")) == 1
    bad = client.get("/budget/statement.html?start=31&start=2&start=2026&end=1&end=1&end=2026")
    assert bad.status_code == 400
    assert 'formaction="/budget/statement.html"' in bad.get_data(as_text=True)

    month = f"month={on.month}&month={on.year}&version=funder"
    assert_document_page(
        client.get(f"/reports/monthly.html?{month}"),
        "Monthly programme report",
        f"/reports/monthly.pdf?{month}",
    )
    assert len(viewed("programme_report_funder")) == 1
    assert client.get("/reports/monthly.html?month=13&month=2026").status_code == 400
    home = client.get("/").get_data(as_text=True)
    assert 'formaction="/reports/monthly.html"' in home


def test_the_finance_team_is_refused_the_report_page(signed_in):
    client, _user = signed_in("finance")
    on = today()
    assert client.get(f"/reports/monthly.html?month={on.month}&month={on.year}").status_code == 403
    assert viewed() == []


def _words(text: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", text))


def test_the_subject_access_pack_page_says_what_the_packs_pdf_says_and_is_audited(signed_in):
    client, _manager = signed_in("manager")
    request = fs.request(fs.family_case(), "client")
    url = f"/subject-access/{request.id}/pack"
    page = assert_document_page(client.get(f"{url}.html"), "Subject access pack", f"{url}.zip")
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "subject_access.pack_viewed")
    ).all()
    assert event.details == {"person": "client"}
    assert event.object_id == str(request.id)

    archive = zipfile.ZipFile(BytesIO(client.get(f"{url}.zip").data))
    reader = PdfReader(BytesIO(archive.read("subject-access.pdf")))
    pdf = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    pdf = re.sub(r"Page \d+ of \d+", " ", pdf)
    main = page[page.index("<article") : page.index("</article>")]
    text = re.sub(r"<[^>]+>", " ", main).replace("&#39;", "'").replace("&amp;", "&")
    text = text.replace("&quot;", '"')
    # Two views at different minutes may differ in the generated line only.
    generated = _words(" ".join(re.findall(r"rinted from [^)]*\)", pdf + " " + text)))
    generated.add(CONTINUED.strip("()"))  # a table's header repeated on the PDF's next page
    assert _words(pdf) - _words(text) - generated == set()
    assert _words(text) - _words(pdf) - generated == set()
    assert f"{url}.html" in client.get("/subject-access").get_data(as_text=True)
