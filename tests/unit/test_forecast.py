"""The pot's forecast, the fair share and the typical stay (accommodation/forecast.py):
whole pence, every division rounded down."""

from __future__ import annotations

from accommodation import forecast
from accommodation.forecast import Forecast


def _forecast(**changes) -> Forecast:
    values = {
        "totals": None,
        "pot": 1_400_000,
        "available": 684_600,
        "committed_not_invoiced": 500_000,
        "invoiced": 215_400,
        "waiting_requests": 2,
        "waiting_nights": 35,
        "nightly_rate": 8_001,
        "rate_is_default": False,
        "max_people": 10,
        "people_counted": 4,
    }
    return Forecast(**{**values, **changes})


def test_the_forecast_adds_the_waiting_nights_at_the_nightly_rate_to_what_is_held():
    f = _forecast()
    assert f.waiting_cost == 35 * 8_001
    assert f.spend == 500_000 + 215_400 + 35 * 8_001
    assert f.over_pot == 0
    assert _forecast(pot=700_000).over_pot == f.spend - 700_000


def test_the_fair_share_divides_what_is_available_among_the_places_left_rounded_down():
    assert _forecast().fair_share == 684_600 // 6 == 114_100
    assert _forecast(available=100).fair_share == 16  # 16.66p down to 16p
    assert forecast.fair_share(7, 2) == 3


def test_no_places_left_means_no_fair_share():
    assert _forecast(people_counted=10).fair_share is None
    assert _forecast(people_counted=10).places_left == 0


def test_a_people_count_past_the_cap_leaves_no_places_rather_than_a_negative_number():
    assert _forecast(max_people=3, people_counted=4).places_left == 0


def test_negative_money_available_shares_nothing():
    assert _forecast(available=-5_000).fair_share == 0


def test_a_typical_stay_is_28_nights_at_the_nightly_rate():
    assert _forecast(nightly_rate=8_000).typical_stay == 224_000


def test_an_approval_that_leaves_less_than_a_typical_stay_for_each_place_left_warns():
    f = _forecast(nightly_rate=8_000)  # typical stay £2,240.00; 6 places, 5 after a new client
    assert f.leaves_too_little(available_after=5 * 224_000 - 1, client_counted=False)
    assert not f.leaves_too_little(available_after=5 * 224_000, client_counted=False)
    # A client already counted takes no place: 6 places still need 6 typical stays.
    assert f.leaves_too_little(available_after=5 * 224_000, client_counted=True)


def test_the_last_place_taken_strands_nobody_so_it_does_not_warn():
    f = _forecast(people_counted=9)
    assert not f.leaves_too_little(available_after=0, client_counted=False)
    assert not forecast.leaves_too_little(-1, 0, 224_000)


def test_a_negative_balance_after_an_approval_warns_while_places_remain():
    assert _forecast().leaves_too_little(available_after=-1, client_counted=False)
