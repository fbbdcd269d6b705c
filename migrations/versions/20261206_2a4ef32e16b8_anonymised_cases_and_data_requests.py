"""cases anonymised in place (when), and the rectification and erasure requests managers decide

Revision ID: 2a4ef32e16b8
Revises: b3fc2c6ae3d6
Create Date: 2026-12-06 20:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

import eip.db

# revision identifiers, used by Alembic.
revision = "2a4ef32e16b8"
down_revision = "b3fc2c6ae3d6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(
            sa.Column("anonymised_at", eip.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("anonymised_at")
