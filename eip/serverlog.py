"""gunicorn's own log lines, without the path, the query string or the referrer.

The app logs one JSON line per request and never the path (eip/requestlog.py): a path names a
case reference and a query string can hold what someone searched for. gunicorn has its own
lines that do: the access log's request line, "Error handling request GET /cases/?reference=…"
when an exception escapes the app, and "Invalid request from ip=…: <the request line>" for a
malformed request. `gunicorn.conf.py` makes gunicorn use this logger, which withholds them
whatever access log format an operator chooses.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

WITHHELD = "-"
# Access log atoms (and the environ and header atoms) that carry the address or the referrer.
_ADDRESS_ATOMS = ("U", "q", "f")
_ADDRESS_KEYS = (
    "{raw_uri}e", "{path_info}e", "{query_string}e", "{request_uri}e", "{http_referer}e",
    "{referer}i",
)  # fmt: skip
_INVALID_REQUEST = re.compile(r"^Invalid request from ip=(\S+?): ")


class PrivateLogger(Logger):
    def atoms(self, resp, req, environ, request_time) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = f"{environ.get('REQUEST_METHOD', '-')} {WITHHELD} " + str(
            environ.get("SERVER_PROTOCOL", "-")
        )
        for key in (*_ADDRESS_ATOMS, *_ADDRESS_KEYS):
            if key in atoms:
                atoms[key] = WITHHELD
        return atoms

    def exception(self, msg, *args, **kwargs) -> None:
        if isinstance(msg, str) and msg.startswith("Error handling request"):
            # gunicorn adds the method and the URI; the app has already logged the error
            # with its request id, endpoint and method.
            msg, args = "Error handling request (address withheld)", ()
        super().exception(msg, *args, **kwargs)

    def warning(self, msg, *args, **kwargs) -> None:
        if isinstance(msg, str):
            invalid = _INVALID_REQUEST.match(msg)
            if invalid:
                # The rest quotes the request line or header that could not be parsed.
                msg, args = "Invalid request from ip=%s (details withheld)", (invalid[1],)
        super().warning(msg, *args, **kwargs)
