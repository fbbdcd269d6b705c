"""The demo's subject access request: one received and not yet completed, due within the
week, whose pack builds from the demo's fictional records."""

from __future__ import annotations

import zipfile
from io import BytesIO

from sqlalchemy import select

from eip.auth.models import User
from eip.clock import today
from eip.extensions import db
from eip.privacy import subject_access_pack
from eip.privacy.subject_access import SubjectAccessRequest
from tests.conftest import run_seed_demo


def test_the_demo_has_one_subject_access_request_awaiting_completion(runner, app_context):
    run_seed_demo(runner)
    [request] = db.session.scalars(select(SubjectAccessRequest)).all()
    assert request.status == "received" and request.completed_on is None
    assert 0 <= (request.due_on - today()).days <= 7
    manager = db.session.scalars(select(User).where(User.role == "manager")).first()
    _name, content = subject_access_pack.produce(db.session, manager, request.id)
    assert len(zipfile.ZipFile(BytesIO(content)).namelist()) == 2
