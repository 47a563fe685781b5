"""The calibration figure: a fixed CPU + SQLite workload, timed, stored with every result.

    python -m bench.calibration          # prints the figure (and the parts) as JSON

Why: the benchmark and the load test run on virtual machines whose speed differs from machine
to machine and, on a shared host, from hour to hour (docs/performance.md shows the same code
20–30 % slower on the same idle VM in the afternoon). A figure from one run can only be
compared with another run's as a ratio to how fast *that* machine was *at that time*. Every
run therefore times the same fixed workload just before it starts and stores it beside its
results: ``page time ÷ calibration`` is comparable across runs, and two calibrations say how
much faster one machine was than the other.

The workload is the kind of work the app's server does, in miniature, in one thread:

* **cpu** — pure Python: 300,000 dictionary updates and string formats over a seeded
  pseudo-random sequence, then a sort of 200,000 tuples. The interpreter's speed on one core
  (the app's page scripts are mostly this, plus pandas).
* **sqlite** — a new SQLite file in a temporary directory (so the disk and its cache are in
  it, as for the app's SQLite database): 100,000 rows inserted in one transaction into a
  table with two indexes, committed; then 300 indexed range queries and 3 group-by
  aggregates over the whole table; then the file is deleted.

Each part is run ``repeat`` times (3) and the **fastest** repetition is the figure: other work
on the machine can only make a repetition slower, so the minimum is the best estimate of the
machine's own speed (the median is stored too). ``calibration_s`` = fastest ``cpu`` + fastest
``sqlite``. On the project's 2-core development VM it is ≈ 1.0–1.2 s while the machine is
quiet or lightly shared (load average ≤ 3) and 2.3–2.5 s at a load average of 6
(docs/performance.md), so it also tells a run made on a busy machine. The workload is fixed:
changing it starts a new series that cannot be compared with old runs, so ``VERSION`` goes up
with any change.
"""

from __future__ import annotations

import json
import os
import platform
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

#: bumped whenever the workload changes (figures of different versions do not compare)
VERSION = 1


def cpu_workload() -> int:
    """The fixed pure-Python part; returns a checksum (so nothing is optimised away)."""
    rng = random.Random(17)
    counts: dict[str, int] = {}
    for _ in range(300_000):
        key = f"k{rng.randrange(5_000):04d}"
        counts[key] = counts.get(key, 0) + 1
    rows = [(rng.random(), i, f"r{i}") for i in range(200_000)]
    rows.sort()
    return len(counts) + rows[0][1]


def sqlite_workload(directory: Path) -> int:
    """The fixed SQLite part in a new file under ``directory``; returns a checksum."""
    path = directory / "calibration.sqlite3"
    path.unlink(missing_ok=True)
    rng = random.Random(23)
    conn = sqlite3.connect(path)
    try:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, grp INTEGER NOT NULL, "
                     "day INTEGER NOT NULL, amount REAL NOT NULL, label TEXT NOT NULL)")
        conn.execute("CREATE INDEX t_grp_day ON t (grp, day)")
        conn.execute("CREATE INDEX t_day ON t (day)")
        with conn:
            conn.executemany(
                "INSERT INTO t (grp, day, amount, label) VALUES (?, ?, ?, ?)",
                ((rng.randrange(300), rng.randrange(2_000), rng.random() * 1_000,
                  f"label {i % 997}") for i in range(100_000)))
        total = 0
        for i in range(300):
            total += conn.execute(
                "SELECT count(*), coalesce(sum(amount), 0) FROM t WHERE grp = ? "
                "AND day BETWEEN ? AND ?", (i % 300, i * 3, i * 3 + 400)).fetchone()[0]
        for sql in ("SELECT grp, count(*), avg(amount) FROM t GROUP BY grp",
                    "SELECT day / 30, sum(amount) FROM t GROUP BY day / 30",
                    "SELECT label, max(amount) FROM t GROUP BY label"):
            total += len(conn.execute(sql).fetchall())
        return total
    finally:
        conn.close()
        path.unlink(missing_ok=True)


def calibrate(repeat: int = 3) -> dict:
    """Time the fixed workload ``repeat`` times; the figure is the fastest of each part."""
    cpu, sql = [], []
    with tempfile.TemporaryDirectory(prefix="calibration-") as folder:
        for _ in range(repeat):
            started = time.perf_counter()
            cpu_workload()
            cpu.append(time.perf_counter() - started)
            started = time.perf_counter()
            sqlite_workload(Path(folder))
            sql.append(time.perf_counter() - started)
    return {
        "calibration_s": round(min(cpu) + min(sql), 3),
        "cpu_s": round(min(cpu), 3),
        "sqlite_s": round(min(sql), 3),
        "median_s": round(statistics.median(cpu) + statistics.median(sql), 3),
        "repeat": repeat,
        "version": VERSION,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def describe(figure: dict) -> str:
    """One line for a terminal."""
    return (f"calibration {figure['calibration_s']:.3f} s (cpu {figure['cpu_s']:.3f} s + "
            f"sqlite {figure['sqlite_s']:.3f} s, fastest of {figure['repeat']}; median "
            f"{figure['median_s']:.3f} s; load average {figure['load_average_1m']})")


def main() -> int:
    figure = calibrate()
    print(json.dumps(figure, indent=1))
    print(describe(figure))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
