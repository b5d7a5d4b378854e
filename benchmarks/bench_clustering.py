"""Clustering + every figure of the clustered view, ours next to dash_bio.Clustergram, same run.

    /work/main/.venv/bin/python benchmarks/bench_clustering.py [--sizes 10 100 1000] [--repeats 3]

Both sides get the same seeded n x n matrices (tasks on both axes, with block structure) and the
same options (average linkage, euclidean distance, optimal leaf order, no centring), each size in
two forms: "full float" (full-precision random values, whose float32 mantissas do not compress)
and "3 decimals" (the same values rounded to 3 decimals, as transfer scores are reported: our
server sends them as scaled integers, `transfer.wire`); each against the Clustergram of the same
matrix.

Ours, cold (linkage and matrix caches cleared), through the code the page's callbacks run for
`?order=cluster&k=3&row=..&col=..`: open the view (clustering, cluster order), then everything
the server sends for that page ("all figures"): the heatmap in cluster order with both
dendrograms, cluster bands and the selection, with its metadata (`heatmap.draw`: the labels and
the numbers of both breakdown panels; the browser draws their bars from the heatmap's cells) and
the clustering card (`clustering.describe` on the heatmap tab: no dendrogram-tab figure, which is
only computed and sent when that tab is opened), each serialised with Dash's own JSON encoder
(the heatmap's cells packed as the server sends them, `transfer.wire.pack_z`, losslessly),
without the slash escapes our server removes from callback responses (`web.routes.unescape_slashes`). The dendrogram
tab's figure and member list (what opening that tab costs) are timed and sized apart. dash_bio: the
Clustergram figure (heatmap and dendrograms; it orders rows and columns independently, its
default `cluster="all"`) serialised with `Figure.to_json()`. "heatmap only" is our heatmap
figure alone, the like-for-like of the Clustergram figure.

Bytes are reported uncompressed and gzip-compressed (level 6, flask-compress's default; the app
compresses its responses, Dash apps do not by default: the "on the wire as served" row sets
ours compressed against the Clustergram uncompressed). Times are medians of `--repeats`
(1 above 1000 tasks). dash_bio needs `pip install -r benchmarks/requirements.txt`.

The packed cells cost the browser a decode (assets/wire.js) before plotly draws: timed in headless
Chromium at the largest size, each form, median of 7, next to turning plotly.py's own base64
float32 into a Float32Array (what plotly.js does with an unpacked figure).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from dash import no_update  # noqa: E402
from dash._utils import to_json  # noqa: E402

from components.clustering import describe_view  # noqa: E402
from components.ids import DENDROGRAM_TAB  # noqa: E402
from transfer import clustering, wire  # noqa: E402
from transfer import view as view_module  # noqa: E402
from transfer.cluster_figures import decorate_heatmap  # noqa: E402
from transfer.datasets import Datasets  # noqa: E402
from transfer.figures import HeatmapTrace, heatmap_figure, selection_shapes  # noqa: E402
from transfer.matrix import TransferMatrix  # noqa: E402
from transfer.store import DatasetStore  # noqa: E402
from transfer.viewstate import ViewState  # noqa: E402
from web.routes import unescape_slashes  # noqa: E402

FORMS = {"full float": None, "3 decimals": 3}  # the values' decimals (None: full precision)


def make_matrix(n: int, seed: int = 0, decimals: int | None = None) -> TransferMatrix:
    rng = np.random.default_rng(seed)
    groups = rng.integers(0, max(2, n // 20), size=n)
    values = 0.1 * rng.normal(size=(n, n)) + 0.2 * (groups[:, None] == groups[None, :])
    if decimals is not None:
        values = np.round(values, decimals)
    labels = [f"task-{i:04d}" for i in range(n)]
    return TransferMatrix(rows=labels, cols=labels, values=values)


@dataclass
class Result:
    seconds: float
    bytes: int  # everything, uncompressed JSON
    gzip_bytes: int
    heatmap_bytes: int  # the heatmap figure alone (the Clustergram's like-for-like)
    heatmap_gzip_bytes: int
    traces: int  # in the heatmap figure
    tab_seconds: float = 0.0  # opening the dendrogram tab (ours): its figure and member list
    tab_bytes: int = 0
    tab_gzip_bytes: int = 0
    decode_ms: float | None = None  # the browser's decode of the packed cells (largest size only)
    plain_decode_ms: float | None = None  # plotly.py's base64 float32 to a Float32Array, same page
    store: str = ""  # the packed cells' form (transfer.wire): float32 bits or scaled integers


def _sizes(text: str, compact: bool = False) -> tuple[int, int]:
    """Bytes uncompressed and gzip-compressed; `compact`: as our server sends callback JSON
    (`web.routes.unescape_slashes`)."""
    data = unescape_slashes(text.encode()) if compact else text.encode()
    return len(data), len(gzip.compress(data, 6))


def ours(datasets: Datasets, dataset_id: str, labels: list[str]) -> Result:
    clustering.cache_clear()
    view_module._DERIVED.clear()
    start = time.perf_counter()
    state = ViewState(
        dataset=dataset_id, order="cluster", k=3, row=labels[len(labels) // 3], col=labels[len(labels) // 2],
    )
    view = view_module.open_view(datasets, state)
    heatmap = heatmap_figure(view.matrix, comparison=view.comparison)
    heatmap.layout.shapes = selection_shapes(view.matrix.rows, view.matrix.cols, state.row, state.col)
    decorate_heatmap(heatmap, view)
    figure = heatmap.to_dict()  # as components.heatmap sends it: the cells packed
    figure["data"][HeatmapTrace.CELLS] = wire.pack_z(figure["data"][HeatmapTrace.CELLS])
    heatmap_json = to_json(figure)
    meta = {"key": dataset_id, "matrix": clustering.fingerprint(view.matrix), "neutral": 0.0,
            "metric": view.matrix.metric, "query": view.query,
            "selection": view_module.selection_json(view, values=False).get("selection"),
            "cut": [3, None]}  # heatmap.draw's HEATMAP_META, with the panels' numbers
    card = [part for part in describe_view(view) if part is not no_update]  # tab=heatmap: the card only
    others = [to_json(meta), to_json(card)]
    elapsed = time.perf_counter() - start
    total, total_gz = _sizes("".join([heatmap_json, *others]), compact=True)
    only, only_gz = _sizes(heatmap_json, compact=True)
    start = time.perf_counter()
    tab = to_json(describe_view(replace(view, state=replace(view.state, tab=DENDROGRAM_TAB)), tab_opened=True)[2:])
    tab_seconds = time.perf_counter() - start
    tab_size, tab_gz = _sizes(tab, compact=True)
    return Result(elapsed, total, total_gz, only, only_gz, len(heatmap.data), tab_seconds, tab_size, tab_gz)


def dash_bio_clustergram(matrix: TransferMatrix) -> Result:
    import dash_bio

    start = time.perf_counter()
    fig = dash_bio.Clustergram(
        data=matrix.values, row_labels=list(matrix.rows), column_labels=list(matrix.cols),
        link_method="average", optimal_leaf_order=True, center_values=False, height=800, width=800,
    )
    text = fig.to_json()
    elapsed = time.perf_counter() - start
    size, size_gz = _sizes(text)
    return Result(elapsed, size, size_gz, size, size_gz, len(fig.data))


DECODE_JS = """([packed, plain, repeats]) => {
  const median = (fn) => {
    const ms = [];
    for (let r = 0; r < repeats; r++) { const t = performance.now(); fn(); ms.push(performance.now() - t); }
    return ms.sort((a, b) => a - b)[ms.length >> 1];
  };
  return [median(() => window.tmx.wire.decode(Object.assign({}, packed))),
          median(() => new Float32Array(window.tmx.wire.base64Bytes(plain).buffer))];
}"""


def browser_decode_ms(matrix: TransferMatrix, repeats: int = 7) -> tuple[float, float, str]:
    """Median ms in headless Chromium: the packed cells decoded (assets/wire.js), and plotly.py's
    base64 float32 made a Float32Array; and the packed form's store."""
    from playwright.sync_api import sync_playwright

    from conftest import CHROMIUM, CHROMIUM_ARGS

    packed = wire.encode(matrix.values)
    plain = base64.b64encode(matrix.values.astype(np.float32).tobytes()).decode()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_content("<html><body></body></html>")
        page.add_script_tag(content=(ROOT / "assets" / "wire.js").read_text())
        packed_ms, plain_ms = page.evaluate(DECODE_JS, [packed, plain, repeats])
        browser.close()
    about = packed["tmx"]
    form = "float32 bits" if about.get("float") else f"{about['bits']}-bit integers, {about['decimals']} decimals"
    return packed_ms, plain_ms, form


def median_of(run, repeats: int) -> Result:
    results = [run() for _ in range(repeats)]
    first = results[0]
    first.seconds = statistics.median(r.seconds for r in results)
    return first


def measure(sizes, repeats: int) -> tuple[str | None, list[tuple[int, str, Result, Result | None]]]:
    warnings.filterwarnings("ignore")
    try:
        import dash_bio

        peer = "dash_bio " + dash_bio.__version__
    except Exception as err:  # ImportError, or its missing `six`
        peer = None
        print(
            f"dash_bio is not available ({type(err).__name__}: {err}); install benchmarks/requirements.txt. Showing "
            "ours only.\n"
        )
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        datasets = Datasets(DatasetStore(f"sqlite:///{tmp}/bench.sqlite"))
        warm = make_matrix(12, seed=1)  # first calls pay for imports and plotly's validators
        ours(datasets, datasets.put(warm), list(warm.rows))
        if peer:
            dash_bio_clustergram(warm)
        for n in sizes:
            for form, decimals in FORMS.items():
                matrix = make_matrix(n, decimals=decimals)
                dataset_id = datasets.put(matrix)
                repeats_n = 1 if n > 1000 else repeats
                mine = median_of(lambda: ours(datasets, dataset_id, list(matrix.rows)), repeats_n)
                theirs = median_of(lambda: dash_bio_clustergram(matrix), repeats_n) if peer else None
                if n == max(sizes):
                    mine.decode_ms, mine.plain_decode_ms, mine.store = browser_decode_ms(matrix)
                out.append((n, form, mine, theirs))
        datasets.store.engine.dispose()
    return peer, out


def print_table(peer, results) -> None:
    mb = lambda b: f"{b / 1e6:.2f}"  # noqa: E731
    print(f"Clustering + figures + JSON, cold caches; median time. Peer: {peer or 'none'}. MB uncompressed / gzip.")
    header = f"{'tasks':>6} {'values':>10} | {'ours s':>7} {'all figures MB':>15} {'heatmap only MB':>16} {'traces':>6}"
    if peer:
        header += (f" | {'dash_bio s':>10} {'Clustergram MB':>15} {'traces':>6} | {'speed-up':>8} {'bytes all':>11} "
                   f"{'bytes heatmap':>13}")
    print(header)
    print("-" * len(header))
    for n, form, mine, theirs in results:
        line = (f"{n:>6} {form:>10} | {mine.seconds:>7.3f} {mb(mine.bytes) + ' / ' + mb(mine.gzip_bytes):>15} "
                f"{mb(mine.heatmap_bytes) + ' / ' + mb(mine.heatmap_gzip_bytes):>16} {mine.traces:>6}")
        if theirs:
            line += (f" | {theirs.seconds:>10.3f} {mb(theirs.bytes) + ' / ' + mb(theirs.gzip_bytes):>15} "
                     f"{theirs.traces:>6} | "
                     f"{theirs.seconds / mine.seconds:>7.1f}x "
                     f"{mine.bytes / theirs.bytes:>5.3f}/{mine.gzip_bytes / theirs.gzip_bytes:.3f}x "
                     f"{mine.heatmap_bytes / theirs.bytes:>6.3f}/{mine.heatmap_gzip_bytes / theirs.gzip_bytes:.3f}x")
        print(line, flush=True)
    if peer:
        print(
            "\nspeed-up: dash_bio time / ours (target >= 5x at 1000). bytes: ours / Clustergram, uncompressed/gzip "
            "(target <= 0.4x)."
        )
    print(
        "\nOpening the dendrogram tab (sent only then, not in 'all figures'): its figure and member list, clustering "
        "cached"
    )
    for n, form, mine, _ in results:
        sizes = mb(mine.tab_bytes) + " / " + mb(mine.tab_gzip_bytes)
        print(f"{n:>6} {form:>10} | {mine.tab_seconds:>7.3f} s {sizes:>15} MB")
    print("\nThe browser's decode of the packed cells (assets/wire.js), headless Chromium, median of 7; beside it "
          "plotly.py's base64 float32 made a Float32Array")
    for n, form, mine, _ in results:
        if mine.decode_ms is not None:
            print(f"{n:>6} {form:>10} | {mine.decode_ms:>7.1f} ms ({mine.store}) | "
                  f"float32 {mine.plain_decode_ms:>7.1f} ms")


def table_rows(results) -> list[dict]:
    """Rows for run_all.py (target 1; the bytes: issue 20's target 3)."""
    rows = []
    for n, form, mine, theirs in results:
        size = f"{n}x{n} {form}"
        if mine.decode_ms is not None:
            rows.append({"metric": "1 bytes: browser decode of the packed cells", "size": size,
                         "value": round(mine.decode_ms, 1), "unit": "ms", "baseline": round(mine.plain_decode_ms, 1),
                         "ratio": round(mine.decode_ms / max(mine.plain_decode_ms, 1e-3), 2),
                         "target": "(information)", "met": None,
                         "note": f"assets/wire.js, {mine.store}; baseline: plotly.py's base64 float32 to a "
                                 "Float32Array; headless Chromium, median of 7"})
        if theirs is None:
            continue
        rows.append({"metric": "1 clustering + all figures: time", "size": size, "value": round(mine.seconds, 3),
                     "unit": "s", "baseline": round(theirs.seconds, 3),
                     "ratio": round(theirs.seconds / mine.seconds, 2), "target": ">= 5x faster",
                     "met": theirs.seconds / mine.seconds >= 5, "note": "ratio = dash_bio.Clustergram time / ours"})
        for label, ours_bytes, peer_bytes in (
            ("all figures, uncompressed", mine.bytes, theirs.bytes),
            ("all figures, gzip", mine.gzip_bytes, theirs.gzip_bytes),
            ("heatmap figure only, uncompressed", mine.heatmap_bytes, theirs.bytes),
            ("heatmap figure only, gzip", mine.heatmap_gzip_bytes, theirs.gzip_bytes),
            # What each sends as deployed by default: our server compresses; Dash does not unless told to.
            (
                "all figures on the wire as served (ours gzip; Clustergram in a default Dash app, uncompressed)",
                mine.gzip_bytes, theirs.bytes,
            ),
        ):
            rows.append({"metric": f"1 bytes: {label}", "size": size, "value": round(ours_bytes / 1e6, 3), "unit": "MB",
                         "baseline": round(peer_bytes / 1e6, 3), "ratio": round(ours_bytes / peer_bytes, 3),
                         "target": "<= 0.4x",
                         "met": ours_bytes / peer_bytes <= 0.4, "note": "ratio = ours / dash_bio.Clustergram"})
        rows.append({"metric": "1 bytes: dendrogram tab when opened (not in all figures)", "size": size,
                     "value": round(mine.tab_bytes / 1e6, 3), "unit": "MB", "baseline": round(theirs.bytes / 1e6, 3),
                     "ratio": round(mine.tab_bytes / theirs.bytes, 3), "target": "(information)", "met": None,
                     "note": f"gzip {mine.tab_gzip_bytes / 1e6:.3f} MB; built in {mine.tab_seconds:.3f} s"})
    return rows


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    peer, results = measure(args.sizes, args.repeats)
    print_table(peer, results)
    return table_rows(results)


if __name__ == "__main__":
    main()
