"""Where other features plug into a case, so that `eip.cases` imports none of them.

Temporary accommodation (`accommodation/case_hooks.py`) registers itself here when the app
loads it: it can refuse a closure while a placement has not ended, hears that consent was
withdrawn (to tell the borough's SPOCs), gives the stays that make a return-home review due,
and draws its panel on the case page, from records it adds to the page's (read once). With
nothing registered, a case is simply a case: no refusal, no stays, no panel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

ClosureRefusal = Callable[[Session, Any], str | None]
# (session, user, case, consent, now) -> what the feature did, for the page to say, or None.
ConsentWithdrawn = Callable[..., Any]
# (session, case ids) -> {case id: [deadlines.StayFacts, ...]}
StayReader = Callable[[Session, Sequence[int]], dict[int, list[Any]]]
# (session, user, case, records=None) -> the panel's data for its template, or None. `records`:
# the case page's (eip.cases.page.load_records), so a panel need not read them again.
CasePanel = Callable[[Session, Any, Any], Any]
# (session, case) -> {name: [records]}: the feature's own records of the case, added to the
# case page's (eip.cases.page.load_records) so that its panel and its stays read nothing more.
CaseRecords = Callable[[Session, Any], dict[str, list[Any]]]
# (case, records) -> [deadlines.StayFacts, ...]: the stays in the case page's records, the
# same as a StayReader reads for the case.
RecordStays = Callable[[Any, dict[str, list[Any]]], list[Any]]
# (session, a record added, changed or deleted) -> the id of the case whose due items it
# may change, or None (eip.cases.due_store: records with a `case_id` need no mapper).
DueCaseOf = Callable[[Session, Any], int | None]
# (session, case) -> the closure summary's lines about the case's stays.
ClosureStays = Callable[[Session, Any], list[Any]]


@dataclass
class Hooks:
    closure_refusals: list[ClosureRefusal] = field(default_factory=list)
    consent_withdrawn: list[ConsentWithdrawn] = field(default_factory=list)
    stay_readers: list[StayReader] = field(default_factory=list)
    record_stays: list[RecordStays] = field(default_factory=list)
    case_records: list[CaseRecords] = field(default_factory=list)
    case_panels: dict[str, CasePanel] = field(default_factory=dict)
    due_case_of: list[DueCaseOf] = field(default_factory=list)
    closure_stays: list[ClosureStays] = field(default_factory=list)


HOOKS = Hooks()


def closure_stays(session: Session, case: Any) -> list[Any]:
    """What other features say about the case's stays on its closure summary."""
    return [line for hook in HOOKS.closure_stays for line in hook(session, case)]


def closure_refusal(session: Session, case: Any) -> str | None:
    """Why another feature will not let the case close now, or None."""
    for refusal in HOOKS.closure_refusals:
        if reason := refusal(session, case):
            return reason
    return None


def consent_withdrawn(session: Session, user: Any, case: Any, consent: Any, now: Any) -> Any:
    """Tell every feature; the last non-None answer is what the page reports. Runs without
    autoflush, so its reads do not write the withdrawal early (a concurrent change to the
    consent is then caught at the one commit, where it becomes the conflict message)."""
    said = None
    with session.no_autoflush:
        for hook in HOOKS.consent_withdrawn:
            answer = hook(session, user, case, consent, now)
            said = said if answer is None else answer
    return said


def stays(session: Session, case_ids: Sequence[int]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    for reader in HOOKS.stay_readers:
        for case_id, items in reader(session, case_ids).items():
            found.setdefault(case_id, []).extend(items)
    return found


def stays_in_records(case: Any, records: dict[str, list[Any]]) -> list[Any]:
    """The case's stays, from the case page's records (with each feature's own)."""
    return [stay for reader in HOOKS.record_stays for stay in reader(case, records)]


def case_records(session: Session, case: Any) -> dict[str, list[Any]]:
    """Each feature's own records of the case, by name (one query per feature)."""
    found: dict[str, list[Any]] = {}
    for reader in HOOKS.case_records:
        found.update(reader(session, case))
    return found


def case_panels(
    session: Session, user: Any, case: Any, records: dict[str, list[Any]] | None = None
) -> dict[str, Any]:
    """Each feature's panel on the case page, by name (the template includes those present)."""
    return {name: panel(session, user, case, records) for name, panel in HOOKS.case_panels.items()}
