"""Sending a generated PDF to the browser: streamed from memory as an attachment, never
cached (Cache-Control: no-store is set on every response, eip/security.py), with no ETag
or dates that would let a shared cache keep it."""

from __future__ import annotations

from io import BytesIO

from flask import Response, send_file


def send_pdf(content: bytes, filename: str) -> Response:
    return send_file(
        BytesIO(content),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=filename,
        etag=False,
        conditional=False,
        last_modified=None,
        max_age=None,
    )
