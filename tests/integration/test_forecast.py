"""The pot's forecast read from the database (accommodation/forecast.py), on both engines:
the median approved rate in SQL, the waiting nights, what the ledger already holds."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accommodation import forecast, store
from accommodation.models import PlacementExtension
from eip.clock import today
from eip.extensions import db
from eip.programme import current_settings
from tests import factories_accommodation as fa
from tests.conftest import truncate_all


def _read() -> forecast.Forecast:
    return forecast.read(db.session, current_settings(db.session))


@pytest.mark.usefixtures("app_context")
def test_with_no_approved_placement_the_default_rate_is_used():
    fa.placement(state="requested", nights=10)
    fa.placement(state="cancelled", rate_pence=99_999)  # cancelled: not an approved rate
    f = _read()
    assert (f.nightly_rate, f.rate_is_default) == (5_000, True)
    assert f.typical_stay == 28 * 5_000
    assert (f.waiting_requests, f.waiting_nights, f.waiting_cost) == (1, 10, 50_000)


@pytest.mark.usefixtures("app_context")
def test_the_median_approved_rate_is_worked_out_by_the_database_odd_and_even_counts():
    for rate in (9_000, 6_500, 24_450):
        fa.placement(state="approved", rate_pence=rate, nights=5)
    assert forecast.median_approved_rate(db.session) == 9_000
    fa.placement(state="ended", rate_pence=9_001, nights=5)
    # 6,500 9,000 9,001 24,450: (9,000 + 9,001) / 2 = 9,000.5p, rounded down.
    assert forecast.median_approved_rate(db.session) == 9_000
    f = _read()
    assert (f.nightly_rate, f.rate_is_default) == (9_000, False)


@pytest.mark.usefixtures("app_context")
def test_the_forecast_adds_what_is_held_and_the_waiting_requests_and_extensions():
    held = fa.placement(state="checked_in", rate_pence=10_000, nights=10)  # £1,000 committed
    store.append(db.session, None, "invoice", held, 40_000, effective_on=today())
    fa.placement(state="requested", nights=7)
    db.session.add(PlacementExtension(placement_id=held.id, nights=3, reason="Still unsafe"))
    db.session.commit()
    f = _read()
    assert (f.committed_not_invoiced, f.invoiced) == (60_000, 40_000)
    assert (f.waiting_requests, f.waiting_nights, f.nightly_rate) == (2, 10, 10_000)
    assert f.spend == 60_000 + 40_000 + 10 * 10_000
    assert f.available == 1_400_000 - 100_000


@pytest.mark.usefixtures("app_context")
def test_with_the_cap_reached_there_is_no_fair_share():
    settings = current_settings(db.session)
    settings.max_people = 2
    db.session.commit()
    fa.placement(state="approved", nights=5)
    assert _read().fair_share == (1_400_000 - 5 * fa.RATE) // 1
    fa.placement(state="ended", nights=5)
    f = _read()
    assert (f.places_left, f.fair_share) == (0, None)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rates=st.lists(st.integers(1, 50_000), min_size=1, max_size=6))
def test_the_databases_median_is_the_middle_rate_or_the_middle_two_rounded_down(app, rates):
    truncate_all(app)
    with app.app_context():
        for rate in rates:
            fa.placement(state="approved", nights=1, rate_pence=rate)
        ordered, n = sorted(rates), len(rates)
        expected = (ordered[(n - 1) // 2] + ordered[n // 2]) // 2
        assert forecast.median_approved_rate(db.session) == expected
