"""Writes tests/data/store-before-replicates.sqlite and its manifest with the code from BEFORE
replicates existed (commit 68d89c2), for tests/test_store_replicates.py. Run it with that
commit's `transfer` package first on the path, never with the current one:

    git archive 68d89c2 transfer | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old .venv/bin/python tests/data/make_store_before_replicates.py

Each file of tests/data/before-replicates/ is parsed and stored; the manifest maps each file to
the id the old code gave it.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "before-replicates"
DATABASE = HERE / "store-before-replicates.sqlite"
MANIFEST = HERE / "store-before-replicates.json"


def main() -> None:
    from transfer import parsing, store

    if hasattr(parsing, "ColumnsAmbiguous") or "spread" in Path(store.__file__).read_text():
        sys.exit("this is the current transfer package; put the old one (68d89c2) first on PYTHONPATH")
    DATABASE.unlink(missing_ok=True)
    datasets = store.DatasetStore(f"sqlite:///{DATABASE}")
    manifest = {}
    for path in sorted(SOURCES.iterdir()):
        matrix = parsing.parse_matrix(path.read_bytes(), filename=path.name)
        manifest[path.name] = datasets.put(matrix)
    datasets.engine.dispose()
    with sqlite3.connect(DATABASE) as connection:  # one self-contained file: no WAL beside it
        connection.execute("PRAGMA journal_mode=DELETE")
    MANIFEST.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    print(f"{DATABASE.name}: {DATABASE.stat().st_size} bytes, {len(manifest)} datasets")


if __name__ == "__main__":
    main()
