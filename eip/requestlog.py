"""One structured JSON line per request, and JSON for every other log line.

A request line carries the request id, the user id, the endpoint name, the
method, the status and the duration. It never carries the path, the query
string, form values or headers: those are where names and case details would
leak into log files that many more people can read than the case records.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, request

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
request_logger = logging.getLogger("eip.request")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if fields:
            entry.update(fields)
        else:
            entry["message"] = record.getMessage()
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    """Send the app's logs to stderr as JSON. Called once per process."""
    root = logging.getLogger("eip")
    if any(getattr(h, "_eip", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler._eip = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = True
    # Werkzeug's own access line prints the path and query string; ours replaces it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def current_request_id() -> str:
    return g.get("request_id", "-")


def _start() -> None:
    g.request_started = time.perf_counter()
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    user = g.get("log_user_id")
    if user is None:
        try:
            from flask_login import current_user

            # The user's id, never get_id(): that is the session token, a live credential.
            user = current_user.id if current_user.is_authenticated else None
        except Exception:  # no login manager yet, or no user loader
            user = None
    request_logger.info(
        "request",
        extra={
            "fields": {
                "event": "request",
                "request_id": current_request_id(),
                "user_id": user,
                "method": request.method,
                "endpoint": request.endpoint or "unmatched",
                "status": response.status_code,
                "duration_ms": duration_ms,
            }
        },
    )
    response.headers[REQUEST_ID_HEADER] = current_request_id()
    return response


def init_app(app: Flask) -> None:
    configure_logging()
    app.before_request(_start)
    app.after_request(_finish)
