"""Benchmark: how long a SQLite writer waits for the write lock, polling for it or queueing for it.

Two processes write to one WAL database: one holds the write lock for ``--hold`` ms at a time with
a short pause between, the other times how long each of its writes waits to begin. Run once with
SQLite's own waiting (its busy handler sleeps 1, 2, 5, 10 ... up to 100 ms between tries) and once
with the app's writers' queue (``platform.writer_queue``, an OS file lock handed over on release),
side by side in one run. A writer that queued well waits at most about one hold.

    .venv/bin/python bench/writer_queue.py [--hold 8] [--writes 200]
"""

from __future__ import annotations

import argparse
import multiprocessing
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from literacy.platform.writer_queue import QueuedWriterConnection

PAUSE = 0.002  # seconds between the holder's transactions: the waiter's chance to go


def holder(path: str, factory, hold: float, until: float) -> None:
    connection = sqlite3.connect(path, timeout=5, factory=factory)
    while time.monotonic() < until:
        connection.execute("INSERT INTO notes VALUES ('held')")
        time.sleep(hold)
        connection.commit()
        time.sleep(PAUSE)


def waiter(path: str, factory, writes: int, answers) -> None:
    connection = sqlite3.connect(path, timeout=5, factory=factory)
    waits = []
    for _ in range(writes):
        started = time.perf_counter()
        connection.execute("INSERT INTO notes VALUES ('waited')")
        waits.append(time.perf_counter() - started)
        connection.commit()
        time.sleep(PAUSE * 1.5)
    answers.put(waits)


def measure(factory, hold: float, writes: int) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "queue.sqlite3")
        with sqlite3.connect(path) as setup:
            setup.execute("PRAGMA journal_mode=WAL")
            setup.execute("CREATE TABLE notes (body TEXT)")
        answers = multiprocessing.Queue()
        until = time.monotonic() + writes * (hold + 3 * PAUSE) * 3 + 5
        writing = multiprocessing.Process(target=holder, args=(path, factory, hold, until))
        waiting = multiprocessing.Process(target=waiter, args=(path, factory, writes, answers))
        writing.start()
        time.sleep(0.1)
        waiting.start()
        waits = sorted(answers.get(timeout=300))
        waiting.join()
        writing.terminate()
        writing.join()
    return waits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hold", type=float, default=8, help="ms the other process holds the lock each time")
    parser.add_argument("--writes", type=int, default=200)
    args = parser.parse_args()
    print(f"one process holds the write lock {args.hold:.0f} ms at a time; another makes {args.writes} writes")
    for name, factory in (("SQLite's busy handler", sqlite3.Connection), ("writers' queue", QueuedWriterConnection)):
        waits = measure(factory, args.hold / 1000, args.writes)
        q = statistics.quantiles(waits, n=100)
        print(
            f"  {name:>21}: wait p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms, worst {waits[-1] * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
