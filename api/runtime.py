"""What the API process holds: its settings, the database engines and the rate limiter.

:func:`open_state` opens the database exactly as the app does (``data_access.startup``: the
same refusals outside demo mode — unsafe settings, database roles that escape row-level
security, a database holding the demo dataset); in demo mode it prepares the demo database
like the app's first start, so ``python -m api`` works on a fresh checkout too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import Engine

from data_access.db import prepare_database
from data_access.settings import Settings, load_settings, read_secrets_file
from data_access.startup import OpenDatabase, open_database

#: failed authentications one client may make per minute before it gets 429 (a guard against
#: floods of bad tokens, which cost a database look-up each; guessing a 256-bit secret is
#: hopeless anyway)
FAILED_AUTH_PER_MINUTE = 20


@dataclass
class ApiState:
    """Process-wide: created once at start, shared by every request (read-only after that)."""

    settings: Settings
    engine: Engine
    opened: OpenDatabase | None = None
    warnings: list[str] = field(default_factory=list)
    #: in-process moving-window counters (limits' MemoryStorage): one process counts alone
    limiter: MovingWindowRateLimiter = field(
        default_factory=lambda: MovingWindowRateLimiter(MemoryStorage()))

    @property
    def per_token(self) -> RateLimitItemPerMinute:
        return RateLimitItemPerMinute(self.settings.api_rate_limit_per_minute)

    @property
    def failed_auth(self) -> RateLimitItemPerMinute:
        return RateLimitItemPerMinute(FAILED_AUTH_PER_MINUTE)

    def close(self) -> None:
        if self.opened is not None:
            self.opened.dispose()


def load_api_settings() -> Settings:
    """The app's settings: the environment, then ``.streamlit/secrets.toml``."""
    return load_settings(read_secrets_file())


def open_state(settings: Settings | None = None) -> ApiState:
    """Open the database like the app (see the module docstring).

    Raises:
        ConfigurationError: unsafe or incomplete configuration (the message says what to set).
        DatabaseUnavailable: the database cannot be reached.
    """
    settings = settings or load_api_settings()
    if settings.demo_mode:
        from demo import prepare_demo_database  # demo mode only, as in ui/runtime.py

        def prepare(system: Engine) -> None:
            prepare_demo_database(system, size=settings.demo_size)
    else:
        prepare = prepare_database
    opened = open_database(settings, prepare)
    return ApiState(settings=settings, engine=opened.engine, opened=opened,
                    warnings=opened.warnings)
