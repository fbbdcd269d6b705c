"""Dumping and loading the database itself, one way per engine.

SQLite: the online backup API (`sqlite3.Connection.backup`), which copies a consistent
snapshot page by page while the web server and the scheduler keep writing.
PostgreSQL: `pg_dump --format=custom` and `pg_restore`, run from PATH (or `EIP_PG_BIN`). The
row counts are read in the same snapshot that pg_dump dumps (`pg_export_snapshot`), so the
counts in the manifest are those of the dump, not of a moment later.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import psycopg
from sqlalchemy.engine import URL

from eip.files import make_private

PG_BIN_SETTING = "EIP_PG_BIN"


class EngineError(Exception):
    """The dump or load could not be done; the message says why, for the operator."""


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# -- SQLite ---------------------------------------------------------------------------------


_SQLITE_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"


def sqlite_dump(url: URL, target: Path) -> dict[str, int]:
    """Copy the database; returns the copy's row count per table (every table it holds, not
    the code's: a database before an upgrade lacks the newest)."""
    make_private(target)
    with closing(sqlite3.connect(url.database)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
        tables = [name for (name,) in copy.execute(_SQLITE_TABLES).fetchall()]
        return {
            name: copy.execute(f"SELECT count(*) FROM {quoted(name)}").fetchone()[0]  # noqa: S608
            for name in tables
        }


def sqlite_tables(url: URL) -> list[str]:
    path = Path(url.database or "")
    if not path.exists():
        return []
    with closing(sqlite3.connect(path)) as connection:
        return [name for (name,) in connection.execute(_SQLITE_TABLES).fetchall()]


def sqlite_load(dump: Path, url: URL) -> None:
    """Copy the dump into the (empty) target file, through SQLite so its WAL stays right."""
    Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    make_private(Path(url.database))
    with closing(sqlite3.connect(dump)) as source, closing(sqlite3.connect(url.database)) as target:
        source.backup(target)


# -- PostgreSQL -----------------------------------------------------------------------------


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for the client tools; the password goes in the environment, never
    on the command line (where `ps` shows it)."""
    args = ["--dbname", url.database or ""]
    for flag, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value:
            args += [flag, str(value)]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _psycopg_url(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def tool(name: str) -> Path:
    folder = os.environ.get(PG_BIN_SETTING)
    found = str(Path(folder) / name) if folder else shutil.which(name)
    if not found or not Path(found).exists():
        raise EngineError(
            f"{name} was not found on PATH: install the PostgreSQL client tools "
            f"(Debian: apt-get install postgresql-client) or set {PG_BIN_SETTING} to their folder"
        )
    return Path(found)


def tool_major(path: Path) -> int:
    output = subprocess.run(  # noqa: S603 (our own tool path, no shell)
        [str(path), "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", output)
    if not match:
        raise EngineError(f"Could not read the version of {path}: {output.strip()!r}")
    return int(match.group(1))


def server_major(url: URL) -> int:
    with psycopg.connect(_psycopg_url(url)) as connection:
        return connection.info.server_version // 10000


def postgres_dump(url: URL, target: Path) -> tuple[dict[str, int], int]:
    """Dump with pg_dump; returns the row counts of the dumped snapshot and pg_dump's major
    version (pg_restore must be at least as new)."""
    pg_dump = tool("pg_dump")
    dumper, server = tool_major(pg_dump), server_major(url)
    if dumper < server:
        raise EngineError(
            f"pg_dump is version {dumper} but the server is PostgreSQL {server}: pg_dump refuses "
            f"a newer server. Install the version {server} client tools or set {PG_BIN_SETTING}"
        )
    args, env = _libpq(url)
    with psycopg.connect(_psycopg_url(url)) as connection:
        connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        counts = {
            name: connection.execute(f"SELECT count(*) FROM {quoted(name)}").fetchone()[0]  # noqa: S608
            for name in tables
        }
        make_private(target)
        done = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            [
                str(pg_dump),
                "--format=custom",
                f"--snapshot={snapshot}",
                "--file",
                str(target),
                *args,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        connection.rollback()
    if done.returncode != 0:
        raise EngineError(f"pg_dump failed: {done.stderr.strip()}")
    return counts, dumper


def postgres_tables(url: URL) -> list[str]:
    with psycopg.connect(_psycopg_url(url)) as connection:
        rows = connection.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
    return [name for (name,) in rows]


# The dump may create the schema `public` (when the source's was re-created); the empty target
# already has it, and an "already exists" error would stop the restore.
_PUBLIC_SCHEMA = re.compile(r"^\d+; \d+ \d+ (SCHEMA|COMMENT) - (SCHEMA )?public ")


def postgres_load(dump: Path, url: URL, dumped_by: int) -> None:
    pg_restore = tool("pg_restore")
    restorer = tool_major(pg_restore)
    if restorer < dumped_by:
        raise EngineError(
            f"pg_restore is version {restorer} but the backup was made by pg_dump {dumped_by}: "
            f"install the version {dumped_by} client tools or set {PG_BIN_SETTING}"
        )
    listing = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        [str(pg_restore), "--list", str(dump)], capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        raise EngineError(f"pg_restore cannot read the dump: {listing.stderr.strip()}")
    wanted = dump.with_suffix(".list")
    wanted.write_text(
        "".join(
            line
            for line in listing.stdout.splitlines(keepends=True)
            if not _PUBLIC_SCHEMA.match(line)
        )
    )
    args, env = _libpq(url)
    done = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        [
            str(pg_restore),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--use-list",
            str(wanted),
            *args,
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise EngineError(f"pg_restore failed (nothing was restored): {done.stderr.strip()}")
