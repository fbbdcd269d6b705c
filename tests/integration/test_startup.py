"""Starting the app from the command line, as an operator would."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _env(env_overrides, tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("EIP_", "SMTP_", "DATABASE_URL", "SECRET_KEY"))
    }
    env.update({"EIP_INSTANCE_PATH": str(tmp_path), **env_overrides})
    return env


def run_flask(*args, env_overrides, tmp_path):
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=_env(env_overrides, tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_production_start_without_secrets_is_refused_naming_them(tmp_path):
    result = run_flask("eip", "init-db", env_overrides={"EIP_ENV": "production"}, tmp_path=tmp_path)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "EIP Tracker refused to start" in output
    for name in ("SECRET_KEY", "DATABASE_URL", "EIP_PSEUDONYM_KEY"):
        assert name in output
    assert "Traceback" not in output


def test_a_malformed_database_url_is_refused_naming_the_setting(tmp_path):
    result = run_flask(
        "eip", "init-db", env_overrides={"DATABASE_URL": "nonsense://"}, tmp_path=tmp_path
    )
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stdout + result.stderr


def test_init_db_creates_and_migrates_a_fresh_sqlite_file(tmp_path):
    result = run_flask("eip", "init-db", env_overrides={}, tmp_path=tmp_path / "new")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "new" / "eip.sqlite3").exists()


def test_the_served_app_keeps_its_start_up_objects_out_of_the_garbage_collectors_walks(tmp_path):
    """gunicorn and `flask --app wsgi` load wsgi.py: what it made at start is frozen, so a
    full collection walks only what requests made since (docs/testing.md)."""
    result = subprocess.run(
        [sys.executable, "-c", "import gc, wsgi; print(gc.get_freeze_count())"],
        cwd=ROOT,
        env=_env({}, tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # The app, its fonts and word lists: far more than Python itself starts with.
    assert int(result.stdout.strip().splitlines()[-1]) > 50_000
