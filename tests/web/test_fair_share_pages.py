"""The SPOC sees each remaining place's fair share beside the most a night (issue 19), and a
warning when an approval would leave less than one typical stay for each place left."""

from __future__ import annotations

import pytest

from eip.extensions import db
from eip.programme import current_settings
from tests import factories_accommodation as fa

WARNING = "less than one typical stay"


def _issue_19_pot() -> None:
    """The issue's picture: 4 of 10 places used at £65.00 a night for 28 nights, and
    £6,846.00 left."""
    settings = current_settings(db.session)
    settings.pot_pence = 4 * 28 * fa.RATE + 684_600
    db.session.commit()
    for _ in range(4):
        fa.placement(state="approved", nights=28)


@pytest.fixture
def waiting(app_context):
    return fa.placement(state="requested", nights=28)


def test_the_approval_page_shows_the_fair_share_beside_the_maximum_and_warns(signed_in, waiting):
    _issue_19_pot()
    client, _ = signed_in("spoc", borough_name="Camden")
    page = client.get(f"/placements/{waiting.id}/approve").get_data(as_text=True)
    assert "the nightly rate can be at most <strong>£244.50</strong>" in page
    assert "Fair share for each of the 6 places left: £1,141.00" in page
    assert "A typical stay is £1,820.00 (28 nights at £65.00, the median approved rate)" in page
    # At £65.00 for 28 nights, £5,026.00 would be left for 5 places: under £1,820.00 each.
    assert "govuk-warning-text" in page and WARNING in page
    assert "would leave £5,026.00 for the 5 places left" in page


def test_the_spocs_home_shows_the_fair_share_and_the_warning_on_the_waiting_request(
    signed_in, waiting
):
    _issue_19_pot()
    client, _ = signed_in("spoc", borough_name="Camden")
    page = client.get("/").get_data(as_text=True)
    assert "At most £244.50 a night for 28 nights, with £6,846.00 available" in page
    assert "Fair share for each of the 6 places left: £1,141.00" in page
    assert WARNING in page


def test_with_money_for_every_place_left_there_is_no_warning(signed_in, waiting):
    client, _ = signed_in("spoc", borough_name="Camden")
    page = client.get(f"/placements/{waiting.id}/approve").get_data(as_text=True)
    # £14,000.00 for 10 places; a typical stay at the default £50.00 is £1,400.00, and 28
    # nights at that rate leave £12,600.00 for 9 places: exactly one typical stay each.
    assert "Fair share for each of the 10 places left: £1,400.00" in page
    assert "28 nights at £50.00, the default rate" in page
    assert WARNING not in page


def test_with_the_cap_reached_the_page_says_no_places_are_left(signed_in, waiting):
    settings = current_settings(db.session)
    settings.max_people = 1
    db.session.commit()
    fa.placement(state="approved", nights=5)
    client, _ = signed_in("spoc", borough_name="Camden")
    page = client.get(f"/placements/{waiting.id}/approve").get_data(as_text=True)
    assert "No places are left under the cap of 1 person." in page
    assert WARNING not in page


@pytest.mark.parametrize("address", ["/", "/budget"])
def test_the_finance_home_and_the_budget_page_show_the_forecast(signed_in, waiting, address):
    _issue_19_pot()
    client, _ = signed_in("finance")
    page = client.get(address).get_data(as_text=True)
    # Held £7,280.00 (4 x 28 nights at £65.00), nothing invoiced, and the 28 nights waiting
    # at the median £65.00: £1,820.00.
    assert "£9,100.00" in page
    assert "Committed and not yet invoiced (£7,280.00), invoiced (£0.00)" in page
    assert "1 request waiting for 28 nights at £65.00 a night (£1,820.00)" in page
    assert "£1,141.00 for each of the 6 places left" in page
    assert "more than the pot" not in page


def test_a_forecast_past_the_pot_says_by_how_much(signed_in, app_context):
    settings = current_settings(db.session)
    settings.pot_pence = 28 * fa.RATE + 100  # one stay held, £1.00 left
    db.session.commit()
    fa.placement(state="approved", nights=28)
    fa.placement(state="requested", nights=10)
    client, _ = signed_in("manager")
    page = client.get("/budget").get_data(as_text=True)
    assert "<strong>£649.00 more than the pot</strong>" in page  # 10 x £65.00 - £1.00
