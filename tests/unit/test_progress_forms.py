"""Reading the consultation time typed into the booking form."""

from datetime import time

import pytest

from forms.progress import parse_time


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("14:30", time(14, 30)),
        ("09:05", time(9, 5)),
        ("9.05", time(9, 5)),
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


@pytest.mark.parametrize("typed", ["", "14", "25:00", "12:60", "13pm", "0am", "half two", "1430"])
def test_a_time_that_is_not_clear_is_refused(typed):
    with pytest.raises(ValueError):
        parse_time(typed)
