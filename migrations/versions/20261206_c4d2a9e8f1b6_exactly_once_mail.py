"""exactly-once mail: the Message-ID recorded before a reminder e-mail is sent, and the
host and process id of a job claim's runner (a dead runner's claim is taken over at once)

Revision ID: c4d2a9e8f1b6
Revises: b7c1e0a4d2f3
Create Date: 2026-12-06 01:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4d2a9e8f1b6"
down_revision = "b7c1e0a4d2f3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_message_id", sa.String(length=255), nullable=True))
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_host", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("claimed_pid", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.drop_column("claimed_pid")
        batch_op.drop_column("claimed_host")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("email_message_id")
