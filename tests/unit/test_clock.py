"""A time of day as people type it: one reading for every form (referral, acknowledgement,
consultation booking)."""

from datetime import time

import pytest

from eip.clock import parse_time


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("14:30", time(14, 30)),
        ("09:05", time(9, 5)),
        ("9:05", time(9, 5)),
        ("9.05", time(9, 5)),
        (" 23:59 ", time(23, 59)),
        ("2:30pm", time(14, 30)),
        ("2.30 PM", time(14, 30)),
        ("9am", time(9, 0)),
        ("12pm", time(12, 0)),
        ("12:15am", time(0, 15)),
        ("0:00", time(0, 0)),
    ],
)
def test_a_time_is_read_in_the_ways_people_write_it(typed, meant):
    assert parse_time(typed) == meant


@pytest.mark.parametrize(
    "typed",
    [None, "", "14", "24:00", "25:00", "12:60", "13pm", "0am", "noon", "half two", "1430", "١٤:٣٠"],
)
def test_a_time_that_is_not_clear_is_not_a_time(typed):
    assert parse_time(typed) is None
