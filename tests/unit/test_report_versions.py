"""The monthly report's versions (eip/reports/versions.py): the internal one shows every
number, the funder's hides small counts with the evaluation's own rules."""

from __future__ import annotations

import pytest

from eip.reports.versions import FUNDER, INTERNAL, version


def test_the_internal_version_shows_small_counts_as_they_are():
    v = version(INTERNAL, 5)
    assert (v.suppressed, v.count(1), v.count(0)) == (False, "1", "0")
    table = v.table([[1, 2], [7, 0]], row_totals=True)
    assert (table.cell(0, 0), table.row_total(0), table.total()) == ("1", "3", "10")


def test_the_funders_version_hides_counts_from_1_to_k_minus_1_and_shows_zeros():
    v = version(FUNDER, 5)
    assert (v.count(1), v.count(4), v.count(5), v.count(0)) == ("<5", "<5", "5", "0")


def test_the_funders_table_hides_a_second_count_so_a_total_cannot_give_the_small_one_away():
    table = version(FUNDER, 5).table([[3, 9], [6, 8]], row_totals=True)
    cells = [table.cell(i, j) for i in range(2) for j in range(2)]
    # Every total is shown, so the 3 could be worked out from any one other cell: all hidden.
    assert cells == ["<5", "[c]", "[c]", "[c]"]
    assert (table.row_total(0), table.column_total(0), table.total()) == ("12", "9", "26")


def test_the_funders_medians_and_shares_over_fewer_than_k_cases_are_hidden():
    v = version(FUNDER, 5)
    assert not v.shown_median(12.0, 4) and v.shown_median(12.0, 5)
    assert not v.shown_share(2, 4)
    assert version(INTERNAL, 5).shown_share(2, 4)


def test_an_unknown_version_is_refused():
    with pytest.raises(ValueError):
        version("everything", 5)
