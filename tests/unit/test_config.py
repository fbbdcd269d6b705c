"""Settings: what a production start insists on, and what development may generate."""

import pytest

from eip.config import ConfigError, load_settings, normalise_database_url

GOOD_SECRET = "s" * 40
GOOD_PSEUDONYM = "p" * 40
PRODUCTION = {
    "EIP_ENV": "production",
    "SECRET_KEY": GOOD_SECRET,
    "EIP_PSEUDONYM_KEY": GOOD_PSEUDONYM,
    "DATABASE_URL": "postgresql://eip:pw@db.internal/eip",
    "SMTP_HOST": "smtp.internal",
}


def without(name):
    return {k: v for k, v in PRODUCTION.items() if k != name}


def test_production_start_with_every_setting_is_accepted(tmp_path):
    settings = load_settings(PRODUCTION, instance_path=tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert settings["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "DATABASE_URL", "EIP_PSEUDONYM_KEY", "SMTP_HOST"]
)
def test_production_start_without_a_required_setting_is_refused_naming_it(tmp_path, missing):
    with pytest.raises(ConfigError, match=missing):
        load_settings(without(missing), instance_path=tmp_path)


def test_production_refusal_names_every_missing_setting_at_once(tmp_path):
    env = {"EIP_ENV": "production"}
    with pytest.raises(ConfigError) as caught:
        load_settings(env, instance_path=tmp_path)
    assert "SECRET_KEY" in str(caught.value)
    assert "DATABASE_URL" in str(caught.value)


def test_production_refuses_a_short_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY must be at least 32"):
        load_settings({**PRODUCTION, "SECRET_KEY": "short"}, instance_path=tmp_path)


def test_production_refuses_the_pseudonym_key_equal_to_the_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="must differ"):
        load_settings({**PRODUCTION, "EIP_PSEUDONYM_KEY": GOOD_SECRET}, instance_path=tmp_path)


def test_production_never_generates_secrets_into_the_instance_folder(tmp_path):
    with pytest.raises(ConfigError):
        load_settings(without("SECRET_KEY"), instance_path=tmp_path)
    assert not (tmp_path / "secret_key").exists()


def test_development_generates_local_secrets_once_and_keeps_them(tmp_path):
    first = load_settings({}, instance_path=tmp_path)
    second = load_settings({}, instance_path=tmp_path)
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert first["EIP_PSEUDONYM_KEY"] != first["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_development_defaults_to_a_sqlite_file_in_the_instance_folder(tmp_path):
    settings = load_settings({}, instance_path=tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'eip.sqlite3'}"


@pytest.mark.parametrize(
    "raw",
    ["not a url", "mysql://x@y/z", "sqlite://", "sqlite:///:memory:", "postgresql+asyncpg://x@y/z"],
)
def test_a_malformed_or_unsupported_database_url_is_refused_naming_the_setting(raw):
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        normalise_database_url(raw)


@pytest.mark.parametrize(
    "raw",
    ["postgres://u:p@h:5432/d", "postgresql://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"],
)
def test_postgres_urls_are_pinned_to_psycopg_3(raw):
    assert normalise_database_url(raw) == "postgresql+psycopg://u:p@h:5432/d"


def test_an_unknown_environment_name_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="EIP_ENV"):
        load_settings({"EIP_ENV": "staging"}, instance_path=tmp_path)


@pytest.mark.parametrize("port", ["abc", "0", "70000"])
def test_a_bad_smtp_port_is_refused(tmp_path, port):
    with pytest.raises(ConfigError, match="SMTP_PORT"):
        load_settings({"SMTP_PORT": port}, instance_path=tmp_path)


def test_smtp_security_must_be_a_known_mode(tmp_path):
    with pytest.raises(ConfigError, match="SMTP_SECURITY"):
        load_settings({"SMTP_SECURITY": "tls-please"}, instance_path=tmp_path)
