"""The placement state machine: every allowed step, a reason for every refused one, the caps."""

import itertools
from datetime import date

import pytest

from accommodation import rules
from accommodation.rules import (
    check_nights,
    check_people_cap,
    next_state,
    nights_left,
)
from eip.domain import RuleBroken

# Written out here, not read from the module, so that removing a rule fails a test.
STATES = (
    "requested",
    "approved",
    "declined",
    "withdrawn",
    "client_declined",
    "no_accommodation",
    "pot_exhausted",
    "agreement_signed",
    "checked_in",
    "ended",
    "cancelled",
)
ALLOWED = {
    ("requested", "approve"): "approved",
    ("requested", "decline"): "declined",
    ("requested", "withdraw"): "withdrawn",
    ("requested", "record_client_declined"): "client_declined",
    ("requested", "record_no_accommodation"): "no_accommodation",
    ("requested", "record_pot_exhausted"): "pot_exhausted",
    ("approved", "sign_agreement"): "agreement_signed",
    ("agreement_signed", "check_in"): "checked_in",
    ("checked_in", "extend"): "checked_in",
    ("checked_in", "move_out_early"): "ended",
    ("checked_in", "end_at_term"): "ended",
    ("approved", "cancel"): "cancelled",
    ("agreement_signed", "cancel"): "cancelled",
}
ACTIONS = tuple(dict.fromkeys(action for _, action in ALLOWED))
REFUSED = [pair for pair in itertools.product(STATES, ACTIONS) if pair not in ALLOWED]


def test_the_module_has_exactly_these_states_and_actions():
    assert set(rules.STATES) == set(STATES)
    assert set(rules.ACTIONS) == set(ACTIONS)


@pytest.mark.parametrize(("current", "action"), list(ALLOWED))
def test_allowed_steps(current, action):
    assert next_state(current, action, return_home_review_done=True) == ALLOWED[current, action]


@pytest.mark.parametrize(("current", "action"), REFUSED)
def test_refused_steps_say_why(current, action):
    with pytest.raises(RuleBroken) as refused:
        next_state(current, action, return_home_review_done=True)
    message = str(refused.value)
    assert message
    assert message == rules.refusal_reason(current, action)
    assert "_" not in message  # plain English, no identifiers


@pytest.mark.parametrize(
    ("current", "action", "reason"),
    [
        (
            "approved",
            "check_in",
            "The client must sign the accommodation agreement before check-in",
        ),
        ("requested", "check_in", "The SPOC must approve the placement before check-in"),
        ("ended", "extend", "A placement that has ended cannot be extended"),
        ("agreement_signed", "extend", "only once the client has checked in"),
        ("checked_in", "cancel", "record the move-out instead of cancelling"),
        ("requested", "cancel", "withdrawn, not cancelled"),
        ("approved", "approve", "The SPOC has already approved this request"),
        ("declined", "approve", "This request is already closed: declined by the SPOC"),
        ("cancelled", "check_in", "This placement was cancelled"),
        ("ended", "move_out_early", "This placement has ended"),
        ("approved", "move_out_early", "cancel the placement instead"),
        ("requested", "end_at_term", "withdraw the request instead"),
        ("requested", "sign_agreement", "The SPOC must approve the placement before the client"),
        ("agreement_signed", "sign_agreement", "already signed"),
        ("checked_in", "check_in", "already checked in"),
    ],
)
def test_particular_reasons(current, action, reason):
    with pytest.raises(RuleBroken, match=reason):
        next_state(current, action, return_home_review_done=True)


@pytest.mark.parametrize("action", ["move_out_early", "end_at_term"])
def test_ending_needs_the_return_home_review(action):
    with pytest.raises(RuleBroken, match="return-home review"):
        next_state("checked_in", action)
    assert next_state("checked_in", action, return_home_review_done=True) == "ended"


@pytest.mark.parametrize(("current", "action"), [("moved", "approve"), ("requested", "fly")])
def test_unknown_states_and_actions_are_programming_errors(current, action):
    with pytest.raises(ValueError):
        next_state(current, action)


@pytest.mark.parametrize("current", STATES)
def test_allowed_actions_match_the_table(current):
    expected = {action for (state, action) in ALLOWED if state == current}
    assert set(rules.allowed_actions(current)) == expected


def test_final_states_allow_nothing():
    assert {s for s in STATES if not rules.allowed_actions(s)} == set(rules.FINAL_STATES)


def test_people_cap_counts_approved_not_cancelled_placements():
    assert {
        "approved",
        "agreement_signed",
        "checked_in",
        "ended",
    } == rules.COUNTS_TOWARDS_PEOPLE_CAP


# ---------------------------------------------------------------------------
# Caps


@pytest.mark.parametrize(
    ("used", "cap", "left"), [(0, 28, 28), (27, 28, 1), (28, 28, 0), (30, 28, 0), (0, 0, 0)]
)
def test_nights_left(used, cap, left):
    assert nights_left(used, cap) == left


@pytest.mark.parametrize(("used", "cap"), [(-1, 28), (0, -1)])
def test_nights_left_refuses_negative_numbers(used, cap):
    with pytest.raises(ValueError):
        nights_left(used, cap)


START = date(2021, 3, 1)
END = date(2021, 3, 31)


@pytest.mark.parametrize(
    ("requested", "used", "start", "refusal"),
    [
        (28, 0, START, None),
        (1, 27, START, None),
        (29, 0, START, "The client has 28 of the 28 nights allowed left"),
        (2, 27, START, "The client has 1 of the 28 nights allowed left"),
        (1, 28, START, "The client has already had all 28 nights allowed"),
        (0, 0, START, "Enter at least 1 night"),
        (-3, 0, START, "Enter at least 1 night"),
        # The last night must be before the programme end: moving out on it is fine.
        (1, 0, date(2021, 3, 30), None),
        (2, 0, date(2021, 3, 30), "can be at most 1 night from 30 March 2021"),
        (10, 0, date(2021, 3, 25), "at most 6 nights from 25 March 2021"),
        (1, 0, END, "The placement must start before the programme ends on 31 March 2021"),
        (1, 0, date(2021, 4, 2), "must start before the programme ends"),
    ],
)
def test_check_nights(requested, used, start, refusal):
    result = check_nights(requested, used, 28, start, END)
    if refusal is None:
        assert result is None
    else:
        assert refusal in result


def test_check_nights_uses_the_setting_not_28():
    assert check_nights(10, 0, 10, START, END) is None
    assert "9 of the 10" in check_nights(10, 1, 10, START, END)


@pytest.mark.parametrize(
    ("counted", "client_id", "allowed"),
    [
        (set(), 1, True),
        (set(range(9)), 99, True),  # the 10th person
        (set(range(10)), 99, False),  # the 11th person
        (set(range(10)), 3, True),  # already counted: a second placement or a re-referral
        (set(range(12)), 3, True),  # over the cap (setting lowered) but already counted
        ([1, 1, 2], 3, True),  # duplicates in the input count once
    ],
)
def test_check_people_cap(counted, client_id, allowed):
    result = check_people_cap(counted, client_id, 10)
    if allowed:
        assert result is None
    else:
        assert result == "The programme has already accommodated the maximum of 10 people"


def test_people_cap_of_zero_allows_no_one_new():
    assert check_people_cap(set(), 1, 0) is not None
