"""Configuration: demo by default, refusal to start without safe secrets otherwise."""

from __future__ import annotations

import secrets

import pytest

from data_access.settings import (
    DEMO_USERS_FILE,
    EXAMPLE_SECRETS_FILE,
    ConfigurationError,
    load_settings,
)

PG = "postgresql+psycopg://app@db/dashboard"
RANDOM_KEY = secrets.token_urlsafe(48)


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
    assert "at least 32 random characters" in str(excinfo.value)
    assert "demo users file" in str(excinfo.value)


def test_production_settings_from_secrets_with_environment_taking_precedence(tmp_path):
    users = tmp_path / "users.yaml"
    users.write_text("credentials: {}\n")
    secrets = {"database_url": PG, "cookie_key": RANDOM_KEY, "users_file": str(users),
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


@pytest.mark.parametrize("key", [
    "REPLACE-WITH-A-LONG-RANDOM-STRING",          # the example secrets file's value (33 chars)
    "please-change-this-cookie-key-before-going-live",
    "k" * 40,                                     # long, but one character
    "abcdefghijklmnopqrstuvwxyz0123456789",       # a sequence
    "qwertyuiopasdfghjklzxcvbnm1234567890",       # a keyboard run
    "correct horse battery staple is my key",     # words (zxcvbn: < 10^20 guesses)
])
def test_placeholder_and_predictable_cookie_keys_are_refused(tmp_path, key):
    """Finding 3: only the length was checked, so the example file's placeholder (which
    anyone can read in the repository) signed admin cookies in production."""
    users = tmp_path / "users.yaml"
    users.write_text("credentials: {}\n")
    with pytest.raises(ConfigurationError) as excinfo:
        load_settings({}, {"DASHBOARD_DATABASE_URL": PG, "DASHBOARD_COOKIE_KEY": key,
                           "DASHBOARD_USERS_FILE": str(users)})
    message = str(excinfo.value)
    assert "cookie key" in message and "refuses to start" in message
    assert "secrets.token_urlsafe(48)" in message  # says how to make one


def test_the_example_secrets_file_placeholder_is_what_is_refused():
    assert 'cookie_key = "REPLACE-WITH-A-LONG-RANDOM-STRING"' in EXAMPLE_SECRETS_FILE.read_text()


@pytest.mark.parametrize("key", [secrets.token_urlsafe(48), secrets.token_hex(32),
                                 secrets.token_urlsafe(24)])
def test_random_cookie_keys_are_accepted(tmp_path, key):
    users = tmp_path / "users.yaml"
    users.write_text("credentials: {}\n")
    settings = load_settings({}, {"DASHBOARD_DATABASE_URL": PG, "DASHBOARD_COOKIE_KEY": key,
                                  "DASHBOARD_USERS_FILE": str(users)})
    assert settings.cookie_key == key


def test_session_and_throttle_settings(tmp_path):
    settings = load_settings({}, {"DASHBOARD_SESSION_MAX_HOURS": "8",
                                  "DASHBOARD_BACKOFF_AFTER_FAILURES": "20",
                                  "DASHBOARD_CLIENT_IP_HEADER": "X-Forwarded-For"})
    assert (settings.session_max_hours, settings.backoff_after_failures,
            settings.backoff_max_seconds) == (8.0, 20, 60)
    assert settings.client_ip_header == "X-Forwarded-For"
    with pytest.raises(ConfigurationError, match="must be positive"):
        load_settings({}, {"DASHBOARD_SESSION_MAX_HOURS": "0"})


def test_the_apis_settings_and_the_secrets_file(tmp_path):
    default = load_settings({}, {})
    assert (default.api_host, default.api_port, default.api_rate_limit_per_minute,
            default.api_public_url) == ("127.0.0.1", 8502, 60, None)
    chosen = load_settings({"api_port": 9000, "api_public_url": "https://x.example/api/"},
                           {"DASHBOARD_API_RATE_LIMIT_PER_MINUTE": "5"})
    assert (chosen.api_port, chosen.api_rate_limit_per_minute, chosen.api_public_url) == \
        (9000, 5, "https://x.example/api")
    for bad in ({"DASHBOARD_API_PORT": "http"}, {"DASHBOARD_API_RATE_LIMIT_PER_MINUTE": "0"}):
        with pytest.raises(ConfigurationError):
            load_settings({}, bad)
    # the API reads the same secrets file as the app, without Streamlit
    from data_access.settings import read_secrets_file

    secrets_file = tmp_path / "secrets.toml"
    assert read_secrets_file(secrets_file) == {}
    secrets_file.write_text('database_url = "sqlite:///x.db"\napi_port = 9100\n')
    assert read_secrets_file(secrets_file) == {"database_url": "sqlite:///x.db",
                                               "api_port": 9100}
    secrets_file.write_text("database_url = \n")
    with pytest.raises(ConfigurationError, match="Cannot read"):
        read_secrets_file(secrets_file)
