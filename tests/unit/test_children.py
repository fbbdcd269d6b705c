"""Children as records: how documents name them, and reading the old free-text ages."""

import pytest

from eip.cases.children import (
    Age,
    ChildRow,
    ages_line,
    describe,
    read_ages,
    rows_from_count_and_ages,
)
from eip.cases.records import Child


def child(position, years=None, band=None):
    return Child(position=position, age_years=years, age_band=band)


@pytest.mark.parametrize(
    ("record", "text"),
    [
        (child(2, years=7), "Child 2, aged 7"),
        (child(1, band="1_to_4"), "Child 1, age 1 to 4"),
        (child(3, band="not_known"), "Child 3, age not known"),
        (child(3), "Child 3, age not known"),
        (child(1, band="unborn"), "Child 1, unborn"),
        (child(1, band="under_1"), "Child 1, aged under 1"),
        (child(1, years=0), "Child 1, aged under 1"),
        (child(4, band="16_to_17"), "Child 4, age 16 to 17"),
    ],
)
def test_describe_names_a_child_by_position_and_age(record, text):
    assert describe(record) == text


def test_ages_line_lists_each_child_in_the_order_given():
    line = ages_line([child(1, years=3), child(2, band="5_to_10")])
    assert line == "2 children: Child 1, aged 3; Child 2, age 5 to 10"


def test_ages_line_for_one_child_and_for_none():
    assert ages_line([child(1, years=3)]) == "1 child: Child 1, aged 3"
    assert ages_line([]) == "No children recorded"


Y = Age  # shorthand below


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("3 and 7", [Y(3), Y(7)]),
        ("3, 7", [Y(3), Y(7)]),
        ("3,7", [Y(3), Y(7)]),
        ("3 & 7", [Y(3), Y(7)]),
        ("3; 7", [Y(3), Y(7)]),
        ("3/7", [Y(3), Y(7)]),
        ("4, 7 and 12", [Y(4), Y(7), Y(12)]),
        ("2yrs & 10 months", [Y(2), Y(band="under_1")]),
        ("2 years and 6 months", [Y(2), Y(band="under_1")]),
        ("1 year 6 months", [Y(1)]),
        ("1yr 6m", [Y(1)]),
        ("18 months", [Y(1)]),
        ("6 weeks", [Y(band="under_1")]),
        ("3yo, 5 y/o", [Y(3), Y(5)]),
        ("aged 3", [Y(3)]),
        ("Ages 3 and 5", [Y(3), Y(5)]),
        ("3 years old", [Y(3)]),
        ("seven and three", [Y(7), Y(3)]),
        ("twins aged 5", [Y(5), Y(5)]),
        ("5 (twins)", [Y(5), Y(5)]),
        ("unborn", [Y(band="unborn")]),
        ("4 and pregnant", [Y(4), Y(band="unborn")]),
        ("baby", [Y(band="under_1")]),
        ("0", [Y(band="under_1")]),
        ("17", [Y(17)]),
        ("  3  ", [Y(3)]),
    ],
)
def test_read_ages_reads_the_usual_ways_of_writing_ages(text, ages):
    read = read_ages(text)
    assert list(read.ages) == ages
    assert not read.unreadable


@pytest.mark.parametrize("text", [None, "", "   ", "n/a", "N/A", "none", "not known", "-"])
def test_read_ages_reads_nothing_from_text_that_gives_no_ages(text):
    assert read_ages(text) == read_ages(None)
    assert read_ages(text).ages == ()
    assert not read_ages(text).unreadable


@pytest.mark.parametrize("text", ["3-7", "teenagers", "19", "3 & 5?", "several", "a few years"])
def test_read_ages_marks_what_it_cannot_read(text):
    assert read_ages(text).unreadable


def test_read_ages_keeps_what_it_can_read_beside_what_it_cannot():
    read = read_ages("3, 5?")
    assert read.ages == (Age(3),)
    assert read.unreadable


def test_a_count_matching_the_ages_read_gives_records_needing_no_review():
    assert rows_from_count_and_ages(2, "3 and 7") == [
        ChildRow(1, 3, None, False),
        ChildRow(2, 7, None, False),
    ]


def test_a_count_larger_than_the_ages_read_fills_the_rest_as_not_known_and_flags_all():
    rows = rows_from_count_and_ages(3, "3 and 7")
    assert [(r.age_years, r.age_band) for r in rows] == [(3, None), (7, None), (None, "not_known")]
    assert all(r.needs_review for r in rows)


def test_unreadable_ages_give_the_count_of_records_flagged_for_review():
    rows = rows_from_count_and_ages(2, "3-7")
    assert [(r.position, r.age_band, r.needs_review) for r in rows] == [
        (1, "not_known", True),
        (2, "not_known", True),
    ]


def test_ages_with_no_count_give_one_record_each_flagged_for_review():
    rows = rows_from_count_and_ages(None, "4 and 9")
    assert [(r.age_years, r.needs_review) for r in rows] == [(4, True), (9, True)]


def test_more_ages_than_the_count_keeps_the_count_and_flags_every_record():
    rows = rows_from_count_and_ages(1, "3, 5")
    assert [(r.age_years, r.needs_review) for r in rows] == [(3, True)]


def test_no_count_and_no_ages_and_a_count_of_zero_give_no_records():
    assert rows_from_count_and_ages(None, None) == []
    assert rows_from_count_and_ages(0, None) == []
    assert rows_from_count_and_ages(0, "n/a") == []


def test_a_count_with_no_ages_gives_records_of_age_not_known_for_review():
    rows = rows_from_count_and_ages(2, None)
    assert [(r.age_band, r.needs_review) for r in rows] == [("not_known", True)] * 2
