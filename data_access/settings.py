"""Configuration: where every setting comes from and what is refused.

Settings are read from the process environment first, then from ``.streamlit/secrets.toml``
(passed in by the Streamlit shell as a plain mapping, so this module never imports Streamlit).

Demo mode is what a new user gets with no configuration at all: an embedded SQLite file under
``data/``, the bundled demo users and a demo dataset generated on first start. Outside demo mode
the app refuses to start unless a long random cookie key and a real users file are configured —
there is never a committed fallback secret, and a key copied from the example secrets file (or
any other placeholder or predictable string) is refused: see :func:`cookie_key_problem`.
"""

from __future__ import annotations

import os
import re
import secrets as _secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_SQLITE_PATH = DATA_DIR / "dashboard.sqlite3"
DEMO_USERS_FILE = PROJECT_ROOT / "config" / "demo_users.yaml"
EXAMPLE_SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml.example"
MIN_COOKIE_KEY_LENGTH = 32
#: fewer distinct characters than this in a cookie key means it was not drawn at random
MIN_COOKIE_KEY_DISTINCT = 10
#: words that mark a placeholder (or a key someone typed) rather than a random string; six or
#: more letters, so a random 64-character key contains one by chance with odds below 1 in 10^8
PLACEHOLDER_WORDS = ("replace", "change", "example", "placeholder", "secret", "password",
                     "cookie", "random", "dashboard", "default", "insert", "please")
MAKE_A_KEY = "python -c \"import secrets; print(secrets.token_urlsafe(48))\""

#: setting name -> environment variable. Secrets use the setting name itself.
ENV_NAMES: dict[str, str] = {
    "database_url": "DASHBOARD_DATABASE_URL",
    "demo": "DASHBOARD_DEMO",
    "demo_size": "DASHBOARD_DEMO_SIZE",
    "users_file": "DASHBOARD_USERS_FILE",
    "cookie_key": "DASHBOARD_COOKIE_KEY",
    "cookie_expiry_days": "DASHBOARD_COOKIE_EXPIRY_DAYS",
    "lockout_attempts": "DASHBOARD_LOCKOUT_ATTEMPTS",
    "lockout_window_minutes": "DASHBOARD_LOCKOUT_WINDOW_MINUTES",
    "lockout_minutes": "DASHBOARD_LOCKOUT_MINUTES",
    "session_idle_minutes": "DASHBOARD_SESSION_IDLE_MINUTES",
    "session_max_hours": "DASHBOARD_SESSION_MAX_HOURS",
    "backoff_after_failures": "DASHBOARD_BACKOFF_AFTER_FAILURES",
    "backoff_max_seconds": "DASHBOARD_BACKOFF_MAX_SECONDS",
    "client_ip_header": "DASHBOARD_CLIENT_IP_HEADER",
    "system_database_url": "DASHBOARD_SYSTEM_DATABASE_URL",
    "api_host": "DASHBOARD_API_HOST",
    "api_port": "DASHBOARD_API_PORT",
    "api_rate_limit_per_minute": "DASHBOARD_API_RATE_LIMIT_PER_MINUTE",
    "api_public_url": "DASHBOARD_API_PUBLIC_URL",
}
#: the HTTP API's defaults (``python -m api``, docs/api.md)
DEFAULT_API_HOST = "127.0.0.1"
DEFAULT_API_PORT = 8502
DEFAULT_API_RATE_LIMIT_PER_MINUTE = 60


class ConfigurationError(RuntimeError):
    """The configuration is unsafe or incomplete; the message says what to set."""


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Build with :func:`load_settings`."""

    database_url: str
    demo_mode: bool
    demo_size: str
    users_file: Path
    cookie_key: str
    cookie_key_generated: bool
    cookie_expiry_days: float
    lockout_attempts: int
    lockout_window_minutes: int
    lockout_minutes: int
    session_idle_minutes: int
    session_max_hours: float = 12.0
    backoff_after_failures: int = 10
    backoff_max_seconds: int = 60
    #: the request header that carries the client's address behind a proxy (e.g.
    #: X-Forwarded-For: its last entry, which the proxy appended); None: the connection's address
    client_ip_header: str | None = None
    #: the database role for system work (imports, accounts, benchmarks); None: database_url
    system_database_url: str | None = None
    #: the HTTP API (``python -m api``): where it listens, requests per minute per token, and
    #: the address brand users are told to call (None: not shown)
    api_host: str = DEFAULT_API_HOST
    api_port: int = DEFAULT_API_PORT
    api_rate_limit_per_minute: int = DEFAULT_API_RATE_LIMIT_PER_MINUTE
    api_public_url: str | None = None


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def _lookup(name: str, environ: Mapping[str, str], secrets: Mapping[str, Any]) -> Any:
    env_value = environ.get(ENV_NAMES[name])
    if env_value not in (None, ""):
        return env_value
    value = secrets.get(name)
    return None if value in (None, "") else value


def _positive_int(name: str, raw: Any, default: int) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"Setting '{name}' must be a whole number, got {raw!r}.") from exc
    if value <= 0:
        raise ConfigurationError(f"Setting '{name}' must be positive, got {value}.")
    return value


def _example_cookie_keys() -> set[str]:
    """The cookie key of the committed example secrets file (a value anyone can read)."""
    try:
        text = EXAMPLE_SECRETS_FILE.read_text(encoding="utf-8")
    except OSError:
        return set()
    return set(re.findall(r'^\s*#?\s*cookie_key\s*=\s*"([^"]*)"', text, re.MULTILINE))


def cookie_key_problem(key: str) -> str | None:
    """Why ``key`` cannot sign re-login cookies outside demo mode (None: it can).

    Refused: shorter than 32 characters; the example file's value; a key containing a
    placeholder word (``REPLACE``, ``CHANGE``, ``secret``, …); fewer than 10 distinct
    characters; one that zxcvbn guesses in fewer than 10^20 tries (repeats, sequences); or one
    whose words and keyboard runs make up 40 % or more of it (a phrase: an attacker holding
    one cookie can test keys offline, so the key must be random; random keys have at most
    ~22 % by chance). A key made by ``secrets.token_urlsafe(48)`` passes."""
    if len(key) < MIN_COOKIE_KEY_LENGTH:
        return (f"the cookie key is {len(key)} characters long; at least "
                f"{MIN_COOKIE_KEY_LENGTH} random characters are required")
    lowered = key.lower()
    if key in _example_cookie_keys() or any(word in lowered for word in PLACEHOLDER_WORDS):
        return "the cookie key is a placeholder (as in the example secrets file), not a secret"
    from zxcvbn import zxcvbn  # imported here: only production starts need it

    result = zxcvbn(key[:72], max_length=72)
    worded = sum(len(match["token"]) for match in result["sequence"]
                 if match["pattern"] in ("dictionary", "spatial"))
    if len(set(key)) < MIN_COOKIE_KEY_DISTINCT or result["guesses_log10"] < 20 \
            or worded >= 0.4 * len(key[:72]):
        return "the cookie key is predictable (repeated, sequential or made of words)"
    return None


def _positive_float(name: str, raw: Any, default: float) -> float:
    if raw is None:
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"Setting '{name}' must be a number, got {raw!r}.") from exc
    if not value > 0:
        raise ConfigurationError(f"Setting '{name}' must be positive, got {value}.")
    return value


SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"


def read_secrets_file(path: Path = SECRETS_FILE) -> dict[str, Any]:
    """``.streamlit/secrets.toml`` as a plain dict, for processes without Streamlit (the HTTP
    API): the same file the app reads; empty when there is none.

    Raises:
        ConfigurationError: the file exists but is not valid TOML.
    """
    import tomllib

    try:
        with Path(path).open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"Cannot read {path}: {exc}") from exc


def load_settings(
    secrets: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Resolve the settings from the environment and the secrets mapping.

    Raises:
        ConfigurationError: outside demo mode when the cookie key or users file is missing or
            unsafe, or when a numeric setting is malformed.
    """
    environ = os.environ if environ is None else environ
    secrets = {} if secrets is None else secrets

    database_url = _lookup("database_url", environ, secrets)
    demo_raw = _lookup("demo", environ, secrets)
    # No database configured at all means "show me the demo"; a configured database is
    # production unless demo mode is asked for explicitly.
    demo_mode = _truthy(demo_raw) if demo_raw is not None else database_url is None
    if database_url is None:
        database_url = f"sqlite:///{DEFAULT_SQLITE_PATH}"

    demo_size = str(_lookup("demo_size", environ, secrets) or "demo")

    users_raw = _lookup("users_file", environ, secrets)
    cookie_key = _lookup("cookie_key", environ, secrets)
    generated = False
    if demo_mode:
        users_file = Path(users_raw) if users_raw else DEMO_USERS_FILE
        if cookie_key is None:
            # A per-process random key: demo sign-ins simply do not survive a restart.
            cookie_key = _secrets.token_urlsafe(48)
            generated = True
    else:
        problems = []
        if cookie_key is None:
            problems.append(
                f"no cookie key: set {ENV_NAMES['cookie_key']} or cookie_key in "
                ".streamlit/secrets.toml to a random string of at least "
                f"{MIN_COOKIE_KEY_LENGTH} characters ({MAKE_A_KEY})"
            )
        elif (problem := cookie_key_problem(str(cookie_key))) is not None:
            problems.append(f"{problem}. Make a key with {MAKE_A_KEY} and set it as "
                            f"{ENV_NAMES['cookie_key']} or cookie_key in .streamlit/secrets.toml")
        if not users_raw:
            problems.append(
                f"no users file: set {ENV_NAMES['users_file']} or users_file to a YAML file "
                "provisioning the accounts (see docs/users.md)"
            )
        elif Path(users_raw).resolve() == DEMO_USERS_FILE.resolve():
            problems.append("the bundled demo users file cannot be used outside demo mode")
        elif not Path(users_raw).is_file():
            problems.append(f"the users file {users_raw} does not exist")
        if problems:
            raise ConfigurationError(
                "The dashboard is not in demo mode and refuses to start: "
                + "; ".join(problems)
                + ". For a local trial, unset the database URL or set "
                f"{ENV_NAMES['demo']}=true."
            )
        users_file = Path(str(users_raw))

    return Settings(
        database_url=str(database_url),
        demo_mode=demo_mode,
        demo_size=demo_size,
        users_file=users_file,
        cookie_key=str(cookie_key),
        cookie_key_generated=generated,
        cookie_expiry_days=float(_lookup("cookie_expiry_days", environ, secrets) or 1.0),
        lockout_attempts=_positive_int(
            "lockout_attempts", _lookup("lockout_attempts", environ, secrets), 5
        ),
        lockout_window_minutes=_positive_int(
            "lockout_window_minutes", _lookup("lockout_window_minutes", environ, secrets), 15
        ),
        lockout_minutes=_positive_int(
            "lockout_minutes", _lookup("lockout_minutes", environ, secrets), 15
        ),
        session_idle_minutes=_positive_int(
            "session_idle_minutes", _lookup("session_idle_minutes", environ, secrets), 30
        ),
        session_max_hours=_positive_float(
            "session_max_hours", _lookup("session_max_hours", environ, secrets), 12.0),
        backoff_after_failures=_positive_int(
            "backoff_after_failures", _lookup("backoff_after_failures", environ, secrets), 10),
        backoff_max_seconds=_positive_int(
            "backoff_max_seconds", _lookup("backoff_max_seconds", environ, secrets), 60),
        client_ip_header=(str(_lookup("client_ip_header", environ, secrets) or "").strip()
                          or None),
        system_database_url=(str(_lookup("system_database_url", environ, secrets) or "")
                             or None),
        api_host=str(_lookup("api_host", environ, secrets) or DEFAULT_API_HOST).strip(),
        api_port=_positive_int("api_port", _lookup("api_port", environ, secrets),
                               DEFAULT_API_PORT),
        api_rate_limit_per_minute=_positive_int(
            "api_rate_limit_per_minute", _lookup("api_rate_limit_per_minute", environ, secrets),
            DEFAULT_API_RATE_LIMIT_PER_MINUTE),
        api_public_url=(str(_lookup("api_public_url", environ, secrets) or "").strip()
                        .rstrip("/") or None),
    )
