"""The migration that turns each case's count and free-text ages into child records: a row
per child it can read, rows flagged for review where it cannot, each with the case's
children's-services status; and cases.children_count equal to the rows made."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from eip.cases.models import Case
from eip.cases.records import Child
from eip.extensions import db
from tests import factories

BEFORE = "b2c6e1a9d4f7"


def _children(case_id):
    return db.session.execute(
        select(
            Child.position,
            Child.age_years,
            Child.age_band,
            Child.needs_review,
            Child.childrens_services_status,
            Child.lives_with,
        )
        .where(Child.case_id == case_id)
        .order_by(Child.position)
    ).all()


def test_counts_and_ages_become_child_records(app_context):
    stored = {
        "clean": (2, "3 and 7", "child_in_need"),
        "short": (3, "2yrs & 10 months", None),
        "unreadable": (2, "3-7", "early_help"),
        "no_count": (None, "4", "none"),
        "none": (None, None, None),
        "zero": (0, "n/a", "none"),
    }
    ids = {}
    for name in stored:
        ids[name] = factories.case().id
    db.session.remove()
    downgrade(revision=BEFORE)
    try:
        with db.engine.begin() as conn:
            for name, (count, ages, services) in stored.items():
                conn.execute(
                    text(
                        "UPDATE cases SET children_count = :count, children_ages = :ages,"
                        " childrens_services_status = :services WHERE id = :id"
                    ),
                    {"count": count, "ages": ages, "services": services, "id": ids[name]},
                )
    finally:
        upgrade()

    assert _children(ids["clean"]) == [
        (1, 3, None, False, "child_in_need", "not_known"),
        (2, 7, None, False, "child_in_need", "not_known"),
    ]
    assert _children(ids["short"]) == [
        (1, 2, None, True, "not_known", "not_known"),
        (2, None, "under_1", True, "not_known", "not_known"),
        (3, None, "not_known", True, "not_known", "not_known"),
    ]
    assert _children(ids["unreadable"]) == [
        (1, None, "not_known", True, "early_help", "not_known"),
        (2, None, "not_known", True, "early_help", "not_known"),
    ]
    assert _children(ids["no_count"]) == [(1, 4, None, True, "none", "not_known")]
    assert _children(ids["none"]) == []
    assert _children(ids["zero"]) == []
    counts = dict(db.session.execute(select(Case.id, Case.children_count)).all())
    assert counts[ids["no_count"]] == 1  # the count now matches the rows
    assert counts[ids["none"]] is None
    assert counts[ids["short"]] == 3


def test_the_migration_leaves_a_case_that_already_has_child_records_alone(app_context):
    case_id = factories.case().id
    db.session.remove()
    downgrade(revision=BEFORE)
    try:
        with db.engine.begin() as conn:
            conn.execute(
                text("UPDATE cases SET children_count = 1, children_ages = '5' WHERE id = :id"),
                {"id": case_id},
            )
            conn.execute(
                text(
                    "INSERT INTO children (case_id, created_at, position, age_years, lives_with,"
                    " childrens_services_status, school_known, needs_review, version)"
                    " VALUES (:id, '2026-01-01 00:00:00', 1, 9, 'client', 'none', 'yes',"
                    " :no, 1)"
                ),
                {"id": case_id, "no": False},
            )
    finally:
        upgrade()
    assert [row.age_years for row in _children(case_id)] == [9]
