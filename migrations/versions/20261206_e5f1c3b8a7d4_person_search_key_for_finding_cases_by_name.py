"""persons.search_key: each name folded for searching (accents stripped, case folded), indexed,
so that a case is found by name the same way on SQLite and PostgreSQL without a function per row;
existing names are backfilled with the same Python function the app uses

Revision ID: e5f1c3b8a7d4
Revises: d8e3f5a1c9b2
Create Date: 2026-12-06 04:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

from eip.cases.models import fold

# revision identifiers, used by Alembic.
revision = "e5f1c3b8a7d4"
down_revision = "d8e3f5a1c9b2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_key", sa.String(length=120), nullable=False, server_default="")
        )
        batch_op.create_index(batch_op.f("ix_persons_search_key"), ["search_key"], unique=False)
    persons = sa.table(
        "persons", sa.column("id", sa.Integer), sa.column("full_name"), sa.column("search_key")
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(persons.c.id, persons.c.full_name)).all()
    for person_id, full_name in rows:
        connection.execute(
            persons.update()
            .where(persons.c.id == person_id)
            .values(search_key=fold(full_name or ""))
        )


def downgrade():
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persons_search_key"))
        batch_op.drop_column("search_key")
