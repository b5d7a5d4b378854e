"""Dataset store figures, SQLite and PostgreSQL side by side in one run.

    eval "$(scripts/postgres-up)" && .venv/bin/python benchmarks/bench_store.py

Medians of a few runs per cell, in milliseconds: storing a new matrix (content id included),
storing it again (deduplicated), reading it from the database (a fresh instance's first read),
and a cached read.
PostgreSQL runs in a temporary database, dropped at the end.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from transfer.matrix import TransferMatrix  # noqa: E402
from transfer.store import DatasetStore  # noqa: E402

SIZES = (10, 200, 1000)
REPEATS = 5


def matrix(n: int, seed: int) -> TransferMatrix:
    labels = tuple(f"task {i}" for i in range(n))
    return TransferMatrix(
        rows=labels, cols=labels, values=np.random.default_rng(seed).normal(size=(n, n)), name=f"bench {seed}",
    )


def ms(action) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def measure(url: str, n: int) -> dict[str, float]:
    times: dict[str, list[float]] = {"put new": [], "put again": [], "get (database)": [], "get (cached)": []}
    for seed in range(REPEATS):
        m = matrix(n, seed)
        dataset_id = m.content_id()
        writer = DatasetStore(url)
        times["put new"].append(ms(lambda: writer.put(m)))
        again = DatasetStore(url)  # another instance: the dedup check goes to the database
        times["put again"].append(ms(lambda: again.put(m)))
        reader = DatasetStore(url)
        times["get (database)"].append(ms(lambda: reader.get(dataset_id)))
        times["get (cached)"].append(ms(lambda: reader.get(dataset_id)))
        for store in (writer, again, reader):
            store.engine.dispose()
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    server_url = os.environ.get("TMX_TEST_DATABASE_URL")
    if not server_url:
        sys.exit("set TMX_TEST_DATABASE_URL: eval \"$(scripts/postgres-up)\"")
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"tmx_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory() as tmp:
            backends = {
                "sqlite": f"sqlite:///{tmp}/bench.sqlite",
                "postgresql": make_url(server_url).set(database=name).render_as_string(hide_password=False),
            }
            print(f"median ms of {REPEATS} runs; n x n float64 matrices of random values (incompressible)")
            print(f"{'n':>5} {'operation':<16} {'sqlite':>9} {'postgresql':>11} {'pg/sqlite':>10}")
            for n in SIZES:
                results = {backend: measure(url, n) for backend, url in backends.items()}
                for operation in results["sqlite"]:
                    a, b = results["sqlite"][operation], results["postgresql"][operation]
                    print(f"{n:>5} {operation:<16} {a:>9.2f} {b:>11.2f} {b / a:>10.2f}")
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


if __name__ == "__main__":
    main()
