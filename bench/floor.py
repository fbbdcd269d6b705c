"""The "app floor" page of `make bench` (`/bench/floor`): what every signed-in page pays
before its own content.

That is the server-side session check, flask-login, the access rule's decorator, the layout
(header with the user's name and unread count, navigation, footer, the sign-out form with its
CSRF token), the security headers and the request log line. It is the bench's own route,
registered by bench/serve.py and bench/profile_page.py and never by the product: a template
that extends the layout with an empty content block, behind the same `@requires` as the home
page.
"""

from __future__ import annotations

from flask import Flask, render_template

from eip.access import requires

FLOOR_PATH = "/bench/floor"


def add_floor(app: Flask) -> None:
    # Compiled once, as a file template is: rendering it is all a request pays.
    floor = app.jinja_env.from_string(
        '{% extends "base.html" %}{% block main_content %}{% endblock %}'
    )

    @requires("account.own")
    def bench_floor():
        return render_template(floor, title="App floor")

    app.add_url_rule(FLOOR_PATH, view_func=bench_floor)
