"""gunicorn settings used by the Dockerfile and by the serving tests (one source of truth)."""

import os

bind = os.environ.get("TMX_BIND", "0.0.0.0:8050")
workers = int(os.environ.get("TMX_WORKERS", "2"))
threads = int(os.environ.get("TMX_THREADS", "4"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 20
keepalive = 5
# Request lines up to 8,190 bytes (gunicorn's maximum) reach the app, which refuses queries over
# security.MAX_QUERY_BYTES itself: a person who pastes a too-long link gets the app's HTML error
# page (JSON under /api/), not gunicorn's bare 414. Header limits stay at gunicorn's defaults.
limit_request_line = 8190
accesslog = "-"
# gunicorn's default line plus the worker's pid and the time taken (which worker answered what).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(p)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("TMX_LOG_LEVEL", "info")

# --- memory: glibc malloc tuning, set here in the master and inherited by every forked worker ---
# A worker builds and drops arrays and JSON strings of tens of MB per request (a 2000 x 2000
# matrix is 32 MB as float64; its figure ~21 MB of JSON). With glibc's defaults the mmap
# threshold grows to 32 MB after the first large free, so later ones come from the heaps of up
# to 8 x cores arenas (one per gthread thread), which fragment and are rarely given back: the
# worker's resident memory kept growing although every cache is bounded
# (benchmarks/bench_memory.py). A fixed threshold keeps large blocks in their own mappings
# (returned to the kernel on free), two arenas bound the heaps, and malloc_trim after a request
# hands back the free pages left in them.
MALLOC_ARENA_MAX = 2
MALLOC_MMAP_THRESHOLD = 1 << 20  # bytes; fixed, which also turns glibc's dynamic threshold off
TRIM_AFTER_BYTES = 256 * 1024  # trim after a response this large (a figure: large arrays were freed) ...
TRIM_INTERVAL = 1.0  # ... or, after smaller ones, at most once a second


def _glibc():
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt.argtypes, libc.malloc_trim.argtypes = [ctypes.c_int, ctypes.c_int], [ctypes.c_size_t]
        return libc
    except (OSError, AttributeError):  # not glibc (musl, macOS): the allocator's defaults stay
        return None


_LIBC = _glibc()
M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # glibc's malloc.h
MALLOC_TUNED = bool(_LIBC) and _LIBC.mallopt(M_ARENA_MAX, MALLOC_ARENA_MAX) == 1 and _LIBC.mallopt(M_MMAP_THRESHOLD, MALLOC_MMAP_THRESHOLD) == 1
_last_trim = [0.0]


def post_request(worker, req, environ, resp):
    """Give freed heap pages back to the kernel (gunicorn calls this after every request)."""
    import time

    now = time.monotonic()
    if _LIBC is not None and (getattr(resp, "sent", 0) >= TRIM_AFTER_BYTES or now - _last_trim[0] >= TRIM_INTERVAL):
        _last_trim[0] = now
        _LIBC.malloc_trim(0)
