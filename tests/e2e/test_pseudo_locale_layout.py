"""Every page in the pseudo-locale in a real browser (issue 19): with every text accented and
about 35 % longer, no page overflows the window and no heading is cut off, at desktop
(1440×900) and phone (390×844) width; at desktop no metric or widget label is cut either.

The server runs with ``DASHBOARD_PSEUDO_LOCALE=1`` (the pseudo-locale is offered only then),
on its own copy of the demo database whose demo accounts have the pseudo-locale as their
stored language: signing in brings it back, as it brings back any user's choice (the picker
itself is exercised by the language journey). The other browser tests keep English.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import time
from collections.abc import Iterator

import pytest

from tests.browserhelpers import sign_in
from tests.e2e.conftest import StreamlitServer, wait_until_settled
from tests.e2e.test_layout_and_accessibility import (
    USERS,
    WIDTHS,
    layout_problems,
    visit,
    width_context,
)
from tests.pagespecs import page_specs
from ui.i18n import PSEUDO_ENV, PSEUDO_LOCALE

pytestmark = pytest.mark.browser

#: a letter only the pseudo-locale writes (accented a–z): a heading in it went through the
#: translation layer
ACCENTED = re.compile("[áƀçðéƒĝĥîĵķļɱñöƥʠŕšţûṽŵẋýž]")


@pytest.fixture(scope="module")
def pseudo_server(browser, sqlite_demo_path, tmp_path_factory) -> Iterator[StreamlitServer]:
    db = tmp_path_factory.mktemp("pseudo") / "app.sqlite3"
    shutil.copy(sqlite_demo_path, db)
    server = StreamlitServer(f"sqlite:///{db}", env={PSEUDO_ENV: "1"})
    # the demo accounts are written by the app's first run: open the sign-in page once, then
    # store the pseudo-locale as every account's language
    page = browser.new_page()
    page.goto(server.url)
    page.get_by_label("Username").wait_for(timeout=60_000)
    page.close()
    deadline = time.monotonic() + 30
    with sqlite3.connect(db) as connection:
        while not connection.execute("SELECT count(*) FROM app_user").fetchone()[0]:
            assert time.monotonic() < deadline, "the demo accounts were never written"
            time.sleep(0.2)
        connection.execute("UPDATE app_user SET locale = ?", (PSEUDO_LOCALE,))
    yield server
    server.stop()


@pytest.mark.parametrize("role", sorted(USERS))
def test_every_page_takes_longer_texts_at_both_widths(browser, pseudo_server, role):
    specs = [s for s in page_specs() if s.admin_only == (role == "admin")]
    problems: dict[str, list[str]] = {}
    for width_name in WIDTHS:
        context, page = width_context(browser, width_name)
        sign_in(page, pseudo_server.url, *USERS[role])
        # the landing page, in the account's stored language
        page.locator("h1").filter(has_text=ACCENTED).first.wait_for()
        wait_until_settled(page)
        for spec in specs:
            visit(page, pseudo_server.url, spec.url_path)
            heading = page.locator("h1").first
            where = f"{spec.url_path} at {width_name}"
            if spec.stem != "factory":  # a factory profile's title is the factory's name
                assert ACCENTED.search(heading.inner_text()), (where, heading.inner_text())
            found = layout_problems(page, width_name)
            if found:
                problems[where] = found
        context.close()
    assert not problems, problems
