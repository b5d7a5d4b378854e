"""The plotly.js the page loads: plotly.js with only the traces the app draws, vendored here
(`plotly-tmx.min.js`, built by scripts/build-plotly) and served by the app (web/serving.App)
under a fingerprinted address, like Dash's own bundles.

Dash's plotly package ships all of plotly.js (4.8 MB, 1.45 MB gzipped): 3 parts in 4 of a
first visit's bytes. The page draws heatmaps and lines only (cartesian axes), so this build is
plotly.js's core (scatter and every layout component) plus the heatmap: 1.1 MB, 0.4 MB gzipped.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

FILE = "plotly-tmx.min.js"
# of FILE, written by scripts/build-plotly; tests/test_plotly_bundle.py checks it
SHA256 = "182b77d90bac7bf6e1924b1df24232f2fe9bf6eb8a1ba7fe53b12992521dab26"
__version__ = "4.1.1"  # the plotly.js version of FILE: the same as Dash's plotly package ships


def source() -> bytes:
    return resources.files(__name__).joinpath(FILE).read_bytes()


@functools.cache
def traces() -> frozenset[str]:
    """The trace types the bundle registers, read from the file (each trace module declares
    `moduleType: "trace", name: ...`; the minifier keeps both)."""
    return frozenset(name.decode() for name in re.findall(rb'moduleType:"trace",name:"(\w+)"', source()))
