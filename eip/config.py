"""Settings come from environment variables only.

`load_settings` is a plain function over a mapping so that every rule here
(what production insists on, what development may generate) is testable
without starting the app.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from eip.auth.secretbox import valid_key

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "test", "production")
SMTP_SECURITY = ("starttls", "ssl", "none")


class ConfigError(RuntimeError):
    """The app must not start with these settings; the message names them."""


def engine_options(database_url: str) -> dict:
    """hide_parameters keeps row values (names, addresses) out of error messages and logs. On
    PostgreSQL a connection attempt gives up after 5 seconds: an unreachable database host
    then shows the app's 503 page at once instead of holding each worker until TCP gives up."""
    options: dict = {"pool_pre_ping": True, "hide_parameters": True}
    if database_url.startswith("postgresql"):
        options["connect_args"] = {"connect_timeout": 5}
    return options


def normalise_database_url(raw: str) -> str:
    """Accept the usual spellings of a database URL and pin the driver we ship.

    Hosting platforms hand out `postgres://`; SQLAlchemy wants a dialect+driver
    and we install psycopg 3 only.
    """
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise ConfigError(f"DATABASE_URL is not a valid database URL ({exc})") from None
    backend = url.get_backend_name()
    if backend == "postgres":
        url = url.set(drivername="postgresql+psycopg")
    elif backend == "postgresql":
        if url.get_driver_name() not in ("psycopg", "psycopg2", ""):
            raise ConfigError("DATABASE_URL must use the psycopg driver for PostgreSQL")
        url = url.set(drivername="postgresql+psycopg")
    elif backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ConfigError(
                "DATABASE_URL for SQLite must name a file: the web server and the "
                "scheduler share it"
            )
    else:
        raise ConfigError(
            f"DATABASE_URL backend {backend!r} is not supported (use sqlite or postgresql)"
        )
    return url.render_as_string(hide_password=False)


def _local_secret(instance_path: Path, name: str) -> str:
    """A secret generated once and kept in instance/, so that a local restart
    keeps sessions and pseudonyms stable. Development only."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {lo} and {hi}")
    return value


def load_settings(env: Mapping[str, str], instance_path: Path | None = None) -> dict[str, Any]:
    """Turn environment variables into Flask config keys, refusing unsafe ones."""
    instance_path = Path(env.get("EIP_INSTANCE_PATH") or instance_path or PROJECT_ROOT / "instance")
    eip_env = env.get("EIP_ENV", "development")
    if eip_env not in ENVIRONMENTS:
        raise ConfigError(f"EIP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {eip_env!r}")
    production = eip_env == "production"

    if production:
        missing = [
            name
            for name in ("SECRET_KEY", "DATABASE_URL", "EIP_PSEUDONYM_KEY")
            if not env.get(name)
        ]
        if missing:
            raise ConfigError(
                "production start refused; missing required settings: " + ", ".join(missing)
            )
        for name in ("SECRET_KEY", "EIP_PSEUDONYM_KEY"):
            if len(env[name]) < 32:
                raise ConfigError(f"{name} must be at least 32 characters in production")
        if env["SECRET_KEY"] == env["EIP_PSEUDONYM_KEY"]:
            raise ConfigError("EIP_PSEUDONYM_KEY must differ from SECRET_KEY")

    secret_key = env.get("SECRET_KEY") or _local_secret(instance_path, "secret_key")
    pseudonym_key = env.get("EIP_PSEUDONYM_KEY") or _local_secret(instance_path, "pseudonym_key")
    database_url = normalise_database_url(
        env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'eip.sqlite3'}"
    )

    totp_key = env.get("EIP_TOTP_ENCRYPTION_KEY", "")
    if totp_key and not valid_key(totp_key):
        raise ConfigError(
            "EIP_TOTP_ENCRYPTION_KEY must be a Fernet key (32 url-safe base64-encoded bytes)"
        )

    smtp_security = env.get("SMTP_SECURITY", "starttls")
    if smtp_security not in SMTP_SECURITY:
        raise ConfigError(f"SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}")
    smtp_host = env.get("SMTP_HOST", "")
    if production and not smtp_host:
        raise ConfigError("production start refused; missing required settings: SMTP_HOST")

    return {
        "EIP_ENV": eip_env,
        "SECRET_KEY": secret_key,
        "EIP_PSEUDONYM_KEY": pseudonym_key,
        # Encrypts TOTP keys at rest; empty: derived from SECRET_KEY (eip/auth/secretbox.py).
        "EIP_TOTP_ENCRYPTION_KEY": totp_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "EIP_SQLITE_BUSY_TIMEOUT_MS": _int(env, "EIP_SQLITE_BUSY_TIMEOUT_MS", 10_000, 100, 600_000),
        "INSTANCE_PATH": str(instance_path),
        "EIP_OUTBOX": str(instance_path / "outbox"),
        "EIP_BASE_URL": env.get("EIP_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "EIP_ACCESSIBILITY_CONTACT": env.get(
            "EIP_ACCESSIBILITY_CONTACT", "eip-accessibility@example.org"
        ),
        "EIP_SUPPORT_CONTACT": env.get("EIP_SUPPORT_CONTACT", "eip-support@example.org"),
        "SMTP_HOST": smtp_host,
        "SMTP_PORT": _int(env, "SMTP_PORT", 465 if smtp_security == "ssl" else 587, 1, 65535),
        "SMTP_USER": env.get("SMTP_USER", ""),
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD", ""),
        "SMTP_FROM": env.get("SMTP_FROM", "EIP Tracker <no-reply@eip-tracker.invalid>"),
        "SMTP_SECURITY": smtp_security,
        "SMTP_TIMEOUT": _int(env, "SMTP_TIMEOUT", 20, 1, 300),
        # How many proxies in front of gunicorn may set X-Forwarded-For/-Proto (the TLS
        # proxy of docs/operations.md is 1). 0 ignores the headers: a client could forge them.
        "EIP_TRUSTED_PROXIES": _int(env, "EIP_TRUSTED_PROXIES", 0, 0, 5),
        # Above this many cases, a change to every case's due dates is left to the scheduler.
        "EIP_DUE_REFRESH_IN_COMMIT": _int(env, "EIP_DUE_REFRESH_IN_COMMIT", 1000, 0, 10_000_000),
        "EIP_SESSION_IDLE_MINUTES": _int(env, "EIP_SESSION_IDLE_MINUTES", 30, 1, 24 * 60),
        "EIP_SESSION_ABSOLUTE_HOURS": _int(env, "EIP_SESSION_ABSOLUTE_HOURS", 10, 1, 24 * 7),
        # Two-factor sign-in is required of every account in production, optional elsewhere.
        "EIP_TWO_FACTOR_REQUIRED": production,
        "EIP_TOKEN_HOURS": {"invite": 72, "reset": 2, "enrol": 72},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_NAME": "__Host-eip_session" if production else "eip_session",
        # Tokens live as long as the session: a long referral form must not expire under a user.
        "WTF_CSRF_TIME_LIMIT": None,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        "TESTING": eip_env == "test",
    }
