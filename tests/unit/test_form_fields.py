"""The one reading of a typed whole number, shared by every form."""

import pytest

from forms.fields import whole_number


@pytest.mark.parametrize(("text", "number"), [("0", 0), ("7", 7), ("0028", 28), ("123456", 123456)])
def test_ascii_digits_are_a_whole_number(text, number):
    assert whole_number(text) == number


NOT_NUMBERS = [None, "", " 7", "7.0", "-1", "1,000", "²", "\u0663", "\uff17", "1e3"]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_anything_else_is_not_a_whole_number(text):
    # "²", Arabic-Indic and full-width digits pass `str.isdigit`; `int("²")` raises.
    assert whole_number(text) is None
