"""A thread-safe least-recently-used cache bounded by bytes, not entries: a few 2000 x 2000
matrices must not cost a worker gigabytes, while many small ones may all stay.

The one cache class of the app: stored matrices (`transfer.store`), derived and arranged
matrices (`transfer.view`), task trees (`transfer.clustering`), heatmap figures
(components/heatmap.py) and compressed static files (`web.serving.CompressedStatic`)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable


class ByteLRU:
    def __init__(self, max_bytes: int, size_of: Callable[[Any], int]):
        self.max_bytes = max_bytes
        self.size_of = size_of
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def add(self, key: Hashable, value: Any) -> None:
        """Keep `value` (an item larger than the whole budget is not kept)."""
        size = self.size_of(value)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    @property
    def bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


def matrix_bytes(matrix) -> int:
    """What a TransferMatrix costs in memory, roughly: its values, its replicates (and the one set
    of statistics it memoises, `uncertainty.cell_stats`: nine arrays) and its labels."""
    spread = matrix.spread
    extra = 0 if spread is None else 14 * spread.n.nbytes + (0 if spread.samples is None else spread.samples.nbytes)
    return matrix.values.nbytes + extra + 64 * (len(matrix.rows) + len(matrix.cols))
