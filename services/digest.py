"""The "what's new" digest of one user, as text (issue 16): for a scheduled e-mail job run by
the operator — this command only prints or writes a file, so it needs no mail server.

    python -m services.digest --user nordwind [--out digest.md] [--format markdown|text]
                              [--base-url https://dashboard.example.org] [--limit 200]

The content is the user's "What's new" list since their last visit (the same items, words and
order as the page; items they marked as seen are left out). Running the digest does not count
as a visit and marks nothing as seen. Exit status: 0 written, 1 configuration or database
problem, 2 unknown or disabled account (or an administrator's: a digest is per brand user).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from sqlalchemy import Engine

from data_access import whats_new as wn
from data_access.db import prepare_database
from data_access.errors import DatabaseUnavailable, NotFound
from data_access.settings import ConfigurationError, load_settings
from data_access.startup import open_database
from services import whats_new
from services.reference_dates import brand_reference_dates


def _escape_markdown(value: str) -> str:
    """Data quoted in the Markdown digest stays text: Markdown's special characters escaped."""
    out = []
    for ch in value.replace("\n", " "):
        out.append("\\" + ch if ch in "\\`*_{}[]()<>#+-.!|~&" else ch)
    return "".join(out)


def build_digest(engine: Engine, username: str, *, today: dt.date | None = None,
                 base_url: str = "", markdown: bool = True, limit: int = 200) -> str:
    """The digest of ``username`` (an enabled brand account) as Markdown or plain text.

    Raises:
        NotFound: no such enabled brand account.
    """
    viewer = wn.account_viewer(engine, username)
    today = today or dt.date.today()
    as_of = brand_reference_dates(engine, viewer, today).figures
    base = wn.baseline(engine, viewer, recorded=False)
    counts = whats_new.counts(engine, viewer, base, as_of, today)
    total = sum(counts.values())
    items = whats_new.page(engine, viewer, base, as_of, today, number=1, size=limit) \
        if total else []
    esc = _escape_markdown if markdown else (lambda s: " ".join(str(s).split()))
    prefix = base_url.rstrip("/") + "/" if base_url else ""
    lines: list[str] = []
    title = f"What's new for {username} — {total} change{'s' if total != 1 else ''}"
    lines += [f"# {esc(title)}" if markdown else title, ""]
    lines += [esc(whats_new.baseline_words(base)),
              esc(f"Figures as of {as_of.isoformat()}; commitments judged on "
                  f"{today.isoformat()}."), ""]
    if not total:
        lines.append("Nothing new since your last visit.")
        return "\n".join(lines) + "\n"
    summary = [f"{whats_new.KIND_LABELS[k]}: {n}" for k, n in counts.items() if n]
    lines += [("- " if markdown else "* ") + esc(s) for s in summary] + [""]
    current = None
    for item in items:
        if item.kind != current:
            current = item.kind
            heading = whats_new.KIND_LABELS[item.kind]
            lines += ["", f"## {esc(heading)}" if markdown else heading.upper(), ""]
        text = f"{item.factory_name}: {item.message}"
        link = f"{prefix}{item.link}"
        if markdown:
            lines.append(f"- {esc(text)} ({link})")
        else:
            lines.append(f"* {esc(text)} <{link}>")
    if len(items) < total:
        lines += ["", esc(f"… and {total - len(items)} more in the dashboard.")]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.digest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--user", required=True, help="the account's username")
    parser.add_argument("--out", type=Path, help="write to this file (default: print)")
    parser.add_argument("--format", choices=("markdown", "text"), default="markdown")
    parser.add_argument("--base-url", default="", help="the dashboard's address, for links")
    parser.add_argument("--limit", type=int, default=200, help="at most this many items")
    args = parser.parse_args(argv)

    try:
        opened = open_database(load_settings(), prepare_database)
    except (ConfigurationError, DatabaseUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        text = build_digest(opened.engine, args.user, base_url=args.base_url,
                            markdown=args.format == "markdown", limit=max(1, args.limit))
    except NotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        opened.dispose()
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"Wrote the digest of {args.user} to {args.out}.")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
