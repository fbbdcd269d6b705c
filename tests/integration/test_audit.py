"""The audit trail is append-only, in the database itself."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from eip.audit import AuditEvent, record
from eip.extensions import db


def test_events_are_written_with_the_change_in_one_transaction(app_context):
    record(
        db.session,
        "settings.updated",
        actor_label="cli",
        details={"changes": {"pot_pence": [1, 2]}},
    )
    db.session.rollback()
    assert db.session.query(AuditEvent).count() == 0
    record(db.session, "settings.updated", actor_label="cli")
    db.session.commit()
    assert db.session.query(AuditEvent).count() == 1


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_events SET action = 'tampered'", "DELETE FROM audit_events"],
)
def test_the_database_refuses_to_change_or_delete_an_event(app_context, statement):
    record(db.session, "auth.sign_in", actor_label="cli")
    db.session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    assert db.session.query(AuditEvent).one().action == "auth.sign_in"
