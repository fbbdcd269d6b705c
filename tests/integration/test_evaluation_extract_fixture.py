"""The extract is byte-identical, for the same data and key, to the one the code wrote
before disclosure control searched the generalisations in order of coarseness.

`tests/fixtures/evaluation_extract.json` holds the SHA-256 of every file of the package for
a few releases of the same 800 cases (tests/evaluation_bulk.py, seed 16), written by the
commit before that change. Regenerate it (only when the extract is meant to change) with
EIP_WRITE_EXTRACT_FIXTURE=1; the fixture must be the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from datetime import date
from pathlib import Path

import pytest
import time_machine

from eip.domain import RuleBroken
from eip.extensions import db
from eip.programme import current_settings
from evaluation import services
from tests import evaluation_bulk, factories

pytestmark = pytest.mark.usefixtures("app_context")

FIXTURE = Path(__file__).parent.parent / "fixtures" / "evaluation_extract.json"
KEY = "evaluation fixture pseudonym key: fixed, 32 characters or more"
CASES, SEED = 800, 16
ALL = (date(2025, 1, 1), date(2026, 7, 15))
# (name, k, period, release it afterwards): in this order, so the last starts from a release.
SCENARIOS = (
    ("k3_all", 3, ALL, False),
    ("k10_all", 10, ALL, False),
    ("k5_one_quarter", 5, (date(2025, 4, 1), date(2025, 6, 30)), False),
    ("k2_one_month", 2, (date(2025, 7, 1), date(2025, 7, 31)), False),
    ("k5_2025_26_released", 5, (date(2025, 4, 1), date(2026, 3, 31)), True),
    ("k5_all_after_release", 5, ALL, False),
)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _package(app, item) -> dict:
    path = services.folder(app.config["INSTANCE_PATH"]) / item.file_name
    found = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            if name == "disclosure_report.md":  # its label carries the database's id
                data = data.replace(f"Extract {item.id}".encode(), b"Extract N")
            if name != "manifest.sha256":  # it lists the report's digest, label and all
                found[name] = _digest(data)
    return {
        "files": found,
        "generalisation": {
            **item.generalisation,
            "suppressed_ids": len(item.generalisation["suppressed_ids"]),
            "released_ids": _digest(json.dumps(item.generalisation["released_ids"]).encode()),
        },
        "cases": item.case_count,
        "suppressed": item.suppressed_count,
        "smallest_group": item.smallest_group,
        "left_out": item.left_out,
    }


def run_scenarios(app) -> dict:
    config = {**app.config, "EIP_PSEUDONYM_KEY": KEY}
    manager = factories.user("manager")
    results = {}
    for name, k, (start, end), release in SCENARIOS:
        current_settings(db.session).evaluation_k = k
        db.session.commit()
        try:
            item = services.prepare(db.session, manager, start=start, end=end, config=config)
        except RuleBroken as refused:
            db.session.rollback()
            results[name] = {"refused": refused.message}
            continue
        results[name] = _package(app, item)
        if release:
            services.release(db.session, manager, item.id, config=config)
    return results


@time_machine.travel(evaluation_bulk.TODAY, tick=False)
def test_the_extract_is_byte_identical_to_the_stored_fixture(app):
    evaluation_bulk.build(db.session, CASES, SEED)
    results = run_scenarios(app)
    if os.environ.get("EIP_WRITE_EXTRACT_FIXTURE") == "1":
        FIXTURE.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    expected = json.loads(FIXTURE.read_text())
    for name, *_rest in SCENARIOS:
        assert results[name] == expected[name], name
    # The fixture is only worth having if the releases differ in what they generalise.
    levels = {json.dumps(r["generalisation"]["levels"]) for r in expected.values() if "files" in r}
    assert len(levels) >= 3
