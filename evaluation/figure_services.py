"""Which figures each role sees: managers the live programme, evaluators only what the
latest released extract holds (DOMAIN.md, field by role)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from accommodation import ledger, store
from eip import clock
from eip.auth.models import User
from eip.cases.queries import deadline_settings
from eip.domain import NotAllowed
from eip.policy import can
from evaluation import equality, extract, figures, rows, services
from evaluation.models import EvaluationExtract

# Managers are inside the programme: their live figures show every count. Suppression
# protects people only when figures leave the programme (extracts, the funder's report).
UNSUPPRESSED = 1  # no count is both above 0 and under 1


@dataclass(frozen=True)
class Shown:
    figures: figures.Figures | None
    live: bool
    extract: EvaluationExtract | None = None
    # Managers only: the live equality breakdown (the extracts do not carry it yet).
    equality: list[equality.EqualityTable] | None = None


def live_rows(
    session: Session, outcome_rows: list[dict[str, str]] | None = None
) -> Iterator[dict[str, str]]:
    """Every case's row, built as for an extract but at the finest level (managers may
    see the live programme, unsuppressed). Given a list,
    each case's outcome measurements' rows are added to it on the way (a few per case),
    so the cases are read once."""
    rules = deadline_settings(session)
    today = clock.today()
    # Every case, through the extract's own stream: each table read once in case order.
    # By batches of ids (the reader now kept in tests/extract_reference.py) the page took
    # 38 s at 100,000 cases on PostgreSQL, much of it binding 5,000 ids per statement.
    for bundle in extract.stream(session, None, None):
        finest = rows.finest_values(bundle)
        quasi = tuple(finest[qi] for qi in rows.QUASI_IDENTIFIERS)
        if outcome_rows is not None:
            # The case's database id stands in for a pseudonymous one: it never leaves.
            outcome_rows.extend(rows.outcome_rows(bundle, str(bundle.case.id)))
        yield rows.case_row(bundle, "", quasi, rules, today)


def live(session: Session) -> figures.Figures:
    totals = ledger.all_placement_totals(store.entries(session))
    spend = sum(t.exposure for t in totals.values())
    target = deadline_settings(session).acknowledge_working_days
    measured: list[dict[str, str]] = []
    # build reads every case row before the outcome rows, so the list is full by then.
    return figures.build(
        live_rows(session, measured),
        UNSUPPRESSED,
        spend_pence=spend,
        target_days=target,
        outcome_rows=measured,
    )


def for_user(session: Session, user: User, instance_path: str | Path) -> Shown:
    if not can(user, "evaluation.figures"):
        raise NotAllowed("You may not see the programme figures")
    if can(user, "evaluation.prepare"):
        return Shown(live(session), live=True, equality=equality.tables(session, UNSUPPRESSED))
    item = services.latest_released(session)
    if item is None:
        return Shown(None, live=False)
    target = deadline_settings(session).acknowledge_working_days
    # A k raised since the release applies to its figures too.
    k = max(item.k, services.k_setting(session))
    built = figures.build(
        services.case_rows_of(item, instance_path),
        k,
        target_days=target,
        outcome_rows=services.outcome_rows_of(item, instance_path),
    )
    return Shown(built, live=False, extract=item)
