"""children from each case's count and free-text ages: one row per child, with the case's
children's-services status; rows whose age could not be read (or whose count and ages
disagree) are flagged needs_review

The reading is eip.cases.children.rows_from_count_and_ages, the same one the CSV importer
uses. A case with ages but no count gets its count from the rows, so that
cases.children_count always equals the number of child records.

Revision ID: c9d4e2f7a3b8
Revises: b2c6e1a9d4f7
Create Date: 2026-12-06 19:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

import eip.db
from eip.cases.children import rows_from_count_and_ages

# revision identifiers, used by Alembic.
revision = "c9d4e2f7a3b8"
down_revision = "b2c6e1a9d4f7"
branch_labels = None
depends_on = None

cases = sa.table(
    "cases",
    sa.column("id", sa.Integer),
    sa.column("children_count", sa.Integer),
    sa.column("children_ages", sa.String),
    sa.column("childrens_services_status", sa.String),
)
children = sa.table(
    "children",
    sa.column("case_id", sa.Integer),
    sa.column("created_at", eip.db.UTCDateTime()),
    sa.column("position", sa.Integer),
    sa.column("age_years", sa.Integer),
    sa.column("age_band", sa.String),
    sa.column("lives_with", sa.String),
    sa.column("childrens_services_status", sa.String),
    sa.column("school_known", sa.String),
    sa.column("needs_review", sa.Boolean),
    sa.column("version", sa.Integer),
)


def upgrade():
    connection = op.get_bind()
    done = set(connection.execute(sa.select(children.c.case_id).distinct()).scalars())
    stored = connection.execute(
        sa.select(
            cases.c.id,
            cases.c.children_count,
            cases.c.children_ages,
            cases.c.childrens_services_status,
        ).where(sa.or_(cases.c.children_count.is_not(None), cases.c.children_ages.is_not(None)))
    ).all()
    now = eip.db.utcnow()
    for case_id, count, ages, services in stored:
        if case_id in done:
            continue
        rows = rows_from_count_and_ages(count, ages)
        if rows:
            connection.execute(
                children.insert(),
                [
                    {
                        "case_id": case_id,
                        "created_at": now,
                        "position": row.position,
                        "age_years": row.age_years,
                        "age_band": row.age_band,
                        "lives_with": "not_known",
                        "childrens_services_status": services or "not_known",
                        "school_known": "not_known",
                        "needs_review": row.needs_review,
                        "version": 1,
                    }
                    for row in rows
                ],
            )
        if count is None and rows:
            connection.execute(
                cases.update().where(cases.c.id == case_id).values(children_count=len(rows))
            )


def downgrade():
    # The count and the free text are still on the case; the rows are what this added.
    op.execute(children.delete())
