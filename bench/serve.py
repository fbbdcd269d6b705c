"""The app as `make bench` serves it: the real WSGI app (`wsgi:app`), plus a count of the
SQL statements each request runs, sent back in an `X-Bench-Queries` header, and the "app
floor" page (`/bench/floor`).

The count is every statement the engine sends to the database (`eip.querycount`, the same
counter the page tests use) from the start of the request to the response, which is where a
view's work is done; nothing else about the app changes.

The app floor is what every signed-in page pays before its own content: the server-side
session check, flask-login, the access rule's decorator, the layout (header with the user's
name and unread count, navigation, footer, sign-out form with its CSRF token), the security
headers and the request log line. It is the bench's own route, registered here and never in
the product: a template that extends the layout with an empty content block, behind the same
`@requires` as the home page.
"""

from __future__ import annotations

from flask import g, render_template

from eip import querycount
from eip.access import requires
from wsgi import app

querycount.install()

FLOOR_PATH = "/bench/floor"
# Compiled once, as a file template is: rendering it is all a request pays.
_FLOOR = app.jinja_env.from_string(
    '{% extends "base.html" %}{% block main_content %}{% endblock %}'
)


@requires("account.own")
def _floor():
    return render_template(_FLOOR, title="App floor")


def _start_counting() -> None:
    g.bench_queries_before = querycount.so_far()


def _send_count(response):
    before = g.get("bench_queries_before", querycount.so_far())
    response.headers["X-Bench-Queries"] = str(querycount.so_far() - before)
    return response


app.add_url_rule(FLOOR_PATH, endpoint="bench_floor", view_func=_floor)
# First of the app's own before-request functions (the signed-in session is checked in
# them), and the last of its after-request ones (they run in reverse), so all are counted.
app.before_request_funcs.setdefault(None, []).insert(0, _start_counting)
app.after_request_funcs.setdefault(None, []).insert(0, _send_count)
