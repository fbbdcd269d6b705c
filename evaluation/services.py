"""Preparing, releasing, withdrawing and downloading evaluation extracts.

Each service takes the session, the acting user and plain values, checks the rule,
writes, audits and commits once. Preparation runs the whole pipeline: choose the cases,
pseudonymise, disclosure control, stream the rows into a zip in the instance folder,
check k again on what was written, then record it. A refusal (no key, too few cases, a
check that fails) writes nothing: no record, no file.
"""

from __future__ import annotations

import contextlib
import io
import secrets
import shutil
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from eip.audit import record
from eip.auth.models import User
from eip.cases.queries import deadline_settings
from eip.csvsafe import read_dicts
from eip.db import write_now
from eip.domain import Conflict, NotAllowed, NotFound, RuleBroken
from eip.files import open_private, private_folder
from eip.policy import can
from eip.programme import current_settings
from eip.workdays import LONDON, london_date
from evaluation import disclosure, extract, package, pseudonym, rows
from evaluation.models import EvaluationExtract

FOLDER = "evaluation"
WITHDRAWAL_REASON_MAX = 500


def folder(instance_path: str | Path) -> Path:
    return private_folder(Path(instance_path) / FOLDER)


def k_setting(session: Session) -> int:
    return current_settings(session).evaluation_k


def released_extracts(session: Session) -> list[EvaluationExtract]:
    """Every extract that ever reached the evaluators, withdrawn ones too: they may have
    been downloaded, so later releases must still be no finer than them."""
    query = select(EvaluationExtract).where(EvaluationExtract.released_at.is_not(None))
    return list(session.scalars(query.order_by(EvaluationExtract.id)))


def prior(session: Session) -> tuple[disclosure.Generalisation, int | None]:
    """The generalisation a new extract starts from, and the latest release it is based on."""
    released = released_extracts(session)
    merged = disclosure.coarsest(
        disclosure.Generalisation.from_json(e.generalisation) for e in released
    )
    latest = max((e.release_number or 0, e.id) for e in released)[1] if released else None
    return merged, latest


@dataclass
class Plan:
    """Everything decided before a byte is written."""

    key: bytes
    start: date
    end: date
    k: int
    people: extract.Population
    outcome: disclosure.Outcome
    based_on_id: int | None
    store: package.CaseStore  # every candidate's rows, to be written for the chosen ones

    @property
    def left_out(self) -> dict[str, int]:
        counts = dict(self.people.left_out)
        if self.outcome.withheld:
            counts["withheld"] = len(self.outcome.withheld)
        return counts


def too_few(count: int, k: int, people: extract.Population) -> str:
    left = sum(people.left_out.values())
    out = f" ({left} left out because consent to the evaluation was declined or withdrawn)"
    return (
        f"This period has {count} case{'s' if count != 1 else ''} that can go in an extract"
        f"{out if left else ''}. At least {k} are needed, so that every combination of age "
        f"band, gender, ethnic group, borough and referral period is shared by {k} people. "
        "Choose a longer period"
    )


def plan(session: Session, config: Mapping[str, Any], start: date, end: date) -> Plan:
    """Choose the cases and run disclosure control; refuse if k cannot be met."""
    try:
        key = pseudonym.key_from(config)
    except pseudonym.KeyRefused as refused:
        raise RuleBroken(refused.message) from None
    if end < start:
        raise RuleBroken(
            "The end of the period must be the same as or after its start", field="period_end"
        )
    k = k_setting(session)
    store = package.CaseStore()
    try:
        people = extract.read_population(session, key, start, end, _keep(session, store))
        if len(people.candidates) < k:
            raise RuleBroken(too_few(len(people.candidates), k, people), field="period_start")
        earlier, based_on = prior(session)
        outcome = disclosure.anonymise(people.candidates, k, earlier)
        if len(outcome.values) < k or outcome.smallest_group < k:
            raise RuleBroken(too_few(len(outcome.values), k, people), field="period_start")
        refusal = disclosure.period_refusal(
            start,
            end,
            outcome.generalisation.levels["referral_period"],
            first_referral=extract.first_referral_on(session),
            today=london_date(datetime.now(UTC)),
        )
        if refusal:
            raise RuleBroken(refusal, field="period_start")
    except BaseException:
        store.close()
        raise
    return Plan(key, start, end, k, people, outcome, based_on, store)


# What a case row holds in place of its quasi-identifiers until disclosure control has
# chosen them (CaseStore keeps only the cells after them).
_NOT_YET_CHOSEN = ("",) * len(disclosure.QUASI_IDENTIFIERS)


def _keep(session: Session, store: package.CaseStore):
    """Each candidate's row, events, DASH reviews and outcome measurements into `store`,
    from one read of the case."""
    rules = deadline_settings(session)
    today = london_date(datetime.now(UTC))

    def keep(bundle: rows.CaseBundle, candidate: disclosure.Candidate) -> None:
        cid = candidate.id
        row = rows.case_cells(bundle, cid, _NOT_YET_CHOSEN, rules, today)
        events = rows.event_cells(bundle, cid)
        dash = rows.dash_cells(bundle, cid, rules, today)
        store.add(cid, row, events, dash, rows.outcome_cells(bundle, cid))

    return keep


def _released(p: Plan) -> list[tuple[str, tuple[str, ...]]]:
    # In pseudonymous-ID order: database order would tell who was referred before whom.
    return [(cid, p.outcome.values[cid]) for cid in sorted(p.outcome.values)]


def report_data(p: Plan, label: str, when: datetime) -> dict[str, Any]:
    return {
        "label": label,
        "period_start": p.start.isoformat(),
        "period_end": p.end.isoformat(),
        "prepared_on": london_date(when).isoformat(),
        "k": p.k,
        "smallest_group": p.outcome.smallest_group,
        "groups": p.outcome.groups,
        "generalisation": p.outcome.generalisation.describe(p.k),
        "suppressed": len(p.outcome.suppressed),
        "left_out": p.left_out,
    }


def prepare(
    session: Session,
    actor: User | None,
    *,
    start: date,
    end: date,
    config: Mapping[str, Any],
    actor_label: str | None = None,
) -> EvaluationExtract:
    """Prepare an extract of the cases referred from `start` to `end` for review."""
    if actor is not None and not can(actor, "evaluation.prepare"):
        raise NotAllowed("Only programme managers prepare evaluation extracts")
    p = plan(session, config, start, end)
    with contextlib.closing(p.store):
        return _write(session, actor, p, config=config, actor_label=actor_label)


def _write(
    session: Session,
    actor: User | None,
    p: Plan,
    *,
    config: Mapping[str, Any],
    actor_label: str | None,
) -> EvaluationExtract:
    """Write the planned extract to a file, check it, record it and commit."""
    start, end = p.start, p.end
    when = datetime.now(UTC)
    item = EvaluationExtract(
        period_start=start,
        period_end=end,
        state="prepared",
        k=p.k,
        case_count=len(p.outcome.values),
        referred_count=p.people.referred,
        left_out=p.left_out,
        suppressed_count=len(p.outcome.suppressed),
        smallest_group=p.outcome.smallest_group,
        generalisation=p.outcome.generalisation.to_json(),
        based_on_id=p.based_on_id,
        key_check=pseudonym.key_check(p.key),
        sha256="",
        size_bytes=0,
        prepared_at=when,
        prepared_by_id=actor.id if actor else None,
        prepared_by_label=actor_label,
    )
    session.add(item)
    session.flush()
    name = f"extract-{item.id}-{secrets.token_hex(8)}.zip"
    path = folder(config["INSTANCE_PATH"]) / name
    try:
        with open_private(path) as target:
            p.store.write(
                target,
                order=_released(p),
                report=report_data(p, item.label, when),
                when=when.astimezone(LONDON),
            )
        package.check_written(path, p.k)
        item.file_name, item.size_bytes = name, path.stat().st_size
        item.sha256 = package.file_sha256(path)
        record(
            session,
            "evaluation.prepared",
            actor=actor,
            actor_label=actor_label if actor is None else None,
            object_type="evaluation_extract",
            object_id=item.id,
            details={
                "period_start": start.isoformat(),
                "period_end": end.isoformat(),
                "k": p.k,
                "cases": item.case_count,
                "left_out": sum(p.left_out.values()),
            },
        )
        session.commit()
    except BaseException:
        session.rollback()
        path.unlink(missing_ok=True)
        raise
    return item


def _locked(session: Session, extract_id: int) -> EvaluationExtract:
    item = session.get(EvaluationExtract, extract_id, with_for_update=True, populate_existing=True)
    if item is None:
        raise NotFound("No such extract")
    return item


def get(session: Session, extract_id: int) -> EvaluationExtract:
    item = session.get(EvaluationExtract, extract_id)
    if item is None:
        raise NotFound("No such extract")
    return item


def release(
    session: Session,
    actor: User | None,
    extract_id: int,
    *,
    config: Mapping[str, Any],
    actor_label: str | None = None,
) -> EvaluationExtract:
    """Release a prepared extract to the evaluators. `config` gives the pseudonym key and
    the instance folder, as for `prepare`."""
    if actor is not None and not can(actor, "evaluation.release"):
        raise NotAllowed("Only programme managers release evaluation extracts")
    item = _locked(session, extract_id)
    if item.state != "prepared":
        raise Conflict(f"{item.label} is already {item.state}: nothing was changed")
    _earlier, latest = prior(session)
    if latest != item.based_on_id:
        raise Conflict(
            f"Another extract was released after {item.label} was prepared, so it was not "
            "checked against that release. Withdraw it and prepare a new one"
        )
    if changed := consent_changed_since(session, item, config):
        raise Conflict(changed)
    number = session.scalar(select(func.max(EvaluationExtract.release_number))) or 0
    item.state, item.released_at = "released", datetime.now(UTC)
    item.released_by_id = actor.id if actor else None
    item.release_number = number + 1
    record(
        session,
        "evaluation.released",
        actor=actor,
        actor_label=actor_label if actor is None else None,
        object_type="evaluation_extract",
        object_id=item.id,
        details={"release_number": item.release_number, "cases": item.case_count},
    )
    try:
        session.commit()
    except IntegrityError:
        # Another manager released another extract at the same instant.
        session.rollback()
        raise Conflict(
            "Another extract was released at the same time: nothing was changed"
        ) from None
    return item


def default_period(session: Session) -> tuple[date, date]:
    """Every referral to date: from the first referral (late referrals come before the
    window opens) or the window's start, to today or the programme's end. Open-ended, so
    it never says more about when cases were referred than the extract's periods do."""
    settings = current_settings(session)
    first = extract.first_referral_on(session)
    start = min(first, settings.referral_window_start) if first else settings.referral_window_start
    return start, min(london_date(datetime.now(UTC)), settings.programme_end_date)


def consent_changed_since(
    session: Session, item: EvaluationExtract, config: Mapping[str, Any]
) -> str | None:
    """Why a prepared extract may no longer be released: the client or partner of a case in
    it has since declined or withdrawn the use of their data. Consent is checked when the
    extract is prepared; this checks it again at the moment the file reaches the evaluators.
    """
    key = pseudonym.key_from(config)
    in_file = {row["case_id"] for row in case_rows_of(item, config["INSTANCE_PATH"])}
    population = extract.population(session, key, item.period_start, item.period_end)
    still_in = {c.id for c in population.candidates}
    if in_file - still_in:
        return (
            f"Consent to the evaluation has been declined or withdrawn for a case in "
            f"{item.label} since it was prepared, so it was not released. Withdraw it and "
            "prepare a new one"
        )
    return None


def withdraw(
    session: Session, actor: User, extract_id: int, reason: str, instance_path: str | Path
) -> EvaluationExtract:
    """Withdraw a prepared or released extract: evaluators no longer see it, its file is
    deleted, and its generalisation still binds later releases if it was ever released."""
    if not can(actor, "evaluation.withdraw"):
        raise NotAllowed("Only programme managers withdraw evaluation extracts")
    reason = " ".join((reason or "").split())
    if not reason:
        raise RuleBroken("Enter why the extract is withdrawn", field="reason")
    if len(reason) > WITHDRAWAL_REASON_MAX:
        raise RuleBroken(
            f"The reason must be {WITHDRAWAL_REASON_MAX} characters or fewer", field="reason"
        )
    item = _locked(session, extract_id)
    if item.state == "withdrawn":
        raise Conflict(f"{item.label} is already withdrawn: nothing was changed")
    was = item.state
    item.state, item.withdrawn_at = "withdrawn", datetime.now(UTC)
    item.withdrawn_by_id, item.withdrawal_reason = actor.id, reason
    name, item.file_name = item.file_name, None
    record(
        session,
        "evaluation.withdrawn",
        actor=actor,
        object_type="evaluation_extract",
        object_id=item.id,
        details={"was": was},
    )
    session.commit()
    if name:
        with contextlib.suppress(FileNotFoundError):
            (folder(instance_path) / name).unlink()
    return item


def may_download(user: User, item: EvaluationExtract) -> bool:
    """Managers download an extract they prepared or released (to review it); evaluators
    only a released one. A withdrawn extract is nobody's: its file is gone."""
    if item.state == "withdrawn" or not can(user, "evaluation.download"):
        return False
    return item.state == "released" or can(user, "evaluation.prepare")


def download(
    session: Session, actor: User, item: EvaluationExtract, instance_path: str | Path
) -> Path:
    """The zip's path, once its digest is checked; the download is audited."""
    if not may_download(actor, item):
        raise NotAllowed("You may not download this extract")
    path = folder(instance_path) / (item.file_name or "")
    if not item.file_name or not path.is_file() or package.file_sha256(path) != item.sha256:
        raise Conflict(
            f"The file of {item.label} is missing or has changed since it was prepared, so it "
            "is not served. Withdraw it and prepare a new one"
        )
    with write_now(session):  # a GET's write (eip/db.py)
        record(
            session,
            "evaluation.downloaded",
            actor=actor,
            object_type="evaluation_extract",
            object_id=item.id,
            details={"state": item.state},
        )
        session.commit()
    return path


def listing(session: Session, user: User) -> list[EvaluationExtract]:
    """Managers see every extract; evaluators only the released ones."""
    query = select(EvaluationExtract).order_by(EvaluationExtract.id.desc())
    if not can(user, "evaluation.prepare"):
        query = query.where(EvaluationExtract.state == "released")
    return list(session.scalars(query))


def latest_released(session: Session) -> EvaluationExtract | None:
    return session.scalar(
        select(EvaluationExtract)
        .where(EvaluationExtract.state == "released")
        .order_by(EvaluationExtract.release_number.desc(), EvaluationExtract.id.desc())
        .limit(1)
    )


def case_rows_of(item: EvaluationExtract, instance_path: str | Path) -> Iterator[dict[str, str]]:
    """The released cases.csv, row by row, for the evaluators' figures."""
    return _rows_of(item, instance_path, "cases.csv")


def outcome_rows_of(
    item: EvaluationExtract, instance_path: str | Path
) -> Iterator[dict[str, str]] | None:
    """The released outcomes.csv, row by row; None for a release made before extracts
    carried it (its figures then say so)."""
    path = folder(instance_path) / (item.file_name or "")
    with zipfile.ZipFile(path) as archive:
        if "outcomes.csv" not in archive.namelist():
            return None
    return _rows_of(item, instance_path, "outcomes.csv")


def _rows_of(item: EvaluationExtract, instance_path: str | Path, name: str):
    path = folder(instance_path) / (item.file_name or "")
    with zipfile.ZipFile(path) as archive, archive.open(name) as raw:
        yield from read_dicts(io.TextIOWrapper(raw, encoding="utf-8", newline=""))


def export(
    session: Session,
    config: Mapping[str, Any],
    out: Path,
    *,
    start: date | None = None,
    end: date | None = None,
) -> EvaluationExtract:
    """`flask eip export-evaluation`: prepare and release an extract in one step (the
    operator at the server stands in for the manager's review) and copy it to `out`.
    Every referral to date unless a period is given."""
    if not out.parent.is_dir():
        raise RuleBroken(f"The folder {out.parent} does not exist: nothing was written")
    if out.exists() and not out.is_file():
        raise RuleBroken(f"{out} is not a file: nothing was written")
    default_start, default_end = default_period(session)
    start, end = start or default_start, end or default_end
    item = prepare(session, None, start=start, end=end, config=config, actor_label="cli")
    release(session, None, item.id, config=config, actor_label="cli")
    source = folder(config["INSTANCE_PATH"]) / (item.file_name or "")
    with source.open("rb") as read, open_private(out) as write:
        shutil.copyfileobj(read, write)
    return item
