"""Bulk import of referrals from CSV: all rows or none, each bad row reported by line."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.cases import choices
from eip.cases.importer import COLUMNS, REQUIRED_COLUMNS, import_referrals, import_referrals_command
from eip.cases.models import Case, Person
from eip.extensions import db
from tests import factories
from tests import factories_pathway_referral as rf

DOCS = Path(__file__).resolve().parents[2] / "docs" / "import-referrals.md"


@pytest.fixture
def people(app_context):
    factories.borough("Camden")
    factories.borough("Hackney")
    factories.borough("Barnet", active=False)
    practitioner = factories.user("practitioner", email="priya@example.org")
    factories.user("finance", email="fin@example.org")
    return practitioner


def row(**overrides) -> dict[str, str]:
    values = {
        "received_at": "2026-09-05T10:30",
        "borough": "Camden",
        "practitioner_email": "Priya@Example.org",
        "referrer_name": "Sam Okafor",
        "referrer_team": "",
        "referrer_email": "sam.okafor@example.org",
        "referrer_phone": "",
        "client_name": "Alex Marlowe",
        "client_date_of_birth": "1990-03-27",
        "client_gender": "man",
        "client_ethnicity": "white_british",
        "client_disability": "no",
        "client_language": "English",
        "client_interpreter": "no",
        "client_address": "",
        "client_phone": "",
        "client_email": "",
        "client_safe_contact": "",
        "partner_name": "Jordan Reyes",
        "partner_date_of_birth": "1991-11-14",
        "partner_relationship": "partner",
        "partner_living_together": "yes",
        "partner_address": "",
        "partner_phone": "",
        "partner_email": "",
        "partner_safe_contact_times": "",
        "partner_code_word": "Bluebell",
        "children_count": "2",
        "children_ages": "3 and 7",
        "childrens_services_status": "child_in_need",
        "police_callouts_12_months": "",
        "previous_abuse": "no",
        "separation": "not_known",
        "pregnancy": "no",
        "substance_use": "yes",
        "mental_health": "not_known",
        "weapons": "no",
        "dash_score": "",
        "reason_for_referral": "Arguments escalating",
        "what_has_been_tried": "",
    }
    values.update(overrides)
    return values


def write_csv(tmp_path: Path, rows: list[dict[str, str]], columns=None) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns or list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "referrals.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    return path


def run(app, path: Path):
    return app.test_cli_runner().invoke(import_referrals_command, [str(path)])


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_good_file_loads_every_row(app, people, tmp_path):
    rows = [
        row(client_address="Flat 2\n1 Example Road\nLondon"),
        row(client_name="Robin Hale", partner_name="Kit Hale", received_at="2026-08-10 09:00"),
        row(client_name="Lee Park", partner_name="Ash Park", borough="hackney"),
    ]
    result = run(app, write_csv(tmp_path, rows))
    assert result.exit_code == 0, result.output
    assert "Loaded 3 referral(s): EIP-2026-0001, EIP-2026-0002, EIP-2026-0003" in result.output
    cases = db.session.scalars(select(Case).order_by(Case.reference)).all()
    assert [c.status for c in cases] == ["referred", "awaiting_late_agreement", "referred"]
    assert cases[0].client.address == "Flat 2\n1 Example Road\nLondon"
    assert cases[0].received_at == rf.london(rf.SATURDAY, 10, 30)
    assert cases[2].borough.name == "Hackney"
    assert cases[0].allocated_practitioner_id == people.id
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.imported"))
    events = list(events)
    assert [(e.actor_label, e.case_reference) for e in events] == [
        ("import", "EIP-2026-0001"),
        ("import", "EIP-2026-0002"),
        ("import", "EIP-2026-0003"),
    ]
    assert "Alex" not in repr([e.details for e in events])


def test_a_file_with_bad_rows_loads_nothing_and_reports_each_line(app, people, tmp_path):
    rows = [
        row(client_address="Flat 2\n1 Example Road"),  # good, on lines 2 and 3
        row(borough="Narnia"),  # line 4
        row(client_date_of_birth="2011-02-01", borough="Barnet"),  # line 5
        row(received_at="2031-01-01T09:00", client_gender="robot"),  # line 6
        row(),  # line 7, good
        row(practitioner_email="fin@example.org", client_date_of_birth="27/03/1990"),  # line 8
        row(children_count="two", reason_for_referral=""),  # line 9
    ]
    result = run(app, write_csv(tmp_path, rows))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("line ")]
    assert [line.split(":")[0] for line in lines] == [
        "line 4",
        "line 5",
        "line 6",
        "line 8",
        "line 9",
    ]
    report = "\n".join(lines)
    assert "line 4: borough: No borough has this name" in report
    assert "borough: That borough is not taking part in the programme" in lines[1]
    assert "client_date_of_birth: The client must be 16 or older" in lines[1]
    assert "received_at: The time the referral was received cannot be in the future" in lines[2]
    assert "client_gender: Select the client's gender" in lines[2]
    assert "practitioner_email: The user with this e-mail is not an active practitioner" in lines[3]
    assert "client_date_of_birth: Enter the date like 1990-03-27" in lines[3]
    assert "children_count: Enter a whole number" in lines[4]
    assert "reason_for_referral: Enter the reason for the referral" in lines[4]
    assert "Nothing was loaded: 5 line(s) have problems" in result.output
    assert "Narnia" not in result.output  # the report names columns, not values
    assert _count(Case) == 0 and _count(Person) == 0
    assert _count(AuditEvent) == 0


def test_missing_and_unknown_columns_are_reported_on_line_1(app, people, tmp_path):
    good = row()
    good.pop("client_name")
    good["clinet_phone"] = ""
    result = run(app, write_csv(tmp_path, [good]))
    assert result.exit_code == 1
    assert "line 1: missing columns: client_name; unknown columns: clinet_phone" in result.output
    assert _count(Case) == 0


def test_optional_columns_may_be_left_out(app, people, tmp_path):
    slim = {name: value for name, value in row().items() if name in REQUIRED_COLUMNS}
    result = run(app, write_csv(tmp_path, [slim]))
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Case)).partner.date_of_birth is None


def test_an_empty_file_is_an_error(app, people, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text(",".join(COLUMNS) + "\n", encoding="utf-8")
    result = run(app, path)
    assert result.exit_code == 1
    assert "line 1: the file has no referrals in it" in result.output


def test_the_same_client_twice_in_a_file_is_one_person(people):
    report = import_referrals(db.session, [row(), row(received_at="2026-10-01T09:00")])
    assert report.ok, report.errors
    first, second = db.session.scalars(select(Case).order_by(Case.reference)).all()
    assert first.client_id == second.client_id and first.partner_id == second.partner_id
    assert _count(Person) == 2


def test_someone_already_on_record_is_linked_as_a_re_referral(people):
    existing = rf.recorded_case(people)
    report = import_referrals(db.session, [row()])
    assert report.ok, report.errors
    imported = db.session.scalar(select(Case).where(Case.reference == report.loaded[0]))
    assert imported.client_id == existing.client_id


def test_a_row_matching_several_people_is_refused(people):
    rf.recorded_case(people)
    rf.recorded_case(people, client_choice="new", partner_choice="new")
    report = import_referrals(db.session, [row()])
    assert not report.ok
    assert report.errors[0].line == 2
    assert "Several people on record share the client's name" in str(report.errors[0])
    assert _count(Case) == 2


def test_rows_given_as_plain_mappings_are_numbered_from_line_2(people):
    report = import_referrals(db.session, [row(), row(weapons="maybe")])
    assert [error.line for error in report.errors] == [3]
    assert report.loaded == []


def test_references_continue_from_those_already_used(people):
    rf.recorded_case(people, client_name="Robin Hale", partner_name="Kit Hale")
    report = import_referrals(db.session, [row(received_at="2025-12-01T09:00"), row()])
    assert report.loaded == ["EIP-2025-0001", "EIP-2026-0002"]


def test_the_documentation_lists_every_column_and_every_code():
    text = DOCS.read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"| `{column}` |" in text, column
    for name in (
        "GENDER",
        "ETHNICITY",
        "DISABILITY",
        "SEXUAL_ORIENTATION",
        "AGE_BAND",
        "LANGUAGE_INTERPRETER",
        "RELATIONSHIP_TO_CLIENT",
        "LIVING_TOGETHER",
        "CHILDRENS_SERVICES_STATUS",
        "YES_NO_NOT_KNOWN",
    ):
        for code, _ in choices.ALL[name]:
            assert f"`{code}`" in text, (name, code)


def test_the_module_docstring_lists_every_column():
    from eip.cases import importer

    for column in COLUMNS:
        assert f"    {column}" in importer.__doc__, column


def test_a_received_date_uses_london_time(people):
    report = import_referrals(db.session, [row(received_at="2026-07-01T00:30")])
    assert report.ok
    case = db.session.scalar(select(Case))
    assert case.reference == "EIP-2026-0001"
    assert rf.london(date(2026, 7, 1), 0, 30) == case.received_at
