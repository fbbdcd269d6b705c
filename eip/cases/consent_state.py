"""Which consents are in force: the newest record for each (person, kind) wins."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from eip.cases.records import Consent

PEOPLE = ("client", "partner")
KINDS = ("intervention", "accommodation", "information_sharing", "evaluation")


@dataclass(frozen=True)
class ConsentState:
    record: Consent | None

    @property
    def state(self) -> str:
        """given, declined, withdrawn or not_asked."""
        return state_of(self.record)

    @property
    def in_force(self) -> bool:
        return self.state == "given"


def state_of(record: Consent | None) -> str:
    """The state a consent record leaves in force: given, declined, withdrawn or not_asked."""
    if record is None:
        return "not_asked"
    if record.withdrawn_on is not None:
        return "withdrawn"
    return record.state


def latest_records(consents: Iterable[Consent]) -> dict[tuple[str, str], Consent]:
    """The newest record of each (person, kind) that has one."""
    latest: dict[tuple[str, str], Consent] = {}
    for consent in sorted(consents, key=lambda c: (c.created_at, c.id)):
        latest[(consent.person_role, consent.kind)] = consent
    return latest


def current_consents(consents: Iterable[Consent]) -> dict[tuple[str, str], ConsentState]:
    latest = latest_records(consents)
    return {
        (person, kind): ConsentState(latest.get((person, kind)))
        for person in PEOPLE
        for kind in KINDS
    }


def both_in_force(states: dict[tuple[str, str], ConsentState], kind: str) -> bool:
    return states[("client", kind)].in_force and states[("partner", kind)].in_force
