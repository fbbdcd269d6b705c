"""the programme's default nightly rate: the rate the pot's forecast and a typical stay
assume until a placement has been approved at a rate

Revision ID: a750702c7e6e
Revises: 4db304b3164a
Create Date: 2026-12-06 20:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a750702c7e6e"
down_revision = "4db304b3164a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("programme_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "default_nightly_rate_pence", sa.Integer(), server_default="5000", nullable=False
            )
        )


def downgrade():
    with op.batch_alter_table("programme_settings", schema=None) as batch_op:
        batch_op.drop_column("default_nightly_rate_pence")
