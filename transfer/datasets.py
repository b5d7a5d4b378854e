"""Where matrices come from: the bundled catalogue in `data/` and the store of uploads."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .matrix import TransferMatrix
from .parsing import parse_matrix
from .store import DatasetStore

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    name: str
    model: str
    metric: str


class Datasets:
    """Bundled matrices by slug, uploaded ones by content id; `get` returns None when unknown."""

    def __init__(self, store: DatasetStore, data_dir: Path = DATA_DIR):
        catalog = json.loads((data_dir / "catalog.json").read_text())
        self.store = store
        self.default_id: str = catalog["default"]
        self.entries: tuple[CatalogEntry, ...] = ()
        self._bundled: dict[str, TransferMatrix] = {}
        for item in catalog["datasets"]:
            # Bundled files go through the same parser as uploads.
            self._bundled[item["id"]] = parse_matrix(
                (data_dir / item["file"]).read_bytes(),
                filename=item["file"],
                metadata={
                    key: item.get(key) for key in ("name", "metric", "neutral", "scale", "description", "source")
                },
            )
            self.entries += (CatalogEntry(item["id"], item["name"], item["model"], item["metric"]),)

    def get(self, dataset_id: str | None) -> TransferMatrix | None:
        if not dataset_id:
            return None
        if dataset_id in self._bundled:
            return self._bundled[dataset_id]
        return self.store.get(dataset_id)

    def put(self, matrix: TransferMatrix) -> str:
        return self.store.put(matrix)

    def is_bundled(self, dataset_id: str) -> bool:
        return dataset_id in self._bundled
