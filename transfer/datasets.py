"""Where matrices and task annotations come from: the bundled catalogue in `data/` and the store
of uploads."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .annotations import Annotations, parse_annotations
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
    """Bundled matrices by slug, uploaded ones by content id; `get` returns None when unknown.
    Annotations: uploaded ones by content id (`annotations`), and a bundled matrix's own from its
    catalogue entry's optional "annotations" file (`default_annotations`)."""

    def __init__(self, store: DatasetStore, data_dir: Path = DATA_DIR):
        catalog = json.loads((data_dir / "catalog.json").read_text())
        self.store = store
        self.default_id: str = catalog["default"]
        # The annotations the default view opens with (the command line's, a notebook's): None
        # for the catalogue's default, which has its own (`default_annotations`).
        self.default_ann: str | None = None
        self.entries: tuple[CatalogEntry, ...] = ()
        self._bundled: dict[str, TransferMatrix] = {}
        self._bundled_annotations: dict[str, Annotations] = {}
        read: dict[str, Annotations] = {}  # one parse per file, however many entries share it
        for item in catalog["datasets"]:
            # Bundled files go through the same parser as uploads.
            self._bundled[item["id"]] = parse_matrix(
                (data_dir / item["file"]).read_bytes(),
                filename=item["file"],
                metadata={
                    key: item.get(key) for key in ("name", "metric", "neutral", "scale", "description", "source")
                },
            )
            if item.get("annotations"):
                name = item["annotations"]
                if name not in read:
                    read[name] = parse_annotations((data_dir / name).read_bytes(), filename=name)
                self._bundled_annotations[item["id"]] = read[name]
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

    def annotations(self, ann_id: str | None) -> Annotations | None:
        """Uploaded annotations by id; None when unknown or malformed."""
        return self.store.get_annotations(ann_id) if ann_id else None

    def put_annotations(self, annotations: Annotations) -> str:
        return self.store.put_annotations(annotations)

    def put_both(self, matrix: TransferMatrix | None, annotations: Annotations | None, *, quota: bool = True) -> tuple:
        """Both stored or neither (`DatasetStore.put_both`): (dataset id, annotations id)."""
        return self.store.put_both(matrix, annotations, quota=quota)

    def default_annotations(self, dataset_id: str | None) -> Annotations | None:
        """A bundled matrix's annotations from the catalogue (used when a link has no `ann`);
        None for uploads and for entries without any."""
        return self._bundled_annotations.get(dataset_id) if dataset_id else None
