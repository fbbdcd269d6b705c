"""Handing a generated document over: laid out, its download audited (the kind of
document only), committed, and sent to the browser as an attachment streamed from memory.
Every document — a case's, a placement's, Camden's statement, the monthly report — goes
through here, so none can be downloaded without its audit event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from io import BytesIO

from flask import Response, send_file
from reportlab.platypus import Flowable
from sqlalchemy.orm import Session

from eip.audit import record
from eip.auth.models import User
from eip.db import write_now
from eip.pdf.page import DocumentInfo, Letterhead, build_pdf
from eip.programme import current_settings


@dataclass(frozen=True)
class Document:
    kind: str
    filename: str  # a case reference, a period or a month and the document's name: no person's
    content: bytes


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
) -> Document:
    """Lay the document out, on the programme's letterhead unless `info` brings its own,
    and audit its download in one commit."""
    if info.letterhead is None:
        info = replace(info, letterhead=letterhead(session))
    content = build_pdf(info, story)
    with write_now(session):  # a GET's write (eip/db.py)
        record(
            session,
            "document.downloaded",
            actor=user,
            object_type=object_type,
            object_id=object_id,
            case_reference=case_reference,
            details={"document": kind},
        )
        session.commit()
    return Document(kind, filename, content)


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
