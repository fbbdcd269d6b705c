"""Equality data for both parties: persons.sexual_orientation and persons.age_band.

Every existing person keeps "not_known" for sexual orientation (nobody was asked). The
age band is not an answer but a fact worked out from a known date of birth, so people
with one get the band they were in on the day of their latest referral, by the same
function the app uses (eip.cases.equality.age_band); the rest keep "not_known".

Revision ID: a7dde49dcbf1
Revises: 5be9f74761a0
Create Date: 2026-12-06 19:50:00.000000

"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from eip.cases.equality import age_band
from eip.db import UTCDateTime
from eip.workdays import london_date

# revision identifiers, used by Alembic.
revision = "a7dde49dcbf1"
down_revision = "5be9f74761a0"
branch_labels = None
depends_on = None

BATCH = 500


def upgrade():
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "sexual_orientation",
                sa.String(length=30),
                nullable=False,
                server_default="not_known",
            )
        )
        batch_op.add_column(
            sa.Column("age_band", sa.String(length=20), nullable=False, server_default="not_known")
        )
    _backfill_age_bands(op.get_bind())


def _backfill_age_bands(connection) -> None:
    persons = sa.table(
        "persons",
        sa.column("id", sa.Integer),
        sa.column("date_of_birth", sa.Date),
        sa.column("age_band", sa.String),
    )
    cases = sa.table(
        "cases",
        sa.column("client_id", sa.Integer),
        sa.column("partner_id", sa.Integer),
        sa.column("received_at", UTCDateTime),
    )
    latest: dict[int, object] = {}
    for column in (cases.c.client_id, cases.c.partner_id):
        query = (
            sa.select(column, sa.func.max(cases.c.received_at))
            .where(column.is_not(None), cases.c.received_at.is_not(None))
            .group_by(column)
        )
        for person_id, received in connection.execute(query):
            if person_id not in latest or received > latest[person_id]:
                latest[person_id] = received
    by_band: dict[str, list[int]] = defaultdict(list)
    born_query = sa.select(persons.c.id, persons.c.date_of_birth).where(
        persons.c.date_of_birth.is_not(None)
    )
    for person_id, born in connection.execute(born_query):
        received = latest.get(person_id)
        if received is None:
            continue
        band = age_band(born, None, london_date(received))
        if band != "not_known":
            by_band[band].append(person_id)
    for band, ids in by_band.items():
        for start in range(0, len(ids), BATCH):
            connection.execute(
                persons.update()
                .where(persons.c.id.in_(ids[start : start + BATCH]))
                .values(age_band=band)
            )


def downgrade():
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_column("age_band")
        batch_op.drop_column("sexual_orientation")
