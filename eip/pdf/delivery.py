"""Handing a generated document over: laid out, its download audited (the kind of
document only), committed, and sent to the browser as an attachment streamed from memory.
Every document — a case's, a placement's, Camden's statement, the monthly report — goes
through here, so none can be downloaded without its audit event.

The same story can be handed over as the document's accessible web page instead
(`web_page=True`, eip/pdf/html.py): the same checks before it, its own audit action
("document.viewed_as_page", with the kind), and `send_page` shows it in the house layout."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from io import BytesIO

from flask import Response, render_template, send_file
from markupsafe import Markup
from reportlab.platypus import Flowable
from sqlalchemy.orm import Session

from eip.audit import record
from eip.auth.models import User
from eip.db import write_now
from eip.pdf.page import MARKING, DocumentInfo, Letterhead, build_pdf
from eip.programme import current_settings

DOWNLOADED, VIEWED_AS_PAGE = "document.downloaded", "document.viewed_as_page"


@dataclass(frozen=True)
class Document:
    kind: str
    filename: str  # a case reference, a period or a month and the document's name: no person's
    content: bytes  # the PDF, or the web page's body (UTF-8 HTML) when `web_page`
    info: DocumentInfo | None = None
    web_page: bool = False


def letterhead(session: Session) -> Letterhead:
    """The letterhead and contact details, as the programme settings hold them now."""
    settings = current_settings(session)
    return Letterhead(
        organisation=settings.letterhead_organisation,
        phone=settings.contact_phone,
        email=settings.contact_email,
        address=settings.contact_address,
    )


def deliver(
    session: Session,
    user: User,
    kind: str,
    filename: str,
    info: DocumentInfo,
    story: Sequence[Flowable],
    *,
    object_type: str,
    object_id: int | None = None,
    case_reference: str | None = None,
    web_page: bool = False,
) -> Document:
    """Lay the document out, on the programme's letterhead unless `info` brings its own,
    and audit its download in one commit; with `web_page`, write its accessible HTML
    version instead and audit that view."""
    if info.letterhead is None:
        info = replace(info, letterhead=letterhead(session))
    if web_page:
        from eip.pdf.html import story_html

        content = str(story_html(story)).encode("utf-8")
    else:
        content = build_pdf(info, story)
    with write_now(session):  # a GET's write (eip/db.py)
        record(
            session,
            VIEWED_AS_PAGE if web_page else DOWNLOADED,
            actor=user,
            object_type=object_type,
            object_id=object_id,
            case_reference=case_reference,
            details={"document": kind},
        )
        session.commit()
    return Document(kind, filename, content, info, web_page)


def send_pdf(document: Document) -> Response:
    """The attachment, never cached (Cache-Control: no-store is set on every response,
    eip/security.py), with no ETag or dates that would let a shared cache keep it."""
    return send_file(
        BytesIO(document.content),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=document.filename,
        etag=False,
        conditional=False,
        last_modified=None,
        max_age=None,
    )


def send_page(
    document: Document,
    *,
    pdf_url: str,
    back_url: str,
    download_text: str = "Download this document as a PDF",
) -> str:
    """The document's web page: the header facts the PDF prints on every page (marking,
    title, reference, who generated it when), then its body, with a link to the PDF."""
    return render_template(
        "documents/page.html",
        title=document.info.title,
        info=document.info,
        marking=MARKING,
        # Written by eip/pdf/html.py: escaped text between its own tags.
        body=Markup(document.content.decode("utf-8")),  # noqa: S704
        pdf_url=pdf_url,
        download_text=download_text,
        back_url=back_url,
    )
