"""glibc malloc tuning for gunicorn's workers: gunicorn.conf.py applies it in the master (every
forked worker inherits it) and calls `after_request` from its post_request hook.

A worker builds and drops arrays and JSON strings of tens of MB per request (a 2000 x 2000
matrix is 32 MB as float64; its figure ~21 MB of JSON). With glibc's defaults the mmap
threshold grows to 32 MB after the first large free, so later ones come from the heaps of up
to 8 x cores arenas (one per gthread thread), which fragment and are rarely given back: the
worker's resident memory kept growing although every cache is bounded
(benchmarks/bench_memory.py). A fixed threshold keeps large blocks in their own mappings
(returned to the kernel on free), two arenas bound the heaps, and malloc_trim after a request
hands back the free pages left in them.
"""

from __future__ import annotations

import ctypes
import time

MALLOC_ARENA_MAX = 2
MALLOC_MMAP_THRESHOLD = 1 << 20  # bytes; fixed, which also turns glibc's dynamic threshold off
TRIM_AFTER_BYTES = 256 * 1024  # trim after a response this large (a figure: large arrays were freed) ...
TRIM_INTERVAL = 1.0  # ... or, after smaller ones, at most once a second
M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # glibc's malloc.h


def _glibc():
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt.argtypes, libc.malloc_trim.argtypes = [ctypes.c_int, ctypes.c_int], [ctypes.c_size_t]
        return libc
    except (OSError, AttributeError):  # not glibc (musl, macOS): the allocator's defaults stay
        return None


_LIBC = _glibc()
_last_trim = [0.0]


def tune_malloc() -> bool:
    """Set the arena count and the fixed mmap threshold; whether glibc took both."""
    return (
        _LIBC is not None
        and _LIBC.mallopt(M_ARENA_MAX, MALLOC_ARENA_MAX) == 1
        and _LIBC.mallopt(M_MMAP_THRESHOLD, MALLOC_MMAP_THRESHOLD) == 1
    )


def after_request(sent_bytes: int) -> None:
    """Give freed heap pages back to the kernel after a large response, or at most once a second."""
    now = time.monotonic()
    if _LIBC is not None and (sent_bytes >= TRIM_AFTER_BYTES or now - _last_trim[0] >= TRIM_INTERVAL):
        _last_trim[0] = now
        _LIBC.malloc_trim(0)
