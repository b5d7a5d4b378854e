"""gunicorn.conf.py's glibc malloc tuning (web/memory.py, what the Dockerfile's workers run with): it
applies, and its post_request hook hands freed heap pages back to the kernel (benchmarks/bench_memory.py
measures the effect on a worker)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# In a fresh interpreter: load the config as gunicorn does (from the repository, on sys.path),
# fill the heap with blocks below the mmap threshold, free all but the last one (which pins the
# heap's top, so only a trim of the free pages inside the heap can return them), then run the
# hook after a large response.
SCRIPT = r"""
import runpy, sys, types
conf = runpy.run_path(sys.argv[1])
assert conf["MALLOC_TUNED"], "mallopt failed"

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

blocks = [bytearray(b"x" * (200 * 1024)) for _ in range(1500)]  # ~300 MB in the heap
last = blocks[-1]
del blocks
before = rss()
conf["post_request"](None, None, {}, types.SimpleNamespace(sent=conf["memory"].TRIM_AFTER_BYTES))
after = rss()
print(before, after)
"""


def test_worker_malloc_tuning_applies_and_post_request_trims_freed_memory():
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT / "gunicorn.conf.py")], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    before, after = map(float, out.stdout.split())
    assert before > 250 and after < before - 200, (before, after)  # the freed ~300 MB went back
