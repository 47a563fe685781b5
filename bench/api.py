"""The purchase-order export through the HTTP API against the CSV extract (issue 18).

    python -m bench.api --scale M            # the M dataset (generated or reused, data/bench/)

For the brand with the most orders (≈ 100 k at M):

* **CSV extract** — ``services.extract_catalogue.write_extract`` into a file: what the
  Downloads page and ``python -m services.extract_cli`` do (rows streamed from the database,
  formatted, written, audited);
* **API, CSV** — ``python -m api`` started as its own process (uvicorn, real HTTP on a
  loopback port), ``GET /v1/purchase-orders?format=csv`` read to the end with ``urllib``:
  time to the first byte and to the last, bytes and rows;
* **API, JSON pages** — the same orders as 1,000-row JSON pages, following ``next`` to the
  end (keyset pages);
* the API process's peak memory (``VmHWM``) after both;
* CPU seconds beside the wall-clock times — the extract's own (``time.process_time``) and the
  API process's per CSV request (``/proc/<pid>/stat``) — which a loaded machine disturbs less.

The rate limit is lifted for the run (``DASHBOARD_API_RATE_LIMIT_PER_MINUTE``), so the JSON
walk measures paging, not waiting. Each measurement is repeated ``--repeat`` times; the best
and the median are reported. Results: ``bench/results/api-<scale>-sqlite-<time>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import text

from bench.dataset import sqlite_dataset
from data_access import api_tokens
from data_access.db import create_db_engine
from data_access.viewer import Viewer
from services.extract_catalogue import write_extract
from services.extract_requests import ExtractRequest, context_for
from services.reference_dates import brand_reference_dates

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SEED = 20220227


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, token: str) -> tuple[float, float, int, bytes]:
    """(seconds to the first byte, seconds to the last, bytes, the last 64 KiB)."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    start = time.perf_counter()
    first = None
    total = 0
    tail = b""
    with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310 - loopback
        while chunk := response.read(1 << 16):
            if first is None:
                first = time.perf_counter() - start
            total += len(chunk)
            tail = chunk
    return first or 0.0, time.perf_counter() - start, total, tail


def _walk_json(base: str, token: str) -> tuple[float, int, int]:
    """Seconds, pages and rows of the JSON walk."""
    url: str | None = f"{base}/v1/purchase-orders?limit=1000"
    pages = rows = 0
    start = time.perf_counter()
    while url:
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310
            body = json.loads(response.read())
        pages += 1
        rows += body["count"]
        url = body["next"]
    return time.perf_counter() - start, pages, rows


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _summary(values: list[float]) -> dict[str, float]:
    return {"best_s": round(min(values), 3), "median_s": round(statistics.median(values), 3),
            "runs": [round(v, 3) for v in values]}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__)
    parser.add_argument("--scale", default="M")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    dataset = sqlite_dataset(args.scale, SEED, regenerate=False)
    engine = create_db_engine(dataset.url)
    with engine.connect() as conn:
        brand_id, code, orders = conn.execute(text(
            "SELECT b.id, b.code, COUNT(*) FROM purchase_order p JOIN brand b "
            "ON b.id = p.brand_id GROUP BY b.id, b.code ORDER BY COUNT(*) DESC LIMIT 1")).one()
    viewer = Viewer("bench", "admin", None).acting_for(brand_id)
    ctx = context_for(engine, viewer, "purchase-orders", ExtractRequest(),
                      brand_reference_dates(engine, viewer))
    extract_times, extract_cpu = [], []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.repeat):
            start, cpu = time.perf_counter(), time.process_time()
            with (Path(folder) / "orders.csv").open("wb") as out:
                rows = write_extract(engine, viewer, "purchase-orders", ctx, out)
            extract_times.append(time.perf_counter() - start)
            extract_cpu.append(time.process_time() - cpu)
            extract_bytes = (Path(folder) / "orders.csv").stat().st_size

    token = api_tokens.issue_token(engine, Viewer("bench", "admin", None), brand_id,
                                   "bench", days=1).token
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DASHBOARD_")},
           "DASHBOARD_DATABASE_URL": dataset.url, "DASHBOARD_DEMO": "true",
           "DASHBOARD_API_RATE_LIMIT_PER_MINUTE": "1000000"}
    process = subprocess.Popen([sys.executable, "-m", "api", "--port", str(port)], cwd=ROOT,  # noqa: S603
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/v1/health", timeout=2):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the API did not start") from None
                time.sleep(0.3)
        csv_runs, first_bytes, server_cpu = [], [], []
        for _ in range(args.repeat):
            cpu = _cpu_seconds(process.pid)
            first, total, size, tail = _get(f"{base}/v1/purchase-orders?format=csv", token)
            server_cpu.append(_cpu_seconds(process.pid) - cpu)
            csv_runs.append(total)
            first_bytes.append(first)
        json_runs = []
        for _ in range(args.repeat):
            seconds, pages, json_rows = _walk_json(base, token)
            json_runs.append(seconds)
        status = Path(f"/proc/{process.pid}/status").read_text()
        peak = next((int(line.split()[1]) // 1024 for line in status.splitlines()
                     if line.startswith("VmHWM")), None)
    finally:
        process.terminate()
        process.wait(timeout=30)
        engine.dispose()
    result = {
        "scale": args.scale, "backend": "sqlite", "brand": code, "orders": orders,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_average": os.getloadavg(),
        "csv_extract": {**_summary(extract_times), "rows": rows, "bytes": extract_bytes,
                        "cpu_best_s": round(min(extract_cpu), 3)},
        "api_csv": {**_summary(csv_runs), "first_byte_best_s": round(min(first_bytes), 3),
                    "server_cpu_best_s": round(min(server_cpu), 3),
                    "bytes": size, "same_bytes_as_extract": size == extract_bytes},
        "api_json_pages": {**_summary(json_runs), "pages": pages, "rows": json_rows},
        "api_peak_rss_mib": peak,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H%M%S")
    path = RESULTS / f"api-{args.scale}-sqlite-{stamp}.json"
    path.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    print(f"written to {path}", file=sys.stderr)
    del tail
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
