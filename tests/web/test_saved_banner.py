"""After a save the browser goes to the top of the page (no #section in the address), where the
success banner is the first thing in <main>: it is announced (role="alert", focused by
govuk-frontend), says what was saved and the next step, and links to the section that changed.
One kind of save of each kind of page: a case, a placement, the programme settings."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests import factories_accommodation as fac
from tests import factories_pathway_activity as fa
from tests.conftest import post_form


def _html(response) -> str:
    return response.get_data(as_text=True)


def _banner(html: str) -> str:
    """The first thing in <main>, which must be the success banner."""
    main = html[html.index(">", html.index('<main class="govuk-main-wrapper')) + 1 :]
    first = main.lstrip()
    assert first.startswith(
        '<div class="govuk-notification-banner govuk-notification-banner--success"'
    )
    return first[: first.index("</div>\n</div>") + 1]


def test_a_case_save_comes_back_to_the_top_with_what_was_saved_the_next_step_and_a_link(
    signed_in,
):
    client, _ = signed_in("practitioner")
    case = fa.case("active", started_on=date(2026, 1, 19))
    response = fa.submit(
        client, f"/cases/{case.reference}/sessions/new", fa.session_form(date(2026, 1, 22))
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cases/{case.reference}"
    banner = _banner(_html(client.get(response.headers["Location"])))
    assert 'role="alert"' in banner and 'data-module="govuk-notification-banner"' in banner
    assert "Session recorded" in banner
    assert re.search(r"Next step: [^<]+ by \d+ \w+ 20\d\d|Next step: nothing else is due", banner)
    assert 'href="#activity">Go to Sessions, meetings and incidents</a>' in banner


def test_a_placement_save_comes_back_to_the_top_with_a_link_to_the_panel(signed_in):
    waiting = fac.placement(state="requested", nights=14)
    client, _ = signed_in("spoc", borough_name="Camden")
    response = post_form(
        client,
        f"/placements/{waiting.id}/approve",
        {
            "version": str(waiting.version),
            "provider": "Fictional Lets Ltd",
            "address": "Flat 2, 10 Example Road, London N1 0AA",
            "rate": "£65.00",
            "nights": "14",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/placements/{waiting.id}"
    banner = _banner(_html(client.get(response.headers["Location"])))
    assert "Placement approved and the money committed" in banner
    assert 'href="#decision">Go to The decision</a>' in banner


@pytest.mark.usefixtures("app_context")
def test_a_settings_save_comes_back_to_the_top_with_a_link_to_the_list(signed_in):
    client, _ = signed_in("manager")
    response = post_form(
        client,
        "/admin/settings/non-working-days/new",
        {"day": ["29", "12", "2026"], "reason": "Office closed"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/settings"
    banner = _banner(_html(client.get(response.headers["Location"])))
    assert "The non-working day was added." in banner
    assert 'href="#non-working-days">Go to Extra non-working days</a>' in banner
