"""GOV.UK date inputs everywhere: no page any role may open offers a browser's own date,
month or time picker. The walk reuses the route-access walk's world: every GET route,
filled with real objects, as every role it lets in."""

from __future__ import annotations

import re

from tests import factories
from tests.web.test_route_access import ANON, EVERYONE, EXPECTED, loose_app, world  # noqa: F401

NATIVE = re.compile(r'<input[^>]*type="(date|month|week|time|datetime-local)"', re.I)


def test_no_page_offers_a_native_date_month_or_time_picker(loose_app, world):  # noqa: F811
    found, forms = [], 0
    for rule in loose_app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        for who in sorted(EVERYONE & EXPECTED[rule.endpoint]):
            client = loose_app.test_client()
            if who != ANON:
                client.post(
                    "/sign-in", data={"email": world.emails[who], "password": factories.PASSWORD}
                )
            response = client.get(world.url(rule, who))
            page = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
            response.close()
            forms += page.count("<form")
            found += [f"{rule.endpoint} as {who}: {m}" for m in NATIVE.findall(page)]
    assert forms > 50  # the walk did reach the forms
    assert found == []
