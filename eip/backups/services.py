"""Backing up and restoring the whole service: the database and the instance's extract files.

A backup is one tar file holding `manifest.json`, the database dump (`database.sqlite3` or
`database.pgdump`) and `files/evaluation/...`, the evaluation extracts kept in the instance
folder. The manifest records the app's version, the database's migration revision, the engine,
when it was made (UTC), each table's row count and each member's SHA-256. With
`EIP_BACKUP_KEY` set the tar is encrypted (eip/backups/sealing.py).

A restore goes only into an empty database, refuses a backup from a migration this code does
not know (a newer release), checks every member's checksum before loading anything, and
afterwards checks every table's row count and every restored file against the manifest.
`EIP_BACKUP_KEY` (and `EIP_PG_BIN`) are read from the environment of the command, not from the
app's settings: the web server and the scheduler never need, and so never hold, the backup key.
The secrets in the instance folder (`secret_key`, `pseudonym_key`) are never in a backup:
keys are kept apart from the data they protect (docs/operations.md).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from eip.backups import engines, sealing
from eip.files import open_private, private_folder

FORMAT = 1
MANIFEST = "manifest.json"
FILES_PREFIX = "files/evaluation/"
EXTRACT_FOLDER = "evaluation"  # evaluation.services.FOLDER, under the instance folder
_DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
_SAFE_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
_BLOCK = 1024 * 1024
_MANIFEST_KEYS = ("app_version", "migration_revision", "engine", "created_at", "row_counts")


class BackupRefused(Exception):
    """Nothing was written (backup) or nothing was restored (restore, before loading); the
    message says why, for the operator."""


@dataclass(frozen=True)
class Made:
    path: Path
    manifest: dict
    encrypted: bool


@dataclass(frozen=True)
class Restored:
    manifest: dict
    files: int


def app_version() -> str:
    try:
        return metadata.version("eip-tracker")
    except metadata.PackageNotFoundError:  # pragma: no cover - always installed with pip -e
        return "unknown"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def database_revision(engine: Engine) -> str:
    with engine.connect() as connection:
        try:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        except SQLAlchemyError:  # no alembic_version table: not a migrated database
            rows = []
    if len(rows) != 1:
        raise BackupRefused(
            "This database has no single migration revision (run `flask --app wsgi eip init-db` "
            "first): nothing was written"
        )
    return rows[0][0]


def _key(env: dict[str, str]) -> bytes | None:
    raw = env.get(sealing.KEY_SETTING, "")
    if not raw:
        return None
    try:
        return sealing.parse_key(raw)
    except sealing.SealError as bad:
        raise BackupRefused(str(bad)) from None


def make_backup(
    engine: Engine,
    instance_path: str | Path,
    out: Path,
    env: dict[str, str],
    *,
    require_key: bool = False,
) -> Made:
    """Write the backup to `out` (written beside it, then renamed: never half a file)."""
    key = _key(env)
    if key is None and require_key:
        raise BackupRefused(
            f"{sealing.KEY_SETTING} is not set: in production a backup is encrypted (give "
            "--unencrypted only when the storage it goes to encrypts it): nothing was written"
        )
    if not out.parent.is_dir():
        raise BackupRefused(f"The folder {out.parent} does not exist: nothing was written")
    revision = database_revision(engine)
    url, name = engine.url, engine.dialect.name
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".eip-backup-") as work:
        work_path = Path(work)
        dump = work_path / _DUMP_NAMES[name]
        extra: dict = {}
        try:
            if name == "sqlite":
                counts = engines.sqlite_dump(url, dump)
            else:
                counts, extra["pg_dump_major"] = engines.postgres_dump(url, dump)
        except engines.EngineError as failed:
            raise BackupRefused(f"{failed}: nothing was written") from None
        members = {dump.name: dump}
        extracts = Path(instance_path) / EXTRACT_FOLDER
        if extracts.is_dir():
            for path in sorted(extracts.iterdir()):
                if path.is_file() and _SAFE_FILE.match(path.name):
                    members[FILES_PREFIX + path.name] = path
        manifest = {
            "format": FORMAT,
            "app": "eip-tracker",
            "app_version": app_version(),
            "migration_revision": revision,
            "engine": name,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "row_counts": counts,
            "members": {
                member: {"sha256": sha256_of(path), "bytes": path.stat().st_size}
                for member, path in members.items()
            },
            **extra,
        }
        bundle = work_path / "bundle.tar"
        with open_private(bundle) as raw, tarfile.open(fileobj=raw, mode="w") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
            for member, path in members.items():
                archive.add(path, arcname=member, recursive=False, filter=_plain)
        final = work_path / "final"
        if key is not None:
            sealing.seal(bundle, final, key)
        else:
            final = bundle
        final.replace(out)
    return Made(out, manifest, key is not None)


def _plain(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """No owner names or modes of the host in the archive."""
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def _open(path: Path, work: Path, env: dict[str, str]) -> Path:
    """The plain tar: decrypted into `work` when sealed (refused without the right key)."""
    if not path.is_file():
        raise BackupRefused(f"No backup file at {path}")
    if not sealing.is_sealed(path):
        return path
    key = _key(env)
    if key is None:
        raise BackupRefused(
            f"This backup is encrypted: set {sealing.KEY_SETTING} to the key it was made with"
        )
    plain = work / "bundle.tar"
    try:
        sealing.unseal(path, plain, key)
    except sealing.SealError as bad:
        raise BackupRefused(str(bad)) from None
    return plain


def _unpack(bundle: Path, work: Path) -> tuple[dict, dict[str, Path]]:
    """Every member into `work`, each checked against the manifest before anything is used."""
    if not tarfile.is_tarfile(bundle):
        raise BackupRefused("This is not an EIP Tracker backup (not a tar file)")
    found: dict[str, Path] = {}
    manifest = None
    try:
        with tarfile.open(bundle, mode="r:") as archive:
            for info in archive:
                name = info.name
                allowed = name == MANIFEST or name in _DUMP_NAMES.values()
                allowed |= name.startswith(FILES_PREFIX) and bool(
                    _SAFE_FILE.match(name[len(FILES_PREFIX) :])
                )
                if not info.isfile() or not allowed or name in found:
                    raise BackupRefused(f"The backup holds an unexpected member {name!r}: refused")
                source = archive.extractfile(info)
                if name == MANIFEST:
                    try:
                        manifest = json.loads(source.read())
                    except ValueError:
                        raise BackupRefused("The backup's manifest is not valid JSON") from None
                    continue
                target = work / name.replace("/", "__")
                with open_private(target) as sink:
                    while block := source.read(_BLOCK):
                        sink.write(block)
                found[name] = target
    except tarfile.TarError:
        raise BackupRefused("The backup file is damaged (its tar structure): refused") from None
    if not isinstance(manifest, dict) or manifest.get("app") != "eip-tracker":
        raise BackupRefused("This is not an EIP Tracker backup (no manifest)")
    if manifest.get("format") != FORMAT:
        raise BackupRefused(f"Backup format {manifest.get('format')} is not one this code reads")
    missing = [key for key in _MANIFEST_KEYS if key not in manifest]
    if missing or not any(dump in found for dump in _DUMP_NAMES.values()):
        raise BackupRefused("The backup's manifest or database dump is missing: refused")
    listed = manifest.get("members", {})
    if set(listed) != set(found):
        raise BackupRefused("The backup's members differ from its manifest: altered, refused")
    for name, path in found.items():
        if sha256_of(path) != listed[name]["sha256"]:
            raise BackupRefused(f"{name} fails its SHA-256 check: the backup was altered")
    return manifest, found


def known_revisions(migrations_folder: str | Path) -> set[str]:
    script = ScriptDirectory(str(migrations_folder))
    return {revision.revision for revision in script.walk_revisions()}


def read_backup(path: Path, work: Path, env: dict[str, str]) -> tuple[dict, dict[str, Path]]:
    return _unpack(_open(path, work, env), work)


def restore_backup(
    engine: Engine,
    instance_path: str | Path,
    migrations_folder: str | Path,
    path: Path,
    env: dict[str, str],
) -> Restored:
    url, name = engine.url, engine.dialect.name
    with tempfile.TemporaryDirectory(prefix=".eip-restore-") as work:
        manifest, found = read_backup(path, Path(work), env)
        if manifest["engine"] != name:
            raise BackupRefused(
                f"This is a {manifest['engine']} backup; the database here is {name}: refused"
            )
        revision = manifest["migration_revision"]
        if revision not in known_revisions(migrations_folder):
            raise BackupRefused(
                f"The backup is at migration {revision}, which this code does not have (it was "
                f"made by a newer release, {manifest['app_version']}): restore it with that "
                "release. Nothing was restored"
            )
        present = engines.sqlite_tables(url) if name == "sqlite" else engines.postgres_tables(url)
        if present:
            raise BackupRefused(
                f"The target database is not empty ({len(present)} tables): restore only into "
                "a new, empty database. Nothing was restored"
            )
        folder = Path(instance_path) / EXTRACT_FOLDER
        files = {n: p for n, p in found.items() if n.startswith(FILES_PREFIX)}
        for member, source in files.items():
            existing = folder / member[len(FILES_PREFIX) :]
            if existing.exists() and sha256_of(existing) != sha256_of(source):
                raise BackupRefused(
                    f"{existing} exists with other content: move it away. Nothing was restored"
                )
        dump = found.get(_DUMP_NAMES[name])
        if dump is None:
            raise BackupRefused(f"The backup holds no {name} database dump: refused")
        engine.dispose()
        try:
            if name == "sqlite":
                engines.sqlite_load(dump, url)
            else:
                engines.postgres_load(dump, url, int(manifest.get("pg_dump_major", 0)))
        except engines.EngineError as failed:
            raise BackupRefused(str(failed)) from None
        private_folder(folder)
        for member, source in files.items():
            target = folder / member[len(FILES_PREFIX) :]
            with source.open("rb") as reader, open_private(target) as sink:
                while block := reader.read(_BLOCK):
                    sink.write(block)
        verify(engine, instance_path, manifest)
    return Restored(manifest, len(files))


def verify(engine: Engine, instance_path: str | Path, manifest: dict) -> None:
    """After a restore: each table's rows and each extract file as the manifest says."""
    wrong = []
    with engine.connect() as connection:
        for table, expected in manifest["row_counts"].items():
            counted = connection.execute(
                text(f"SELECT count(*) FROM {engines.quoted(table)}")  # noqa: S608
            ).scalar_one()
            if counted != expected:
                wrong.append(f"{table}: {counted} rows, the backup had {expected}")
    folder = Path(instance_path) / EXTRACT_FOLDER
    for member, listed in manifest["members"].items():
        if member.startswith(FILES_PREFIX):
            restored = folder / member[len(FILES_PREFIX) :]
            if not restored.is_file() or sha256_of(restored) != listed["sha256"]:
                wrong.append(f"{restored} does not match the backup")
    if wrong:
        raise RestoreMismatch("The restore does not match the backup: " + "; ".join(wrong))


class RestoreMismatch(Exception):
    """Loaded, but the result differs from the manifest: do not use this database."""
