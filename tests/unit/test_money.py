"""Money typed by people becomes whole pence, or a message fit to show beside the field."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accommodation.money import (
    ENTER_AN_AMOUNT,
    MORE_THAN_ZERO,
    TOO_LARGE,
    TWO_DECIMALS,
    MoneyError,
    parse_pounds,
)
from eip.formatting import format_pence


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("£1,234.50", 123_450),
        ("1234.5", 123_450),
        (" 1,234 ", 123_400),
        ("£0.99", 99),
        ("0.01", 1),
        (".5", 50),
        ("12.", 1_200),
        ("£ 14,000.00", 1_400_000),
        ("1,000,000", 100_000_000),
        ("\u00a0£7\u00a0", 700),
        ("007.10", 710),
    ],
)
def test_parses_what_people_type(text, pence):
    assert parse_pounds(text) == pence


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", ENTER_AN_AMOUNT),
        ("   ", ENTER_AN_AMOUNT),
        ("£", ENTER_AN_AMOUNT),
        (".", ENTER_AN_AMOUNT),
        ("abc", ENTER_AN_AMOUNT),
        ("12 pounds", ENTER_AN_AMOUNT),
        ("1,23.00", ENTER_AN_AMOUNT),
        ("1,2345", ENTER_AN_AMOUNT),
        (",123", ENTER_AN_AMOUNT),
        ("12,34", ENTER_AN_AMOUNT),
        ("1.2.3", ENTER_AN_AMOUNT),
        ("1e3", ENTER_AN_AMOUNT),
        ("NaN", ENTER_AN_AMOUNT),
        ("Infinity", ENTER_AN_AMOUNT),
        ("+5", ENTER_AN_AMOUNT),
        ("--5", ENTER_AN_AMOUNT),
        ("\u0661\u0662", ENTER_AN_AMOUNT),  # Arabic-Indic digits: int() would accept them
        ("$5", ENTER_AN_AMOUNT),
        ("-5", MORE_THAN_ZERO),
        ("-£5.00", MORE_THAN_ZERO),
        ("£-5", MORE_THAN_ZERO),
        ("0", MORE_THAN_ZERO),
        ("£0.00", MORE_THAN_ZERO),
        ("-0", MORE_THAN_ZERO),
        ("1.234", TWO_DECIMALS),
        ("0.001", TWO_DECIMALS),
        ("1.500", TWO_DECIMALS),
        ("1,000,000.01", TOO_LARGE),
        ("99999999999", TOO_LARGE),
        ("9" * 60, TOO_LARGE),
        ("x" * 60, ENTER_AN_AMOUNT),
    ],
)
def test_refuses_with_a_message_for_the_field(text, message):
    with pytest.raises(MoneyError) as refused:
        parse_pounds(text)
    assert refused.value.message == message == str(refused.value)


def test_money_error_is_a_value_error():
    assert issubclass(MoneyError, ValueError)


def test_none_is_treated_as_empty():
    with pytest.raises(MoneyError, match="Enter an amount"):
        parse_pounds(None)  # type: ignore[arg-type]


def test_the_maximum_is_a_setting_and_inclusive():
    assert parse_pounds("140.00", max_pence=14_000) == 14_000
    with pytest.raises(MoneyError, match="too large"):
        parse_pounds("140.01", max_pence=14_000)


@pytest.mark.parametrize(
    ("pence", "text"),
    [
        (0, "£0.00"),
        (1, "£0.01"),
        (99, "£0.99"),
        (123_450, "£1,234.50"),
        (1_400_000, "£14,000.00"),
        (100_000_000, "£1,000,000.00"),
        (-500, "-£5.00"),
        (-1, "-£0.01"),
    ],
)
def test_formats_pence(pence, text):
    assert format_pence(pence) == text


@pytest.mark.parametrize("bad", [1.5, "100", True])
def test_format_refuses_anything_but_whole_pence(bad):
    with pytest.raises(TypeError):
        format_pence(bad)


@settings(max_examples=200, deadline=None, database=None)
@given(st.integers(min_value=1, max_value=100_000_000))
def test_format_then_parse_round_trips(pence):
    assert parse_pounds(format_pence(pence)) == pence


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(max_size=20))
def test_any_text_gives_pence_or_a_money_error(text):
    try:
        pence = parse_pounds(text)
    except MoneyError as refused:
        assert refused.message in {ENTER_AN_AMOUNT, MORE_THAN_ZERO, TWO_DECIMALS, TOO_LARGE}
    else:
        assert isinstance(pence, int)
        assert 0 < pence <= 100_000_000
