"""The app as `make bench` serves it: the real WSGI app (`wsgi:app`), plus a count of the
SQL statements each request runs, sent back in an `X-Bench-Queries` header.

The count is every statement the engine sends to the database (a SQLAlchemy
`before_cursor_execute` listener) from the start of the request to the response, which is
where a view's work is done; nothing else about the app changes.
"""

from __future__ import annotations

import threading

from flask import g
from sqlalchemy import event
from sqlalchemy.engine import Engine

from wsgi import app

_counted = threading.local()


@event.listens_for(Engine, "before_cursor_execute")
def _count(conn, cursor, statement, parameters, context, executemany) -> None:
    _counted.n = getattr(_counted, "n", 0) + 1


def _start_counting() -> None:
    g.bench_queries_before = getattr(_counted, "n", 0)


def _send_count(response):
    before = g.get("bench_queries_before", getattr(_counted, "n", 0))
    response.headers["X-Bench-Queries"] = str(getattr(_counted, "n", 0) - before)
    return response


# First of the app's own before-request functions (the signed-in session is checked in
# them), and the last of its after-request ones (they run in reverse), so all are counted.
app.before_request_funcs.setdefault(None, []).insert(0, _start_counting)
app.after_request_funcs.setdefault(None, []).insert(0, _send_count)
