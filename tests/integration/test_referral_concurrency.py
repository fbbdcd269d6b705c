"""Two referrals saved at the same instant still get different references."""

import threading

import pytest

from eip.auth.models import User
from eip.cases import referral_services
from eip.cases.referral_services import record_referral
from eip.extensions import db
from tests import factories
from tests import factories_pathway_referral as rf


@pytest.mark.postgres_only
def test_two_referrals_saved_at_once_get_different_references(app, app_context, monkeypatch):
    practitioner_id = factories.user("practitioner").id
    borough_id = factories.borough("Camden").id
    db.session.commit()
    barrier = threading.Barrier(2)
    local = threading.local()
    real = referral_services.next_reference

    def both_read_first(session, year):
        reference = real(session, year)
        if not getattr(local, "waited", False):
            # Each save reads the highest number before either has written: both get 0001.
            local.waited = True
            barrier.wait(timeout=10)
        return reference

    monkeypatch.setattr(referral_services, "next_reference", both_read_first)
    references, failures = [], []

    def save(name: str) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, practitioner_id)
                details = rf.details(
                    borough_id, practitioner_id, client_name=name, partner_name=f"{name} Senior"
                )
                references.append(record_referral(db.session, user, details).reference)
            except Exception as exc:
                failures.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save, args=(n,)) for n in ("Robin Hale", "Lee Park")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert sorted(references) == ["EIP-2026-0001", "EIP-2026-0002"]
