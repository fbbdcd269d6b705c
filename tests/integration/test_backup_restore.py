"""`eip backup` and `eip restore` on the engine under test: the demo data, a released evaluation
extract and its file round-trip exactly (every table row by row, every file byte for byte);
a restore is refused into a database that is not empty, from a newer migration, without the
key or with the wrong one, and from an altered file, and then restores nothing."""

from __future__ import annotations

import io
import json
import secrets
import tarfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from eip.audit import AuditEvent
from eip.backups import engines
from eip.db import utcnow
from eip.extensions import db
from eip.models import AppState
from tests.conftest import _reset_postgres, build_app, dispose_engines, on_postgres, run_seed_demo

pytestmark = pytest.mark.usefixtures("app_context")


def invoke(runner, *args: str):
    return runner.invoke(args=["eip", *args])


@pytest.fixture
def seeded(runner, instance_path, tmp_path_factory):
    """The demo (cases, placements, invoices, the ledger, …) and a released extract on disk."""
    run_seed_demo(runner)
    copy = tmp_path_factory.mktemp("export") / "extract.zip"
    exported = invoke(runner, "export-evaluation", "--out", str(copy))
    assert exported.exit_code == 0, exported.output
    assert any((Path(instance_path) / "evaluation").iterdir())
    db.session.remove()


@contextmanager
def new_database(database_url: str, folder: Path) -> Iterator[str]:
    """A new, empty database on the engine under test, dropped afterwards."""
    if not on_postgres():
        yield f"sqlite:///{folder / 'restored.sqlite3'}"
        return
    name = f"eip_backup_{secrets.token_hex(4)}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def spare_database(database_url: str, tmp_path_factory) -> Iterator[str]:
    """One new database for the module, emptied after each test: making and dropping a
    PostgreSQL database costs seconds (a checkpoint), emptying its schema does not."""
    with new_database(database_url, tmp_path_factory.mktemp("spare")) as url:
        yield url


@pytest.fixture
def target(spare_database: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on a new, empty database (on SQLite a new file) with its own instance folder."""
    url = spare_database if on_postgres() else f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    application = build_app(url, tmp_path / "restored-instance")
    try:
        yield application
    finally:
        dispose_engines(application)
        if on_postgres():
            _reset_postgres(url)


def restore(application, backup: Path):
    with application.app_context():
        return application.test_cli_runner().invoke(args=["eip", "restore", str(backup)])


def every_row(engine) -> dict[str, list[tuple]]:
    tables = [*db.metadata.sorted_tables]
    with engine.connect() as connection:
        rows = {
            table.name: connection.execute(
                select(table).order_by(*(table.primary_key.columns or table.columns))
            ).all()
            for table in tables
        }
        rows["alembic_version"] = connection.execute(
            text("SELECT version_num FROM alembic_version")
        ).all()
    return rows


def files_of(instance: Path) -> dict[str, bytes]:
    folder = instance / "evaluation"
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def target_tables(application) -> list[str]:
    url = make_url(application.config["SQLALCHEMY_DATABASE_URI"])
    return engines.postgres_tables(url) if on_postgres() else engines.sqlite_tables(url)


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_a_backup_restores_every_row_and_extract_file_exactly(
    seeded, runner, target, tmp_path, instance_path, monkeypatch, encrypted
):
    if encrypted:
        monkeypatch.setenv("EIP_BACKUP_KEY", Fernet.generate_key().decode())
    source_rows = every_row(db.engine)  # before the backup's own audit event
    backup = tmp_path / "eip.backup"
    made = invoke(runner, "backup", "--out", str(backup))
    assert made.exit_code == 0, made.output
    assert ("NOT encrypted" in made.output) is not encrypted
    db.session.remove()
    audited = select(AuditEvent).where(AuditEvent.action == "backup.made")
    assert db.session.scalar(audited).actor_label == "cli"
    assert (backup.stat().st_mode & 0o777) == 0o600

    restored = restore(target, backup)
    assert restored.exit_code == 0, restored.output
    assert "every row count and checksum verified" in restored.output

    assert sum(len(rows) for rows in source_rows.values()) > 500
    for table in ("placements", "ledger_entries", "evaluation_extracts", "audit_events"):
        assert source_rows[table], f"the seed should fill {table}"
    with target.app_context():
        restored_rows = every_row(db.engine)
    for table, rows in source_rows.items():
        assert restored_rows[table] == rows, f"{table} differs after the restore"
    assert files_of(Path(target.config["INSTANCE_PATH"])) == files_of(Path(instance_path))


def test_the_manifest_records_version_migration_engine_counts_and_checksums(
    seeded, runner, tmp_path
):
    backup = tmp_path / "eip.backup"
    assert invoke(runner, "backup", "--out", str(backup)).exit_code == 0
    with tarfile.open(backup) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
        names = archive.getnames()
    assert manifest["app_version"] == "0.1.0"
    assert manifest["engine"] == ("postgresql" if on_postgres() else "sqlite")
    revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert manifest["migration_revision"] == revision
    assert manifest["created_at"].endswith("+00:00")
    cases = db.session.execute(text("SELECT count(*) FROM cases")).scalar_one()
    assert manifest["row_counts"]["cases"] == cases > 30
    assert set(manifest["members"]) == set(names) - {"manifest.json"}
    every_table = {table.name for table in db.metadata.sorted_tables} | {"alembic_version"}
    assert set(manifest["row_counts"]) == every_table
    assert any(name.startswith("files/evaluation/") for name in names)
    assert not any("secret" in name or "pseudonym" in name for name in names)


def test_restore_refuses_a_database_that_is_not_empty(seeded, runner, tmp_path):
    backup = tmp_path / "eip.backup"
    assert invoke(runner, "backup", "--out", str(backup)).exit_code == 0
    before = every_row(db.engine)
    refused = invoke(runner, "restore", str(backup))
    assert refused.exit_code != 0
    assert "The target database is not empty" in refused.output
    assert every_row(db.engine) == before


def _rewrite_manifest(backup: Path, change) -> Path:
    altered = backup.with_name("altered.backup")
    with tarfile.open(backup) as source, tarfile.open(altered, "w") as target:
        for info in source:
            data = source.extractfile(info).read()
            if info.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    return altered


def test_restore_refuses_a_backup_from_a_newer_migration(seeded, runner, target, tmp_path):
    backup = tmp_path / "eip.backup"
    assert invoke(runner, "backup", "--out", str(backup)).exit_code == 0
    newer = _rewrite_manifest(backup, lambda m: m.update(migration_revision="f00dfeedbeef"))
    refused = restore(target, newer)
    assert refused.exit_code != 0
    assert "at migration f00dfeedbeef, which this code does not have" in refused.output
    assert target_tables(target) == []


def test_restore_refuses_an_altered_plain_backup(seeded, runner, target, tmp_path):
    backup = tmp_path / "eip.backup"
    assert invoke(runner, "backup", "--out", str(backup)).exit_code == 0
    fewer = _rewrite_manifest(backup, lambda m: m["row_counts"].update(cases=1))
    with tarfile.open(backup) as archive:
        dump = next(info for info in archive if info.name.startswith("database."))
    data = bytearray(backup.read_bytes())
    data[dump.offset_data + dump.size // 2] ^= 0xFF
    flipped = tmp_path / "flipped.backup"
    flipped.write_bytes(bytes(data))
    refused = restore(target, flipped)
    assert refused.exit_code != 0
    assert "fails its SHA-256 check: the backup was altered" in refused.output
    assert target_tables(target) == []
    header = bytearray(backup.read_bytes())
    header[dump.offset + 10] ^= 0xFF  # the dump's tar header: its name
    broken = tmp_path / "broken.backup"
    broken.write_bytes(bytes(header))
    assert "Error: " in restore(target, broken).output
    assert target_tables(target) == []
    # A manifest edited to match other data loads, then fails the check after loading.
    mismatch = restore(target, fewer)
    assert mismatch.exit_code != 0
    assert "cases: " in mismatch.output and "Do not use this database" in mismatch.output


def test_restore_of_an_encrypted_backup_needs_its_key_and_an_unaltered_file(
    seeded, runner, target, tmp_path, monkeypatch
):
    monkeypatch.setenv("EIP_BACKUP_KEY", Fernet.generate_key().decode())
    backup = tmp_path / "eip.backup"
    assert invoke(runner, "backup", "--out", str(backup)).exit_code == 0
    plain = tmp_path / "plain.backup"
    monkeypatch.delenv("EIP_BACKUP_KEY")
    assert invoke(runner, "backup", "--out", str(plain)).exit_code == 0
    if not on_postgres():  # pg_dump's custom format is compressed: no name shows as it is
        assert b"Daniel Mercer" in plain.read_bytes()
    assert b"Daniel Mercer" not in backup.read_bytes()

    without = restore(target, backup)
    assert "This backup is encrypted: set EIP_BACKUP_KEY" in without.output

    monkeypatch.setenv("EIP_BACKUP_KEY", Fernet.generate_key().decode())
    wrong = restore(target, backup)
    assert "EIP_BACKUP_KEY does not open this backup" in wrong.output
    assert target_tables(target) == []


@pytest.mark.parametrize("damage", ["flip", "truncate", "append"])
def test_an_encrypted_backup_altered_anywhere_is_refused(
    seeded, runner, target, tmp_path, monkeypatch, damage
):
    monkeypatch.setenv("EIP_BACKUP_KEY", Fernet.generate_key().decode())
    backup = tmp_path / "eip.backup"
    assert invoke(runner, "backup", "--out", str(backup)).exit_code == 0
    data = bytearray(backup.read_bytes())
    if damage == "flip":
        data[-100] ^= 0x01
    elif damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data += data[-200:]
    backup.write_bytes(bytes(data))
    refused = restore(target, backup)
    assert refused.exit_code != 0
    assert "altered or cut short: nothing was restored" in refused.output
    assert target_tables(target) == []


def test_backup_refuses_a_malformed_key_and_writes_nothing(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("EIP_BACKUP_KEY", "too short")
    backup = tmp_path / "eip.backup"
    refused = invoke(runner, "backup", "--out", str(backup))
    assert refused.exit_code != 0
    assert "EIP_BACKUP_KEY must be 32 url-safe base64-encoded bytes" in refused.output
    assert list(tmp_path.iterdir()) == []


def test_backup_in_production_needs_a_key_or_an_explicit_unencrypted(make_app, tmp_path):
    production = make_app(EIP_ENV="production")
    backup = tmp_path / "eip.backup"
    with production.app_context():
        refused = production.test_cli_runner().invoke(args=["eip", "backup", "--out", str(backup)])
        assert "in production a backup is encrypted" in refused.output
        assert not backup.exists()
        allowed = production.test_cli_runner().invoke(
            args=["eip", "backup", "--out", str(backup), "--unencrypted"]
        )
        assert allowed.exit_code == 0, allowed.output


@pytest.mark.postgres_only
def test_backup_refuses_a_pg_dump_older_than_the_server_or_missing(runner, tmp_path, monkeypatch):
    old = tmp_path / "bin"
    old.mkdir()
    fake = old / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o700)
    monkeypatch.setenv("EIP_PG_BIN", str(old))
    backup = tmp_path / "eip.backup"
    refused = invoke(runner, "backup", "--out", str(backup))
    assert "pg_dump is version 9 but the server is PostgreSQL" in refused.output
    monkeypatch.setenv("EIP_PG_BIN", str(tmp_path / "nowhere"))
    missing = invoke(runner, "backup", "--out", str(backup))
    assert "pg_dump was not found" in missing.output
    assert not backup.exists()


@pytest.mark.postgres_only
def test_the_tests_use_client_tools_as_new_as_the_server(app_context):
    url = db.engine.url
    assert engines.tool_major(engines.tool("pg_dump")) >= engines.server_major(url)
    assert engines.tool_major(engines.tool("pg_restore")) >= engines.server_major(url)


def test_a_backup_taken_while_another_connection_writes_restores_consistently(
    seeded, runner, target, tmp_path, database_url
):
    """The service keeps running during the nightly backup: the copy is one consistent moment,
    and the manifest's counts are that moment's, so the restore's check passes."""
    writer_engine = create_engine(database_url, connect_args=engines_connect_args(database_url))
    stop, written = threading.Event(), []

    def write() -> None:
        while not stop.is_set():
            with writer_engine.begin() as connection:
                connection.execute(
                    insert(AppState.__table__),
                    {"key": f"during-{len(written)}", "value": "x", "updated_at": utcnow()},
                )
            written.append(1)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        while len(written) < 5:
            time.sleep(0.01)
        backup = tmp_path / "eip.backup"
        made = invoke(runner, "backup", "--out", str(backup))
        after_backup = len(written)
        while len(written) < after_backup + 5:  # and writes go on after it
            time.sleep(0.01)
    finally:
        stop.set()
        thread.join()
        writer_engine.dispose()
    assert made.exit_code == 0, made.output
    restored = restore(target, backup)
    assert restored.exit_code == 0, restored.output
    with target.app_context():
        kept = db.session.scalar(select(func.count()).select_from(AppState))
    db.session.remove()
    assert 0 < kept < db.session.scalar(select(func.count()).select_from(AppState))


def engines_connect_args(url: str) -> dict:
    return {"timeout": 30} if url.startswith("sqlite") else {}


@pytest.mark.sqlite_only
def test_a_backup_from_an_older_migration_restores_and_init_db_brings_it_up(tmp_path):
    """The backup taken before an upgrade, restored by the new release."""
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    from eip.config import PROJECT_ROOT

    script = ScriptDirectory(str(PROJECT_ROOT / "migrations"))
    head = script.get_current_head()
    older = script.get_revision(head).down_revision
    old = build_app(f"sqlite:///{tmp_path / 'old.sqlite3'}", tmp_path / "old-instance")
    new = build_app(f"sqlite:///{tmp_path / 'new.sqlite3'}", tmp_path / "new-instance")
    try:
        with old.app_context():
            upgrade(revision=older)
            made = old.test_cli_runner().invoke(
                args=["eip", "backup", "--out", str(tmp_path / "old.backup")]
            )
            assert made.exit_code == 0, made.output
        restored = restore(new, tmp_path / "old.backup")
        assert restored.exit_code == 0, restored.output
        assert f"migration {older}" in restored.output
        with new.app_context():
            assert new.test_cli_runner().invoke(args=["eip", "init-db"]).exit_code == 0
            version = db.session.execute(text("SELECT version_num FROM alembic_version"))
            assert version.scalar_one() == head
    finally:
        dispose_engines(old)
        dispose_engines(new)


def test_restore_refuses_a_backup_from_the_other_engine(seeded, runner, target, tmp_path):
    backup = tmp_path / "eip.backup"
    assert invoke(runner, "backup", "--out", str(backup)).exit_code == 0
    other = "sqlite" if on_postgres() else "postgresql"
    moved = _rewrite_manifest(backup, lambda m: m.update(engine=other))
    refused = restore(target, moved)
    assert f"This is a {other} backup" in refused.output
    assert target_tables(target) == []


def test_restore_refuses_a_manifest_without_its_counts(seeded, runner, target, tmp_path):
    backup = tmp_path / "eip.backup"
    assert invoke(runner, "backup", "--out", str(backup)).exit_code == 0
    bare = _rewrite_manifest(backup, lambda m: m.pop("row_counts"))
    refused = restore(target, bare)
    assert "The backup's manifest or database dump is missing" in refused.output
    assert target_tables(target) == []
