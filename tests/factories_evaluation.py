"""Referred cases with the people in them, for evaluation extracts (every name fictional),
and the checks every extract must pass. Dates are relative to today."""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from eip.cases.models import Case, Person, name_key
from eip.cases.records import Consent
from eip.clock import today
from eip.extensions import db
from evaluation.disclosure import QUASI_IDENTIFIERS
from tests import factories

_numbers = itertools.count(1)


def referred_case(
    *,
    borough_name: str = "Camden",
    days_ago: int = 20,
    gender: str = "man",
    ethnicity: str = "white_british",
    born: date | None = date(1990, 5, 1),
    status: str = "acknowledged",
    **fields,
) -> Case:
    """A case referred `days_ago` days ago and acknowledged the next day, with a client
    and a partner; any Case field may be given (`reason_for_referral=...`)."""
    n = next(_numbers)
    client = Person(
        full_name=fields.pop("client_name", f"Client Evaluation{n}"),
        date_of_birth=born,
        gender=gender,
        ethnicity=ethnicity,
        address=fields.pop("client_address", None),
        phone=fields.pop("client_phone", None),
        email=fields.pop("client_email", None),
    )
    client.name_key = name_key(client.full_name)
    partner = Person(
        full_name=fields.pop("partner_name", f"Partner Evaluation{n}"),
        date_of_birth=fields.pop("partner_born", None),
        gender="woman",
        address=fields.pop("partner_address", None),
        phone=fields.pop("partner_phone", None),
        email=fields.pop("partner_email", None),
    )
    partner.name_key = name_key(partner.full_name)
    db.session.add_all([client, partner])
    db.session.flush()
    case = factories.case(borough_name, status=status)
    received = today() - timedelta(days=days_ago)
    case.received_at = datetime.combine(received, time(10), tzinfo=UTC)
    case.acknowledged_at = case.received_at + timedelta(days=1)
    case.acknowledgement_method = "secure_email"
    case.client_id, case.partner_id = client.id, partner.id
    case.childrens_services_status = "child_in_need"
    case.police_callouts_12_months = 1
    for name, value in fields.items():
        setattr(case, name, value)
    db.session.commit()
    return case


def many(count: int, **fields) -> list[Case]:
    return [referred_case(**fields) for _ in range(count)]


def evaluation_consent(case: Case, person: str, state: str = "given", withdrawn: bool = False):
    record = Consent(
        case_id=case.id,
        person_role=person,
        kind="evaluation",
        state=state,
        recorded_on=today() - timedelta(days=5),
        obtained_by="Social worker",
        how="in_person",
        withdrawn_on=today() - timedelta(days=1) if withdrawn else None,
    )
    db.session.add(record)
    db.session.commit()
    return record


def read_csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    with archive.open(name) as raw:
        return list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline="")))


def open_zip(path: Path | str) -> zipfile.ZipFile:
    return zipfile.ZipFile(path)


def assert_k_anonymous(archive: zipfile.ZipFile, k: int) -> None:
    """Every combination of quasi-identifiers in cases.csv is shared by at least k rows."""
    rows = read_csv(archive, "cases.csv")
    sizes = Counter(tuple(row[qi] for qi in QUASI_IDENTIFIERS) for row in rows)
    assert rows, "an extract with no rows"
    assert min(sizes.values()) >= k, sizes


def k_is(k: int) -> None:
    """The programme's evaluation k, set for a test."""
    from eip.programme import current_settings

    current_settings(db.session).evaluation_k = k
    db.session.commit()


def prepare_last_400_days(config, manager):
    """An extract of every case referred in the 400 days to today, prepared by `manager`."""
    from evaluation import services

    start = today() - timedelta(days=400)
    return services.prepare(db.session, manager, start=start, end=today(), config=config)


def extract_rows(config, item, name: str) -> list[dict[str, str]]:
    """The rows of one CSV file of a prepared extract's zip."""
    from evaluation import services

    path = services.folder(config["INSTANCE_PATH"]) / item.file_name
    return read_csv(open_zip(path), name)
