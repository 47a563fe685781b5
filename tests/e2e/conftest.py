"""Real-browser fixtures: a Streamlit server on a free loopback port and Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, free_port

CHROMIUM = os.environ.get("DASHBOARD_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]


class StreamlitServer:
    """``streamlit run app.py`` in a subprocess, against its own copy of the demo database."""

    def __init__(self, database_url: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.log = Path(tempfile.gettempdir()) / f"streamlit-{self.port}.log"
        full_env = {**os.environ, "DASHBOARD_DATABASE_URL": database_url,
                    "DASHBOARD_DEMO": "true", **(env or {})}
        self._log_handle = self.log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "app.py"),
             "--server.headless", "true", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=PROJECT_ROOT, env=full_env, stdout=self._log_handle,
            stderr=subprocess.STDOUT,
        )
        self._wait_healthy()

    def _wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"streamlit did not become healthy:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log_handle.close()


@pytest.fixture(scope="session")
def app_server(sqlite_demo_path, tmp_path_factory) -> Iterator[StreamlitServer]:
    db = tmp_path_factory.mktemp("e2e") / "app.sqlite3"
    shutil.copy(sqlite_demo_path, db)
    server = StreamlitServer(f"sqlite:///{db}")
    yield server
    server.stop()


@pytest.fixture
def page(browser):
    from playwright.sync_api import expect

    # a cold server computes and caches each page once: allow for it on a 2-core machine
    expect.set_options(timeout=30_000)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def wait_until_settled(page, quiet_ms: int = 1_200, timeout_ms: int = 30_000) -> None:
    """Wait until no script run has been in progress for ``quiet_ms``.

    The sign-in page's first load takes a run or two (a new session, the page's URL); a
    person types slower than that, so tests wait before they type.
    """
    page.wait_for_function(
        """([quiet]) => {
            const app = document.querySelector('.stApp');
            if (!app) return false;
            const now = Date.now();
            if (app.getAttribute('data-test-script-state') !== 'notRunning') {
                window.__settledSince = null;
                return false;
            }
            window.__settledSince = window.__settledSince || now;
            return now - window.__settledSince >= quiet;
        }""",
        arg=[quiet_ms], polling=100, timeout=timeout_ms)
