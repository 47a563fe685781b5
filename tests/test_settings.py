"""Configuration: demo by default, refusal to start without safe secrets otherwise."""

from __future__ import annotations

import pytest

from data_access.settings import DEMO_USERS_FILE, ConfigurationError, load_settings

PG = "postgresql+psycopg://app@db/dashboard"


def test_no_configuration_means_demo_on_sqlite():
    settings = load_settings({}, {})
    assert settings.demo_mode
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith(
        "data/dashboard.sqlite3")
    assert settings.users_file == DEMO_USERS_FILE
    assert settings.cookie_key_generated and len(settings.cookie_key) >= 32
    # the generated key is random, never a committed default
    assert load_settings({}, {}).cookie_key != settings.cookie_key


def test_configured_database_without_secrets_refuses_to_start():
    with pytest.raises(ConfigurationError) as excinfo:
        load_settings({}, {"DASHBOARD_DATABASE_URL": PG})
    message = str(excinfo.value)
    assert "no cookie key" in message and "no users file" in message


def test_short_cookie_key_and_demo_users_file_are_refused(tmp_path):
    env = {"DASHBOARD_DATABASE_URL": PG, "DASHBOARD_COOKIE_KEY": "short",
           "DASHBOARD_USERS_FILE": str(DEMO_USERS_FILE)}
    with pytest.raises(ConfigurationError) as excinfo:
        load_settings({}, env)
    assert "at least 32" in str(excinfo.value)
    assert "demo users file" in str(excinfo.value)


def test_production_settings_from_secrets_with_environment_taking_precedence(tmp_path):
    users = tmp_path / "users.yaml"
    users.write_text("credentials: {}\n")
    secrets = {"database_url": PG, "cookie_key": "k" * 40, "users_file": str(users),
               "lockout_attempts": 7}
    settings = load_settings(secrets, {"DASHBOARD_LOCKOUT_ATTEMPTS": "4"})
    assert not settings.demo_mode
    assert settings.database_url == PG
    assert settings.lockout_attempts == 4
    assert not settings.cookie_key_generated


def test_malformed_numbers_are_reported():
    with pytest.raises(ConfigurationError, match="whole number"):
        load_settings({}, {"DASHBOARD_LOCKOUT_MINUTES": "soon"})


def test_demo_can_be_asked_for_on_postgresql():
    settings = load_settings({}, {"DASHBOARD_DATABASE_URL": PG, "DASHBOARD_DEMO": "true"})
    assert settings.demo_mode and settings.database_url == PG
