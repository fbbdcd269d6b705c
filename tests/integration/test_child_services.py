"""A case's children through the services on a real database: added, changed and removed
with the count kept equal to the records; made by the referral from its count and by the
importer from the count and the free-text ages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from eip.cases import child_services
from eip.cases.children import ages_line, for_case
from eip.cases.importer import import_referrals
from eip.cases.models import Case
from eip.cases.referral_edit import current_details, update_referral
from eip.domain import NotAllowed, RuleBroken
from eip.extensions import db
from eip.versioning import StaleRecord
from tests import factories
from tests import factories_pathway_progress as pf
from tests import factories_pathway_referral as rf

VALUES = {
    "age_years": 7,
    "age_band": None,
    "lives_with": "client",
    "childrens_services_status": "child_in_need",
    "school_known": "yes",
}


@pytest.fixture
def practitioner(app_context):
    return factories.user("practitioner")


def _fresh(case: Case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def test_children_added_are_numbered_in_turn_and_counted(practitioner):
    case = pf.active_case(practitioner)
    child_services.add_child(db.session, practitioner, case, **VALUES)
    child_services.add_child(
        db.session, practitioner, case, **{**VALUES, "age_years": None, "age_band": "1_to_4"}
    )
    children = for_case(db.session, case.id)
    assert [c.position for c in children] == [1, 2]
    assert ages_line(children) == "2 children: Child 1, aged 7; Child 2, age 1 to 4"
    assert _fresh(case).children_count == 2


def test_an_age_in_years_wins_over_a_band(practitioner):
    case = pf.active_case(practitioner)
    added = child_services.add_child(
        db.session, practitioner, case, **{**VALUES, "age_band": "16_to_17"}
    )
    assert (added.age_years, added.age_band) == (7, None)


def test_every_problem_is_reported_at_once_and_nothing_saved(practitioner):
    case = pf.active_case(practitioner)
    with pytest.raises(RuleBroken) as refused:
        child_services.add_child(
            db.session,
            practitioner,
            case,
            age_years=None,
            age_band="teen",
            lives_with=None,
            childrens_services_status="unknown",
            school_known=None,
        )
    assert set(refused.value.errors) == {
        "age_band",
        "lives_with",
        "childrens_services_status",
        "school_known",
    }
    db.session.rollback()
    assert for_case(db.session, case.id) == []


def test_only_a_practitioner_may_add_a_child(app_context):
    manager = factories.user("manager")
    case = pf.active_case()
    with pytest.raises(NotAllowed):
        child_services.add_child(db.session, manager, case, **VALUES)


def test_a_change_from_an_older_page_is_refused(practitioner):
    case = pf.active_case(practitioner)
    added = child_services.add_child(db.session, practitioner, case, **VALUES)
    seen = added.version
    assert child_services.update_child(
        db.session, practitioner, case, added.id, version=seen, **{**VALUES, "age_years": 8}
    )
    with pytest.raises(StaleRecord):
        child_services.update_child(
            db.session, practitioner, case, added.id, version=seen, **{**VALUES, "age_years": 9}
        )
    db.session.rollback()
    assert for_case(db.session, case.id)[0].age_years == 8


def test_saving_unchanged_details_is_no_change_unless_the_child_needed_review(practitioner):
    case = pf.active_case(practitioner)
    added = child_services.add_child(db.session, practitioner, case, **VALUES)
    assert not child_services.update_child(
        db.session, practitioner, case, added.id, version=added.version, **VALUES
    )
    added.needs_review = True
    db.session.commit()
    assert child_services.update_child(
        db.session, practitioner, case, added.id, version=added.version, **VALUES
    )
    assert not for_case(db.session, case.id)[0].needs_review


def test_a_referral_counts_the_children_and_the_case_page_asks_for_each(practitioner):
    case = rf.recorded_case(practitioner, children_count=2)
    children = for_case(db.session, case.id)
    assert [(c.position, c.age_band, c.needs_review) for c in children] == [
        (1, "not_known", True),
        (2, "not_known", True),
    ]
    assert {c.childrens_services_status for c in children} == {"child_in_need"}
    assert case.children_count == 2


def test_a_referral_with_no_count_has_no_children(practitioner):
    case = rf.recorded_case(practitioner, children_count=None)
    assert for_case(db.session, case.id) == [] and case.children_count is None


def test_raising_the_count_on_the_referral_adds_children_to_describe(practitioner):
    case = rf.recorded_case(practitioner, children_count=1)
    details = current_details(case)
    details.children_count = 3
    update_referral(db.session, practitioner, case, version=case.referral_version, details=details)
    assert [c.position for c in for_case(db.session, case.id)] == [1, 2, 3]
    assert _fresh(case).children_count == 3


def test_lowering_the_count_on_the_referral_is_refused(practitioner):
    case = rf.recorded_case(practitioner, children_count=2)
    details = current_details(case)
    details.children_count = 1
    with pytest.raises(RuleBroken) as refused:
        update_referral(
            db.session, practitioner, case, version=case.referral_version, details=details
        )
    assert "remove a child" in str(refused.value.errors.get("children_count", refused.value))
    db.session.rollback()
    assert len(for_case(db.session, case.id)) == 2 and _fresh(case).children_count == 2


def test_removing_a_child_numbers_the_rest_again(practitioner):
    case = pf.active_case(practitioner)
    _first, second, _third = (
        child_services.add_child(db.session, practitioner, case, **{**VALUES, "age_years": age})
        for age in (3, 5, 9)
    )
    child_services.remove_child(db.session, practitioner, case, second.id, version=second.version)
    children = for_case(db.session, case.id)
    assert [(c.position, c.age_years) for c in children] == [(1, 3), (2, 9)]
    assert _fresh(case).children_count == 2


def test_the_importer_reads_the_ages_into_children(app_context):
    from tests.integration.test_import_referrals import row

    factories.borough("Camden")
    factories.user("practitioner", email="priya@example.org")
    rows = [
        row(children_count="2", children_ages="3 and 7"),
        row(client_name="Robin Hale", children_count="3", children_ages="4"),
        row(client_name="Sam Hale", children_count="", children_ages="5, 9"),
    ]
    report = import_referrals(db.session, rows)
    assert report.ok, report.errors
    by_reference = {
        case.reference: case for case in db.session.scalars(select(Case).order_by(Case.reference))
    }
    clean, short, uncounted = by_reference.values()
    assert [(c.age_years, c.needs_review) for c in for_case(db.session, clean.id)] == [
        (3, False),
        (7, False),
    ]
    assert [(c.age_years, c.needs_review) for c in for_case(db.session, short.id)] == [
        (4, True),
        (None, True),
        (None, True),
    ]
    assert [c.age_years for c in for_case(db.session, uncounted.id)] == [5, 9]
    assert (clean.children_count, short.children_count, uncounted.children_count) == (2, 3, 2)
