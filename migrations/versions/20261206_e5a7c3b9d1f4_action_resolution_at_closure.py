"""what became of an action left open when its case was closed: the practitioner decides
each one on the closure page (done, or no longer needed), so none is dropped silently

Revision ID: e5a7c3b9d1f4
Revises: e5f1c3b8a7d4
Create Date: 2026-12-06 04:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e5a7c3b9d1f4"
down_revision = "e5f1c3b8a7d4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("case_actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolution", sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table("case_actions", schema=None) as batch_op:
        batch_op.drop_column("resolution")
