"""The case pathway state machine: every allowed step, and a reason for every refused one."""

import itertools

import pytest

from eip.cases import rules
from eip.cases.rules import (
    CaseFacts,
    can_record_dash_or_incident,
    can_record_meeting,
    can_record_session,
    next_status,
)
from eip.domain import RuleBroken

# Written out here, not read from the module, so that removing a rule fails a test.
STATES = (
    "referred",
    "awaiting_late_agreement",
    "acknowledged",
    "consultation_booked",
    "awaiting_consent",
    "active",
    "consultation_only",
    "onward_referral",
    "closed",
    "not_accepted",
)
ACTIONS = (
    "acknowledge",
    "record_late_agreement",
    "refuse_late_referral",
    "book_consultation",
    "record_consultation",
    "start_intervention",
    "close",
    "reopen",
)
CLOSABLE = (
    "referred",
    "acknowledged",
    "consultation_booked",
    "awaiting_consent",
    "active",
    "consultation_only",
    "onward_referral",
)
BOTH_CONSENTS = {"client_intervention_consent": True, "partner_intervention_consent": True}

# (from, action, facts, to)
ALLOWED = [
    ("referred", "acknowledge", {}, "acknowledged"),
    ("awaiting_late_agreement", "acknowledge", {}, "awaiting_late_agreement"),
    ("awaiting_late_agreement", "record_late_agreement", {"acknowledged": True}, "acknowledged"),
    ("awaiting_late_agreement", "record_late_agreement", {"acknowledged": False}, "referred"),
    ("awaiting_late_agreement", "refuse_late_referral", {}, "not_accepted"),
    ("acknowledged", "book_consultation", {}, "consultation_booked"),
    ("consultation_booked", "book_consultation", {}, "consultation_booked"),
    (
        "consultation_booked",
        "record_consultation",
        {"consultation_outcome": "intervention"},
        "awaiting_consent",
    ),
    (
        "consultation_booked",
        "record_consultation",
        {"consultation_outcome": "intervention_with_accommodation"},
        "awaiting_consent",
    ),
    (
        "consultation_booked",
        "record_consultation",
        {"consultation_outcome": "consultation_only"},
        "consultation_only",
    ),
    (
        "consultation_booked",
        "record_consultation",
        {"consultation_outcome": "not_suitable"},
        "onward_referral",
    ),
    ("awaiting_consent", "start_intervention", BOTH_CONSENTS, "active"),
    *[(state, "close", {"closure_outcome": "completed"}, "closed") for state in CLOSABLE],
    *[("closed", "reopen", {"status_before_closure": state}, state) for state in CLOSABLE],
]
ALLOWED_PAIRS = {(state, action) for state, action, _, _ in ALLOWED}
REFUSED_PAIRS = sorted(set(itertools.product(STATES, ACTIONS)) - ALLOWED_PAIRS)

# Facts under which every allowed pair would go ahead: a refusal is then the table's.
PERMISSIVE = CaseFacts(
    acknowledged=False,
    consultation_outcome="intervention",
    client_intervention_consent=True,
    partner_intervention_consent=True,
    closure_outcome="completed",
    status_before_closure="active",
)


def refusal(current, action, facts=None):
    with pytest.raises(RuleBroken) as caught:
        next_status(current, action, facts)
    return caught.value.message


def assert_readable(message):
    assert message
    assert message[0].isupper()
    assert "_" not in message  # no raw status names shown to users
    assert not message.endswith(".")


# ---------------------------------------------------------------------------
# The table


def test_the_states_and_actions_are_exactly_the_pathways():
    assert rules.STATES == STATES
    assert rules.ACTIONS == ACTIONS


def test_the_table_allows_exactly_the_listed_steps():
    in_table = {(state, action) for action, moves in rules.TRANSITIONS.items() for state in moves}
    assert in_table == ALLOWED_PAIRS


@pytest.mark.parametrize(("current", "action", "facts", "expected"), ALLOWED)
def test_every_allowed_step_leads_to_its_status(current, action, facts, expected):
    assert next_status(current, action, CaseFacts(**facts)) == expected


@pytest.mark.parametrize(("current", "action"), REFUSED_PAIRS)
def test_every_other_step_is_refused_with_a_reason(current, action):
    assert_readable(refusal(current, action, PERMISSIVE))


def test_the_cross_product_is_covered():
    assert len(ALLOWED_PAIRS) + len(REFUSED_PAIRS) == len(STATES) * len(ACTIONS)


@pytest.mark.parametrize("state", STATES)
def test_allowed_actions_lists_the_tables_steps_from_a_state(state):
    expected = tuple(action for action in ACTIONS if (state, action) in ALLOWED_PAIRS)
    assert rules.allowed_actions(state) == expected


def test_an_unknown_status_or_action_is_a_programming_error():
    with pytest.raises(ValueError, match="status"):
        next_status("consultation", "acknowledge")
    with pytest.raises(ValueError, match="action"):
        next_status("referred", "approve")


# ---------------------------------------------------------------------------
# Reasons a user sees


def test_a_consultation_cannot_be_booked_before_the_acknowledgement():
    assert refusal("referred", "book_consultation") == (
        "The referral must be acknowledged before a consultation is booked"
    )


@pytest.mark.parametrize(
    "action", ["book_consultation", "record_consultation", "start_intervention"]
)
def test_a_late_referral_waits_for_the_three_agreements(action):
    message = refusal("awaiting_late_agreement", action, PERMISSIVE)
    assert message == (
        "This case is waiting for the late-referral agreement of Cranstoun, "
        "Respect/SafeLives and Camden"
    )


def test_a_late_referral_is_closed_by_recording_the_refusal_not_by_closing():
    assert "refused" in refusal("awaiting_late_agreement", "close", PERMISSIVE)
    assert next_status("awaiting_late_agreement", "refuse_late_referral") == "not_accepted"


def test_a_referral_cannot_be_acknowledged_twice():
    assert refusal("acknowledged", "acknowledge") == "The referral has already been acknowledged"
    already = CaseFacts(acknowledged=True)
    assert refusal("awaiting_late_agreement", "acknowledge", already) == (
        "The referral has already been acknowledged"
    )
    assert refusal("referred", "acknowledge", already) == (
        "The referral has already been acknowledged"
    )


@pytest.mark.parametrize("action", ACTIONS[:-1])
def test_a_closed_case_must_be_reopened_first(action):
    assert "reopen" in refusal("closed", action, PERMISSIVE)


@pytest.mark.parametrize("action", ACTIONS)
def test_a_case_not_accepted_cannot_change(action):
    assert "not accepted" in refusal("not_accepted", action, PERMISSIVE)


# ---------------------------------------------------------------------------
# Steps that depend on facts


@pytest.mark.parametrize(
    "consents",
    [
        {},
        {"client_intervention_consent": True},
        {"partner_intervention_consent": True},
    ],
)
def test_the_intervention_needs_both_the_clients_and_the_partners_consent(consents):
    message = refusal("awaiting_consent", "start_intervention", CaseFacts(**consents))
    assert message == rules.NEEDS_BOTH_CONSENTS


def test_the_late_agreement_goes_to_acknowledged_when_the_referral_was_acknowledged():
    facts = CaseFacts(acknowledged=True)
    assert next_status("awaiting_late_agreement", "record_late_agreement", facts) == "acknowledged"


def test_the_late_agreement_goes_to_referred_when_not_yet_acknowledged():
    assert next_status("awaiting_late_agreement", "record_late_agreement") == "referred"


@pytest.mark.parametrize("outcome", [None, "", "suitable", "closed"])
def test_recording_a_consultation_needs_a_known_outcome(outcome):
    facts = CaseFacts(consultation_outcome=outcome)
    assert refusal("consultation_booked", "record_consultation", facts) == (
        "Choose the outcome of the consultation"
    )


@pytest.mark.parametrize("outcome", [None, "", "finished"])
def test_closing_needs_a_known_closure_outcome(outcome):
    facts = CaseFacts(closure_outcome=outcome)
    assert refusal("active", "close", facts) == "Choose the outcome of the case"


@pytest.mark.parametrize("outcome", [value for value, _ in rules.CLOSURE_OUTCOMES])
def test_every_closure_outcome_closes_the_case(outcome):
    assert next_status("active", "close", CaseFacts(closure_outcome=outcome)) == "closed"


def test_reopening_returns_the_status_before_closure():
    facts = CaseFacts(status_before_closure="awaiting_consent")
    assert next_status("closed", "reopen", facts) == "awaiting_consent"


@pytest.mark.parametrize(
    "before", [None, "closed", "not_accepted", "awaiting_late_agreement", "nonsense"]
)
def test_reopening_never_leads_to_a_terminal_or_unknown_status(before):
    message = refusal("closed", "reopen", CaseFacts(status_before_closure=before))
    assert "cannot be reopened" in message


def test_only_a_closed_case_can_be_reopened():
    assert refusal("active", "reopen", PERMISSIVE) == "Only a closed case can be reopened"


# ---------------------------------------------------------------------------
# Records that do not change the status

SESSION_OK = {"active"}
MEETING_OK = {
    "acknowledged",
    "consultation_booked",
    "awaiting_consent",
    "active",
    "consultation_only",
    "onward_referral",
}


@pytest.mark.parametrize("state", STATES)
def test_sessions_are_recorded_only_for_an_active_case_with_both_consents(state):
    check = can_record_session(state, CaseFacts(**BOTH_CONSENTS))
    assert bool(check) is (state in SESSION_OK)
    if not check:
        assert_readable(check.reason)


@pytest.mark.parametrize(
    "consents", [{}, {"client_intervention_consent": True}, {"partner_intervention_consent": True}]
)
def test_a_withdrawn_intervention_consent_stops_new_sessions(consents):
    check = can_record_session("active", CaseFacts(**consents))
    assert not check
    assert check.reason == rules.NEEDS_BOTH_CONSENTS
    with pytest.raises(RuleBroken, match="consent"):
        check.enforce()


@pytest.mark.parametrize("state", STATES)
def test_meetings_are_recorded_after_acknowledgement_and_before_closure(state):
    check = can_record_meeting(state)
    assert bool(check) is (state in MEETING_OK)
    if check:
        check.enforce()  # does not raise
    else:
        assert_readable(check.reason)


def test_a_meeting_for_a_closed_case_is_refused_with_a_reason():
    assert "closed" in can_record_meeting("closed").reason


@pytest.mark.parametrize("state", STATES)
def test_a_dash_review_or_incident_can_be_recorded_in_every_state_even_after_closure(state):
    assert can_record_dash_or_incident(state)


def test_the_predicates_refuse_an_unknown_status():
    for predicate in (can_record_session, can_record_meeting, can_record_dash_or_incident):
        with pytest.raises(ValueError, match="status"):
            predicate("withdrawn")


# ---------------------------------------------------------------------------
# Vocabularies and labels


def test_open_and_closed_states_split_every_state():
    assert set(STATES) == rules.OPEN_STATES | rules.CLOSED_STATES
    assert not rules.OPEN_STATES & rules.CLOSED_STATES
    assert {"closed", "not_accepted"} == rules.CLOSED_STATES


@pytest.mark.parametrize("state", STATES)
def test_every_state_has_a_plain_english_label_and_description(state):
    assert_readable(rules.status_label(state))
    assert_readable(rules.STATUS_DESCRIPTIONS[state])


def test_an_unknown_status_still_gets_a_readable_label():
    assert rules.status_label("consultation") == "Consultation"
    assert rules.status_label("some_old_state") == "Some old state"


def test_every_action_has_a_label():
    assert set(rules.ACTION_LABELS) == set(ACTIONS)


def test_the_consultation_and_closure_outcomes_are_the_pathways():
    assert [v for v, _ in rules.CONSULTATION_OUTCOMES] == [
        "intervention",
        "intervention_with_accommodation",
        "consultation_only",
        "not_suitable",
    ]
    assert [v for v, _ in rules.CLOSURE_OUTCOMES] == [
        "completed",
        "disengaged",
        "withdrew_consent",
        "risk_escalated",
        "not_accepted",
        "other",
    ]
