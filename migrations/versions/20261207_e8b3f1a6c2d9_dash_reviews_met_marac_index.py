"""the DASH reviews that met MARAC, by date: the monthly report's MARAC figures as at a
month's end start from them, not from every case (eip/reports/monthly.py)

Revision ID: e8b3f1a6c2d9
Revises: e2b7c9d4a6f1
Create Date: 2026-12-07 05:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e8b3f1a6c2d9"
down_revision = "e2b7c9d4a6f1"
branch_labels = None
depends_on = None

NAME = "ix_dash_reviews_met_marac"
COLUMNS = ["completed_on", "case_id", "id"]


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # The condition as the report writes it, so the planner sees the index applies.
        # Built CONCURRENTLY (outside the migration's transaction): a live database's writes
        # are not held up while it builds.
        with op.get_context().autocommit_block():
            op.create_index(
                NAME,
                "dash_reviews",
                COLUMNS,
                unique=False,
                postgresql_where=sa.text("marac IS true OR score >= marac_threshold"),
                postgresql_concurrently=True,
            )
        return
    op.create_index(
        NAME,
        "dash_reviews",
        COLUMNS,
        unique=False,
        sqlite_where=sa.text("marac IS 1 OR score >= marac_threshold"),
    )


def downgrade():
    op.drop_index(NAME, table_name="dash_reviews")
