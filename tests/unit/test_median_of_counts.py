"""The dashboard's medians of working days come from counts of each whole number of days
(rows grouped by day): they must be exactly what `statistics.median` gives for the values
listed one by one, an int for an odd count and the mean of the middle two for an even."""

from __future__ import annotations

import random
import statistics
from collections import Counter

import pytest

from eip.reports.dashboard_timeliness import median_of_counts


def _counted(values):
    return tuple(sorted(Counter(values).items()))


@pytest.mark.parametrize(
    "values",
    [[3], [4, 6], [1, 1, 1, 9], [0, 0, 5], [2, 2, 2, 2], [7, 1, 3], [0, 10]],
)
def test_the_median_of_counts_is_the_median_of_the_values(values):
    median = median_of_counts(_counted(values))
    assert median == statistics.median(values)
    assert type(median) is type(statistics.median(values))


def test_the_median_of_counts_over_many_random_lists():
    draw = random.Random(16)
    for _ in range(2000):
        values = [draw.randint(0, 15) for _ in range(draw.randint(1, 40))]
        assert median_of_counts(_counted(values)) == statistics.median(values)


def test_no_values_no_median():
    assert median_of_counts(()) is None
