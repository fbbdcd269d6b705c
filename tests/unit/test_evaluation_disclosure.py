"""k-anonymity over the quasi-identifiers: generalisation, suppression, and releases that
only ever coarsen. Property tests over random populations."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation import coarsen, disclosure
from evaluation.disclosure import ANY, SUPPRESSED, Candidate, Generalisation
from tests.evaluation_reference import reference_anonymise

BOROUGHS = ("Camden", "Hackney", "Islington", "Lambeth", "Barnet")
MONTHS = ("2026-03", "2026-04", "2026-08", "2026-09", "2026-11", "2027-01")

values = st.fixed_dictionaries(
    {
        "age_band": st.sampled_from((*coarsen.AGE_BAND_VALUES, "not_known")),
        "gender": st.sampled_from(coarsen.GENDER_VALUES),
        "ethnic_group": st.sampled_from(coarsen.ETHNIC_GROUP_VALUES),
        "borough": st.sampled_from(BOROUGHS),
        "referral_period": st.sampled_from(MONTHS),
        # The partner's fields join the key at the client's levels (issue 19).
        "partner_age_band": st.sampled_from((*coarsen.AGE_BAND_VALUES, "not_known")),
        "partner_gender": st.sampled_from(coarsen.GENDER_VALUES),
        "partner_ethnic_group": st.sampled_from(coarsen.ETHNIC_GROUP_VALUES),
    }
)


@st.composite
def populations(draw, min_size=0, max_size=40):
    rows = draw(st.lists(values, min_size=min_size, max_size=max_size))
    # Now and then a re-referral: the same person in two cases.
    people = [
        draw(st.integers(0, len(rows))) if i % 7 == 3 and draw(st.booleans()) else 1000 + i
        for i in range(len(rows))
    ]
    return [
        Candidate(f"id{i:03d}", f"p{person}", row)
        for i, (row, person) in enumerate(zip(rows, people, strict=True))
    ]


def groups(outcome, candidates):
    person = {c.id: c.person for c in candidates}
    found = defaultdict(set)
    for cid, key in outcome.values.items():
        found[key].add(person[cid])
    return found


def assert_k_anonymous(outcome, candidates, k):
    for key, people in groups(outcome, candidates).items():
        assert len(people) >= k, (key, people)


@settings(max_examples=150, deadline=None)
@given(populations(), st.integers(2, 6))
def test_every_released_combination_is_shared_by_at_least_k_people(candidates, k):
    outcome = disclosure.anonymise(candidates, k)
    assert_k_anonymous(outcome, candidates, k)
    ids = {c.id for c in candidates}
    assert set(outcome.values) | outcome.withheld == ids
    assert not set(outcome.values) & outcome.withheld
    assert outcome.suppressed <= set(outcome.values)


@settings(max_examples=100, deadline=None)
@given(populations(min_size=6), st.integers(2, 6))
def test_with_enough_people_something_is_always_released(candidates, k):
    if len({c.person for c in candidates}) < k:
        return
    outcome = disclosure.anonymise(candidates, k)
    assert len({c.person for c in candidates if c.id in outcome.values}) >= k


@settings(max_examples=100, deadline=None)
@given(populations(), st.integers(2, 6))
def test_a_suppressed_row_shows_nothing_of_its_quasi_identifiers(candidates, k):
    outcome = disclosure.anonymise(candidates, k)
    for cid in outcome.suppressed:
        assert set(outcome.values[cid]) <= {SUPPRESSED, ANY}


@settings(max_examples=60, deadline=None)
@given(populations(min_size=5), populations(min_size=5), st.integers(2, 5), st.integers(0, 2))
def test_a_later_release_is_never_finer_and_never_singles_out_new_people(first, extra, k, raise_k):
    earlier = disclosure.anonymise(first, k)
    prior = disclosure.coarsest([earlier.generalisation])
    # The later release: the same cases plus new ones (new IDs, new people).
    later_people = first + [
        Candidate(f"new{i:03d}", f"new-person{i}", c.values) for i, c in enumerate(extra)
    ]
    later = disclosure.anonymise(later_people, k + raise_k, prior)
    assert disclosure.is_coarsening(later.generalisation, prior)
    assert_k_anonymous(later, later_people, k + raise_k)
    for cid in earlier.suppressed & set(later.values):
        assert set(later.values[cid]) <= {SUPPRESSED, ANY}
    person = {c.id: c.person for c in later_people}
    for key, ids in _ids_by_group(later).items():
        new = {person[i] for i in ids if i not in prior.released_ids}
        assert len(new) == 0 or len(new) >= k + raise_k, key


def _ids_by_group(outcome):
    found = defaultdict(list)
    for cid, key in outcome.values.items():
        found[key].append(cid)
    return found


def test_the_same_data_always_gives_the_same_extract():
    candidates = [
        Candidate(f"id{i}", f"p{i}", {"age_band": "25_34", "gender": "man",
                  "ethnic_group": "white", "borough": BOROUGHS[i % 3],
                  "referral_period": MONTHS[i % 2]})
        for i in range(30)
    ]  # fmt: skip
    assert disclosure.anonymise(candidates, 5) == disclosure.anonymise(candidates, 5)


def test_the_only_woman_among_men_is_never_shown_as_a_woman():
    candidates = [
        Candidate(f"id{i}", f"p{i}", {"age_band": "35_44", "gender": "man",
                  "ethnic_group": "white", "borough": "Camden", "referral_period": "2026-09"})
        for i in range(9)
    ]  # fmt: skip
    candidates.append(Candidate("her", "p-her", {**candidates[0].values, "gender": "woman"}))
    outcome = disclosure.anonymise(candidates, 5)
    assert "her" not in outcome.values or outcome.values["her"][1] != "woman"
    assert_k_anonymous(outcome, candidates, 5)


def test_a_re_referred_client_counts_once_in_a_group():
    same = {"age_band": "35_44", "gender": "man", "ethnic_group": "white",
            "borough": "Camden", "referral_period": "2026-09"}  # fmt: skip
    # Five cases but only four people: k = 5 is not met by this group.
    candidates = [Candidate(f"id{i}", f"p{min(i, 3)}", same) for i in range(5)]
    outcome = disclosure.anonymise(candidates, 5)
    assert outcome.values == {}
    assert len(outcome.withheld) == 5


def test_boroughs_with_fewer_than_k_people_become_other_london_borough():
    assert disclosure.generalise("borough", "Barnet", 1, frozenset({"Camden"})) == (
        disclosure.OTHER_BOROUGH
    )
    assert disclosure.generalise("borough", "Camden", 1, frozenset({"Camden"})) == "Camden"
    assert disclosure.generalise("borough", "Camden", 2) == ANY


@pytest.mark.parametrize(
    ("month", "level", "shown"),
    [("2026-09", 0, "2026-09"), ("2026-09", 1, "2026-Q3"), ("2026-03", 2, "2025-26"),
     ("2026-04", 2, "2026-27"), ("2026-04", 3, ANY)],
)  # fmt: skip
def test_months_generalise_to_quarters_then_financial_years(month, level, shown):
    assert disclosure.generalise("referral_period", month, level) == shown


def test_age_bands_generalise_to_wider_bands_and_not_known_stays():
    assert disclosure.generalise("age_band", "25_34", 1) == "under_35"
    assert disclosure.generalise("age_band", "45_54", 1) == "35_54"
    assert disclosure.generalise("age_band", "not_known", 1) == "not_known"


def test_a_recorded_generalisation_survives_the_database_round_trip():
    g = Generalisation(
        levels={"age_band": 1, "gender": 0, "ethnic_group": 2, "borough": 1,
                "referral_period": 1},
        named_boroughs=frozenset({"Camden"}),
        suppressed_ids=frozenset({"a"}),
        released_ids=frozenset({"a", "b"}),
    )  # fmt: skip
    assert Generalisation.from_json(g.to_json()) == g


def test_the_coarsest_of_two_releases_takes_the_higher_level_and_fewer_boroughs():
    a = Generalisation(
        levels={**disclosure.FINEST.levels, "borough": 1, "age_band": 1},
        named_boroughs=frozenset({"Camden", "Hackney"}),
    )
    b = Generalisation(
        levels={**disclosure.FINEST.levels, "borough": 1, "gender": 1},
        named_boroughs=frozenset({"Camden"}),
        suppressed_ids=frozenset({"x"}),
    )
    merged = disclosure.coarsest([a, b])
    assert merged.levels["age_band"] == 1 and merged.levels["gender"] == 1
    assert merged.named_boroughs == frozenset({"Camden"})
    assert merged.suppressed_ids == frozenset({"x"})
    assert disclosure.is_coarsening(merged, a) and disclosure.is_coarsening(merged, b)
    assert not disclosure.is_coarsening(a, merged)  # fmt: skip


def test_the_smallest_group_is_checked_again_on_what_was_written():
    rows = [("a", "b")] * 5 + [("c", "d")] * 2
    assert disclosure.smallest_group(rows) == 2
    assert disclosure.smallest_group([]) == 0


# The period of a release may not be finer than the referral periods it shows.

from datetime import date as _date  # noqa: E402

from evaluation.disclosure import period_refusal  # noqa: E402

_TODAY = _date(2026, 11, 24)
_FIRST = _date(2026, 8, 8)


@pytest.mark.parametrize(
    ("start", "end", "level"),
    [
        (_date(2026, 9, 1), _date(2026, 9, 30), 0),  # a whole month
        (_date(2026, 7, 1), _date(2026, 9, 30), 1),  # a whole quarter
        (_date(2026, 4, 1), _date(2027, 3, 31), 2),  # a whole financial year
        (_date(2026, 1, 1), _TODAY, 2),  # open end: up to today
        (_FIRST, _date(2026, 9, 30), 1),  # open start: from the first referral
        (_date(2020, 1, 1), _date(2030, 1, 1), 3),  # everything, when periods are not shown
    ],
)
def test_a_period_of_whole_units_or_open_ends_may_be_released(start, end, level):
    assert period_refusal(start, end, level, first_referral=_FIRST, today=_TODAY) is None


@pytest.mark.parametrize(
    ("start", "end", "level"),
    [
        (_date(2026, 9, 8), _date(2026, 9, 14), 0),  # one week, shown as months
        (_date(2026, 9, 1), _date(2026, 9, 30), 1),  # one month, shown as quarters
        (_date(2026, 7, 1), _date(2026, 9, 30), 2),  # a quarter, shown as financial years
        (_date(2026, 9, 1), _TODAY, 3),  # not the whole programme, periods not shown
    ],
)
def test_a_period_finer_than_the_shown_referral_period_is_refused(start, end, level):
    refusal = period_refusal(start, end, level, first_referral=_FIRST, today=_TODAY)
    assert refusal is not None
    assert "referred" in refusal


@st.composite
def releases(draw):
    """A population, k, and an earlier release over part of it (or none)."""
    candidates = draw(populations(min_size=0, max_size=60))
    k = draw(st.integers(1, 7))
    if not candidates or draw(st.booleans()):
        return candidates, k, disclosure.FINEST
    cut = draw(st.integers(0, len(candidates)))
    earlier = disclosure.anonymise(candidates[:cut], k).generalisation
    if draw(st.booleans()):  # the same IDs and suppressed rows, finer levels
        earlier = Generalisation(
            suppressed_ids=earlier.suppressed_ids, released_ids=earlier.released_ids
        )
    return candidates, k, earlier


@settings(max_examples=300, deadline=None)
@given(releases())
def test_the_search_in_order_of_coarseness_chooses_what_trying_every_generalisation_did(case):
    candidates, k, prior = case
    assert disclosure.anonymise(candidates, k, prior) == reference_anonymise(candidates, k, prior)
