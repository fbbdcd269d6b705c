"""A request that only read ends its transaction with COMMIT on PostgreSQL, not ROLLBACK
(`eip.db.end_read_transaction`): psycopg forgets its prepared statements at every ROLLBACK,
so before this no page ever ran a prepared statement and PostgreSQL planned every statement
of every request again (issue 16). Whatever a request wrote and did not commit is still
rolled back."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from eip.db import end_read_transaction, only_reads
from eip.extensions import db
from eip.models import Borough
from tests import factories
from tests.conftest import on_postgres, sign_in


@pytest.mark.parametrize(
    ("statement", "reads"),
    [
        ("SELECT cases.id FROM cases WHERE cases.id = %(id)s", True),
        ("\n  select 1", True),
        ("WITH latest AS (SELECT 1 AS x) SELECT x FROM latest", True),
        ("SELECT cases.updated_at FROM cases", True),
        ("INSERT INTO audit_events (kind) VALUES (%(kind)s)", False),
        ("UPDATE cases SET status = %(status)s", False),
        ("DELETE FROM sessions WHERE id = %(id)s", False),
        ("SELECT id FROM placements WHERE id = %(id)s FOR UPDATE", False),
        (
            "WITH moved AS (UPDATE cases SET status = 'closed' RETURNING id) SELECT * FROM moved",
            False,
        ),
        ("SELECT 1 INTO TEMPORARY kept", False),
        ("SET LOCAL statement_timeout = 1000", False),
    ],
)
def test_only_a_statement_that_cannot_write_counts_as_a_read(statement, reads):
    assert only_reads(statement) is reads


@pytest.mark.postgres_only
def test_a_page_requested_again_keeps_its_prepared_statements(app):
    # No app context of the test's around the requests: each request has its own, as under
    # gunicorn, and its teardown ends the request's transaction.
    with app.app_context():
        email = factories.user("manager").email
        db.session.commit()
        db.session.remove()
        db.engine.dispose()  # from here the pool holds one connection: the requests'
    client = app.test_client()
    assert sign_in(client, email, factories.PASSWORD).status_code == 302
    for _ in range(8):  # psycopg prepares a statement on its sixth run on a connection
        assert client.get("/cases/").status_code == 200
    with app.app_context(), db.engine.connect() as connection:
        prepared = connection.execute(text("SELECT count(*) FROM pg_prepared_statements"))
        assert prepared.scalar() > 0


def test_a_session_that_only_read_commits_on_postgresql_alone(app_context):
    db.session.execute(select(Borough.id)).all()
    assert end_read_transaction(db.session()) is on_postgres()
    assert db.session().in_transaction() is not on_postgres()


def test_a_write_not_committed_is_rolled_back_as_before(app_context):
    db.session.add(Borough(name="Nowhere-on-the-map", active=True))
    db.session.flush()
    assert end_read_transaction(db.session()) is False
    db.session.rollback()
    assert db.session.scalar(select(Borough.id).where(Borough.name == "Nowhere-on-the-map")) is None


def test_a_statement_that_wrote_is_never_committed_by_the_teardown(app_context):
    db.session.execute(text("UPDATE boroughs SET active = active"))
    assert end_read_transaction(db.session()) is False
    db.session.rollback()
