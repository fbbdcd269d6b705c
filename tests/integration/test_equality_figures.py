"""The managers' equality figures: counted in SQL, clients and partners side by side, "not
known" apart from "prefer not to say", small numbers hidden by the figures' own rule, and
one query whatever the number of cases."""

from __future__ import annotations

import pytest

from eip.cases.models import Person
from eip.extensions import db
from evaluation import equality
from tests import factories
from tests.web.test_case_lists import count_queries

K = 5


def family(client: dict | None = None, partner: dict | None = None, **case_fields):
    """A case with its client and (unless partner is None) its partner."""
    case = factories.case()
    case.client = Person(full_name="Client", name_key="client", **(client or {}))
    if partner is not None:
        case.partner = Person(full_name="Partner", name_key="partner", **partner)
    for name, value in case_fields.items():
        setattr(case, name, value)
    db.session.commit()
    return case


def table(key: str) -> equality.EqualityTable:
    return next(t for t in equality.tables(db.session, K) if t.key == key)


def row(t: equality.EqualityTable, code: str) -> int:
    return [c for c, _label in t.rows].index(code)


def test_counts_and_shares_are_per_party_with_not_known_apart_from_prefer_not_to_say(
    app_context,
):
    for _ in range(6):
        family({"gender": "man"}, {"gender": "woman"}, partner_relationship="partner")
    for _ in range(5):
        family(
            {"gender": "woman"}, {"gender": "prefer_not_to_say"}, partner_relationship="ex_partner"
        )
    for _ in range(5):
        family({}, {}, partner_relationship="partner")  # never asked: "not known"
    gender = table("gender")
    assert [gender.count(row(gender, "man"), 0), gender.share(row(gender, "man"), 0)] == [
        "6",
        "37.5%",
    ]
    assert gender.count(row(gender, "not_known"), 0) == "5"
    assert gender.count(row(gender, "prefer_not_to_say"), 0) == "0"
    assert gender.count(row(gender, "woman"), 1) == "6"
    assert gender.count(row(gender, "prefer_not_to_say"), 1) == "5"
    assert gender.count(row(gender, "not_known"), 1) == "5"
    assert [gender.total(0), gender.total(1)] == ["16", "16"]
    relationship = table("relationship")
    assert relationship.columns == (("case", "Cases"),)
    assert relationship.count(row(relationship, "partner"), 0) == "11"
    assert relationship.share(row(relationship, "ex_partner"), 0) == "31.2%"


def test_a_count_under_k_is_hidden_with_its_share_and_whatever_would_reveal_it(app_context):
    for _ in range(7):
        family({"sexual_orientation": "straight"}, {"sexual_orientation": "straight"})
    for _ in range(2):
        family({"sexual_orientation": "bisexual"}, {"sexual_orientation": "straight"})
    t = table("sexual_orientation")
    bisexual, straight = row(t, "bisexual"), row(t, "straight")
    assert (t.count(bisexual, 0), t.share(bisexual, 0)) == ("<5", "")
    # The total is 9, so the 7 would give the 2 away: it is hidden too.
    assert (t.count(straight, 0), t.share(straight, 0)) == ("[c]", "")
    assert t.count(straight, 1) == "9" and t.share(straight, 1) == "100.0%"
    assert [label for label, value, _shown in t.bars(0) if value] == []


def test_ethnicities_are_counted_by_their_census_group_and_the_age_band_as_stored(app_context):
    for ethnicity in ("white_british", "white_irish", "white_other", "white_roma", "white_british"):
        family({"ethnicity": ethnicity, "age_band": "25_34"}, {"ethnicity": "black_african"})
    groups = table("ethnic_group")
    assert groups.count(row(groups, "white"), 0) == "5"
    assert groups.count(row(groups, "black"), 1) == "5"
    ages = table("age_band")
    assert ages.count(row(ages, "25_34"), 0) == "5"
    assert ages.count(row(ages, "not_known"), 1) == "5"


def test_a_case_with_no_partner_counts_only_its_client(app_context):
    for _ in range(5):
        family({"disability": "yes"}, None)
    t = table("disability")
    assert (t.total(0), t.total(1)) == ("5", "0")


@pytest.mark.parametrize("cases", [3, 30])
def test_the_figures_take_one_query_whatever_the_number_of_cases(app, app_context, cases):
    for i in range(cases):
        family({"gender": ("man", "woman")[i % 2]}, {"gender": "woman"})
    with count_queries(app) as statements:
        equality.tables(db.session, K)
    assert len(statements) == 1


def test_the_demo_data_shows_a_mix_with_prefer_not_to_say_and_not_known_apart(runner, app_context):
    from tests.conftest import run_seed_demo

    run_seed_demo(runner)
    found = equality.counted(db.session)
    partner_orientations = {
        v for (p, c, v), n in found.items() if (p, c) == ("partner", "sexual_orientation") and n
    }
    assert {"straight", "prefer_not_to_say", "not_known"} <= partner_orientations
    assert found[("partner", "gender", "prefer_not_to_say")] > 0
    bands = {v for (p, c, v), n in found.items() if (p, c) == ("partner", "age_band") and n}
    assert len(bands - {"not_known", "prefer_not_to_say"}) >= 2
    assert found[("client", "age_band", "not_known")] == 0  # every demo client has a birth date
