"""Bad input never gives a 500 (issue 14, item 7), on SQLite and on PostgreSQL.

Every route in the URL map is asked, by a role allowed to use it, with NUL bytes, other
control characters and whole numbers far beyond 64 bits: in its path, in every filter of the
query string, and in every field of every form it shows. PostgreSQL refuses NUL in text and
neither engine binds such numbers, so each one used to end in a 500. The answer must be a
page (a 4xx, or the page with the bad characters removed), and nothing stored may hold a
control character.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import String, Text, select
from werkzeug.routing import IntegerConverter

from eip.extensions import db
from tests import factories
from tests.web.test_route_access import ANON, EXPECTED, loose_app, world

__all__ = ["loose_app", "world"]  # fixtures, used by name

NUL = "EIP-2026-0001\x00"
CONTROL = "Cam\x0bden\x1b[31m\x7f"
HUGE = "9" * 30
BAD_VALUES = [NUL, CONTROL, HUGE, "-" + HUGE, "\x00"]
ONE_AT_A_TIME = [NUL, HUGE]
# Every query-string name a list, filter or page reads.
FILTERS = [
    "reference", "status", "borough", "practitioner", "overdue", "user", "case_reference",
    "date_from", "date_to", "page", "state", "role", "next", "person", "kind", "month",
    "start", "end", "source",
]  # fmt: skip
_FIELD = re.compile(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"', re.IGNORECASE)
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.IGNORECASE | re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _who(endpoint: str) -> str:
    allowed = EXPECTED[endpoint]
    return ANON if ANON in allowed else sorted(allowed)[0]


def _form_fields(html: str, method: str) -> list[str]:
    """The names of the fields of the page's forms sent by `method`."""
    names: list[str] = []
    for attributes, form in _FORM.findall(html):
        sent_by = "post" if 'method="post"' in attributes.lower() else "get"
        if sent_by == method:
            names += [n for n in _FIELD.findall(form) if n != "csrf_token" and n not in names]
    return names


def _stored_control_characters() -> list[str]:
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text):
                for value in db.session.scalars(select(column).where(column.is_not(None))):
                    if isinstance(value, str) and _CONTROL.search(value):
                        found.append(f"{table.name}.{column.name}")
                        break
    return found


def test_no_form_filter_or_path_answers_bad_input_with_a_server_error(loose_app, world):
    emails = world.emails
    failures: list[str] = []

    def check(response, what: str) -> None:
        if response.status_code >= 500:
            failures.append(f"{what}: {response.status_code}")
        response.close()

    for rule in loose_app.url_map.iter_rules():
        who = _who(rule.endpoint)
        client = loose_app.test_client()
        if who != ANON:
            signed = client.post(
                "/sign-in", data={"email": emails[who], "password": factories.PASSWORD}
            )
            assert signed.status_code == 302, who
        url = world.url(rule, who)
        methods = sorted(rule.methods & {"GET", "POST"})
        # In the path: every parameter, one at a time.
        for name in rule.arguments:
            numeric = isinstance(rule._converters[name], IntegerConverter)
            for bad in [HUGE] if numeric else BAD_VALUES:
                value = int(bad) if numeric else bad
                bad_url = world.url(rule, who, **{name: value})
                for method in methods:
                    check(client.open(bad_url, method=method), f"{method} {rule.rule} {name}")
        html = ""
        if "GET" in methods:
            page = client.get(url)
            html = page.get_data(as_text=True) if page.mimetype == "text/html" else ""
            page.close()
            for bad in BAD_VALUES:
                query = {name: bad for name in FILTERS}
                check(client.get(url, query_string=query), f"GET {rule.rule}?…={bad!r}")
            # Each filter of the page alone, so that it is not refused for another one's sake.
            for name in [*_form_fields(html, "get"), "page"]:
                for bad in ONE_AT_A_TIME:
                    check(client.get(url, query_string={name: bad}), f"GET {rule.rule}?{name}")
        if "POST" in methods:
            fields = _form_fields(html, "post")
            for bad in BAD_VALUES:
                data = {name: bad for name in fields or FILTERS}
                check(client.post(url, data=data), f"POST {rule.rule} {fields} = {bad!r}")
            # Each field alone: reaches the service wherever the others may be left empty.
            for name in fields:
                for bad in ONE_AT_A_TIME:
                    check(client.post(url, data={name: bad}), f"POST {rule.rule} {name}")
    assert failures == []
    db.session.rollback()
    assert _stored_control_characters() == []


@pytest.mark.parametrize(
    "typed", ["Ham\x00mer\x0bsmith", "\x1bHammersmith\x7f", "Hammer\x85smith\x00"]
)
def test_a_form_keeps_what_was_typed_without_the_control_characters(signed_in, typed):
    """Control characters (all but tab and line breaks) are removed from every form and query
    value before any view sees them: the borough is stored as the person meant it, on both
    engines (PostgreSQL refused the NUL with a 500)."""
    from eip.models import Borough
    from tests.conftest import post_form

    client, _admin = signed_in("admin")
    response = post_form(client, "/admin/boroughs/new", {"name": typed})
    assert response.status_code == 302
    assert db.session.scalars(select(Borough.name)).all() == ["Hammersmith"]


def test_a_query_keeps_what_was_typed_without_the_control_characters(signed_in):
    client, user = signed_in("practitioner")
    case = factories.case("Camden", user)
    db.session.commit()
    number = case.reference[-4:]
    page = client.get("/cases/", query_string={"reference": f"{number[:2]}\x00{number[2:]}"})
    assert page.status_code == 200
    assert case.reference in page.get_data(as_text=True)


def test_a_path_with_a_control_character_is_not_found(signed_in):
    client, _user = signed_in("practitioner")
    assert client.get("/cases/EIP-2026-0001%00").status_code == 404
    assert client.get("/cases/EIP%1B-2026").status_code == 404
