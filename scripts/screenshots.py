"""Screenshots of every page at desktop (1440×900) and phone (390×844) width.

    python -m scripts.screenshots                  # demo data, writes docs/screenshots/*.png
    python -m scripts.screenshots --out /tmp/shots --pages overview,risk

It generates the demo dataset into a temporary SQLite file, starts the app on a free port,
signs in as the demo brand manager (and the demo administrator for the administration pages)
in Debian's Chromium, and saves ``<page>-desktop.png`` and ``<page>-phone.png`` (the whole
page, up to 6,000 px; the profile and the comparison show demo factories).
``--readme`` also replaces docs/screenshot-overview.png (the README's picture). Not part of the
test suite: it takes a minute or two.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = {"desktop": (1440, 900), "phone": (390, 844)}
BRAND_USER = ("nordwind", "nordwind-demo-2026")
ADMIN_USER = ("admin", "admin-demo-2026")
DEMO_AS_OF = dt.date(2026, 11, 1)
MAX_HEIGHT = 6_000  # px: a longer page is cut there
#: pages shown with a choice made (factories of the demo brand)
EXAMPLE_QUERY = {"factory": "?id=70", "compare": "?ids=70,242,195"}


def _demo_database(folder: Path) -> str:
    from data_access.db import create_db_engine, upgrade_schema
    from demo import generate_demo_data

    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    engine = create_db_engine(url)
    upgrade_schema(engine)
    generate_demo_data(engine, size="demo", as_of=DEMO_AS_OF)
    engine.dispose()
    return url


def _settle(page) -> None:
    from tests.e2e.conftest import wait_until_settled

    wait_until_settled(page, quiet_ms=1_500, timeout_ms=60_000)
    page.wait_for_timeout(500)  # charts draw after the run ends


def shoot(base_url: str, out: Path, only: set[str] | None, readme: bool) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from tests.browserhelpers import sign_in
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.pagespecs import page_specs

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for user, specs in ((BRAND_USER, [s for s in page_specs() if not s.admin_only]),
                            (ADMIN_USER, [s for s in page_specs() if s.admin_only])):
            specs = [s for s in specs if only is None or s.url_path in only]
            if not specs:
                continue
            for name, (width, height) in WIDTHS.items():
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                page.set_default_timeout(60_000)
                sign_in(page, base_url, *user)
                page.locator("h1").first.wait_for()
                _settle(page)
                for spec in specs:
                    page.goto(f"{base_url}/{spec.url_path}"
                              f"{EXAMPLE_QUERY.get(spec.url_path, '')}")
                    page.locator("h1").first.wait_for()
                    _settle(page)
                    target = out / f"{spec.url_path}-{name}.png"
                    if readme and spec.url_path == "overview" and name == "desktop":
                        page.screenshot(path=str(ROOT / "docs" / "screenshot-overview.png"))
                    # Streamlit scrolls its main area, not the document: grow the window to
                    # the page's height for a picture of the whole page, then shrink it back
                    tall = page.evaluate(
                        "document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
                    page.set_viewport_size({"width": width,
                                            "height": max(height, min(int(tall), MAX_HEIGHT))})
                    page.wait_for_timeout(800)
                    page.screenshot(path=str(target))
                    page.set_viewport_size({"width": width, "height": height})
                    written.append(target)
                context.close()
        browser.close()
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--pages", help="comma-separated page addresses (default: all)")
    parser.add_argument("--readme", action="store_true",
                        help="also replace docs/screenshot-overview.png")
    parser.add_argument("--url", help="an app already running (else one is started on demo "
                        "data)")
    args = parser.parse_args(argv)
    only = set(args.pages.split(",")) if args.pages else None
    if args.url:
        written = shoot(args.url.rstrip("/"), args.out, only, args.readme)
    else:
        from tests.e2e.conftest import StreamlitServer

        folder = Path(tempfile.mkdtemp(prefix="screenshots-"))
        server = StreamlitServer(_demo_database(folder))
        try:
            written = shoot(server.url, args.out, only, args.readme)
        finally:
            server.stop()
            shutil.rmtree(folder, ignore_errors=True)
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
