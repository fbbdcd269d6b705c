"""The app as `make bench` serves it: the real WSGI app (`wsgi:app`), plus a count of the
SQL statements each request runs, sent back in an `X-Bench-Queries` header, and the "app
floor" page (bench/floor.py: the layout with no content, the bench's own route).

The count is every statement the engine sends to the database (`eip.querycount`, the same
counter the page tests use) from the start of the request to the response, which is where a
view's work is done; nothing else about the app changes.
"""

from __future__ import annotations

from flask import g

from bench.floor import add_floor
from eip import querycount
from wsgi import app

querycount.install()
add_floor(app)


def _start_counting() -> None:
    g.bench_queries_before = querycount.so_far()


def _send_count(response):
    before = g.get("bench_queries_before", querycount.so_far())
    response.headers["X-Bench-Queries"] = str(querycount.so_far() - before)
    return response


# First of the app's own before-request functions (the signed-in session is checked in
# them), and the last of its after-request ones (they run in reverse), so all are counted.
app.before_request_funcs.setdefault(None, []).insert(0, _start_counting)
app.after_request_funcs.setdefault(None, []).insert(0, _send_count)
