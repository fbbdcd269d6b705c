"""The bare Flask page every page of `make bench` is compared with.

One query and one template: `GET /rows?n=N` renders N rows of cases (reference, status,
borough, received) in an HTML table, with no sign-in, no session and no layout, from the same
database as the app (DATABASE_URL). The bench asks it for as many rows as the page it is
compared with has, so the ratio is the cost of everything else the app does: the signed-in
session, the access policy, the other queries and the page's layout.
"""

from __future__ import annotations

import os

from flask import Flask, render_template_string, request
from sqlalchemy import create_engine, text

app = Flask(__name__)
engine = create_engine(os.environ["DATABASE_URL"])

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Cases</title></head><body>
<main><h1>Cases</h1><table>
<tr><th>Reference</th><th>Status</th><th>Borough</th><th>Received</th></tr>
{% for row in rows %}<tr><td><a href="/cases/{{ row.reference }}">{{ row.reference }}</a></td>
<td>{{ row.status }}</td><td>{{ row.name }}</td><td>{{ row.received_at }}</td></tr>
{% endfor %}</table></main></body></html>"""

QUERY = text(
    "SELECT cases.reference, cases.status, boroughs.name, cases.received_at FROM cases "
    "JOIN boroughs ON boroughs.id = cases.borough_id ORDER BY cases.id LIMIT :n"
)


@app.get("/rows")
def rows():
    n = max(0, min(int(request.args.get("n", "25")), 100_000))
    with engine.connect() as connection:
        found = connection.execute(QUERY, {"n": n}).all()
    return render_template_string(PAGE, rows=found), {"X-Bench-Queries": "1"}
