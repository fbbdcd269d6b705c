"""Suppression in aggregate tables: small counts hidden, and nothing shown gives them away
(secondary suppression, checked by solving the table's sums and by their bounds)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation import tables
from evaluation.tables import protect

counts = st.one_of(st.just(0), st.integers(1, 4), st.integers(5, 30))


def two_way():
    return st.tuples(st.integers(1, 5), st.integers(1, 5)).flatmap(
        lambda rc: st.lists(st.lists(counts, min_size=rc[1], max_size=rc[1]), min_size=rc[0],
                            max_size=rc[0])
    )  # fmt: skip


def assert_protected(table, k):
    if table.withheld:
        assert {table.shown(pos) for pos in table.positions()} == {tables.SECONDARY}
        return
    for pos in table.positions():
        value, shown = table.value(pos), table.shown(pos)
        if 0 < value < k:
            assert shown == f"<{k}", (pos, value)
        elif table.is_hidden(pos):
            assert shown == tables.SECONDARY
            assert value >= k, "a [c] entry is never a small count or a zero"
        else:
            assert shown == str(value)
    for parts, total in tables.equations(len(table.counts), table.width, table.row_totals):
        hidden = sum(table.is_hidden(p) for p in [*parts, total])
        assert hidden != 1, "a sum with one hidden entry gives it away"
    assert not tables.determined(table)
    assert not tables.pinned(table)


@settings(max_examples=300, deadline=None)
@given(two_way(), st.integers(3, 6))
def test_suppression_holds_in_every_two_way_table(grid, k):
    assert_protected(protect(grid, k, row_totals=True), k)


@settings(max_examples=300, deadline=None)
@given(st.lists(counts, min_size=1, max_size=8), st.integers(3, 6))
def test_suppression_holds_in_every_one_way_table_with_its_total(column, k):
    assert_protected(protect([[v] for v in column], k, row_totals=False), k)


def test_a_single_small_count_takes_the_next_smallest_with_it():
    table = protect([[3], [10], [12]], 5, row_totals=False)
    assert [table.shown(("cell", i, 0)) for i in range(3)] == ["<5", "[c]", "12"]
    assert table.shown(("col", 0)) == "25"


def test_three_small_counts_that_must_each_be_one_are_hidden_further():
    # Intervention: 5 open, 1 + 1 + 1 ended, total 8. "<5" three times with 3 left over
    # would say every one of them is 1.
    table = protect([[5, 1, 1, 1], [20, 0, 0, 0]], 5, row_totals=True)
    assert not tables.pinned(table)
    assert table.is_hidden(("row", 0)) or table.is_hidden(("cell", 0, 0))


def test_zeros_are_shown_and_large_counts_alone_are_untouched():
    table = protect([[0, 7], [6, 9]], 5, row_totals=True)
    assert not table.marks
    assert table.shown(("cell", 0, 0)) == "0"
    assert table.shown(("all",)) == "22"


def test_a_total_under_k_is_itself_hidden():
    table = protect([[2], [1], [0]], 5, row_totals=False)
    assert table.shown(("col", 0)) == "<5"


def test_medians_and_rates_need_k_cases_and_shares_need_safe_counts_both_ways():
    assert tables.median([3, 1, 2]) == 2
    assert tables.median([1, 2, 3, 4]) == 2.5
    assert tables.median([]) is None
    assert tables.statistic_shown(4.0, 5, 5)
    assert not tables.statistic_shown(4.0, 4, 5)
    assert tables.share_shown(30, 30, 5)
    assert not tables.share_shown(28, 30, 5)  # 2 not acknowledged in time would show
    assert not tables.share_shown(3, 30, 5)


def test_a_table_that_no_hiding_can_protect_is_hidden_whole():
    # 6 cases, one of them in a category of its own: "<5" and "[c]" (5 or more) with a
    # known total of 6 would say the small one is 1.
    table = protect([[1], [5]], 5, row_totals=False)
    assert table.withheld
    assert [table.shown(("cell", i, 0)) for i in range(2)] == ["[c]", "[c]"]
