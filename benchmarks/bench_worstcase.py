"""Worst cases a public link can reach: every view option on a 2000 x 2000 matrix of heavily tied
values, cold and warm, through the code a request runs (target 4 of issue 20).

    /work/main/.venv/bin/python benchmarks/bench_worstcase.py [--quick] [--size 2000] [--profile]

Two seeded n x n matrices with the same tasks on both axes: "tied", block-structured scores
rounded to one decimal (a few dozen distinct values: distances and merge heights tie by the
thousand), and "duplicates", the same rounded scores over 10% as many distinct tasks, each row and
column repeated ~10 times (exact duplicate profiles). Both stored with annotations (a `family`
field of 20 groups), so `order=group` and the within/between permutation test are reached too.

Each link is opened with Flask's test client as a browser would: the page (`GET /_dash-layout`
with the link `/?query` as its Referer, as Dash's renderer fetches it: the layout carries the
view's heatmap, panels and clustering card) and its JSON twin
(`GET /api/view?query`, taking gzip: clusters, insights, group statistics, table). Cold: every cache of the
process cleared first (trees, derived matrices, group statistics, figures; not the store's matrices);
warm: the same request again. The links: every `method` x `distance` (ward only with euclidean)
clustered, every `norm`, every `profile`, `order=data` (whose page still shows the clustering
card) and `order=group` with `group=family` (the permutation test); `--quick` a subset.
Targets: every link cold <= 10 s, warm <= 2 s. `--profile` prints cProfile's top functions of
the slowest cold link.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bench_browser import print_table  # noqa: E402
from bench_browser import result as row  # noqa: E402

from transfer import clustering  # noqa: E402
from transfer import view as view_module  # noqa: E402
from transfer.annotations import Annotations  # noqa: E402
from transfer.matrix import TransferMatrix  # noqa: E402
from transfer.viewstate import DISTANCES, METHODS, NORMS, PROFILES  # noqa: E402

COLD_LIMIT_S = 10.0
WARM_LIMIT_S = 2.0
GROUPS = 20


def tied_values(n: int, seed: int = 0) -> np.ndarray:
    """Block-structured scores rounded to one decimal (ties everywhere)."""
    rng = np.random.default_rng(seed)
    groups = rng.integers(0, max(2, n // 20), size=n)
    values = 0.1 * rng.normal(size=(n, n)) + 0.2 * (groups[:, None] == groups[None, :])
    return np.round(values, 1)


def make_matrices(n: int) -> dict[str, tuple[TransferMatrix, Annotations]]:
    labels = [f"task-{i:04d}" for i in range(n)]
    base = tied_values(max(2, n // 10), seed=1)
    copy_of = np.random.default_rng(2).integers(0, len(base), size=n)
    family = {label: (f"family {i % GROUPS}",) for i, label in enumerate(labels)}
    annotations = Annotations(("family",), tuple(labels), family)
    return {
        "tied": (TransferMatrix(rows=labels, cols=labels, values=tied_values(n), name="tied"), annotations),
        "duplicates": (
            TransferMatrix(rows=labels, cols=labels, values=base[np.ix_(copy_of, copy_of)], name="duplicates"),
            annotations,
        ),
    }


def links(quick: bool) -> list[str]:
    """The query strings opened (without dataset and ann), clustered unless said otherwise."""
    pairs = [(m, d) for m in METHODS for d in DISTANCES if m != "ward" or d == "euclidean"]
    if quick:
        pairs = [("average", "euclidean"), ("complete", "euclidean"), ("average", "correlation")]
    out = [f"order=cluster&method={m}&distance={d}" for m, d in pairs]
    norms = [n for n in NORMS if n != "none"][: 1 if quick else None]
    out += [f"norm={n}&order=cluster" for n in norms]
    if not quick:
        out += [f"order=cluster&profile={p}" for p in PROFILES if p != "both"]
        out += ["order=data"]
    out += ["order=group&group=family"]
    return out


def clear_caches() -> None:
    """Every cache a cold request would find empty in a fresh worker."""
    from components import heatmap

    clustering.cache_clear()
    view_module._DERIVED.clear()
    view_module._GROUP_STATS.clear()
    heatmap._FIGURES.clear()


def _get(client, url: str) -> float:
    """One request; the page's is Dash's layout request, which names the page's link in its Referer."""
    start = time.perf_counter()
    if url.startswith("/?"):
        response = client.get("/_dash-layout", headers={"Referer": "http://localhost" + url})
    else:  # as browsers, curl --compressed and Python's requests ask for it
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
    seconds = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return seconds


def measure(client, query: str, warm_repeats: int) -> dict:
    """Cold and warm seconds of the page and the API for one link (the datasets' matrices and
    annotations stay in the store's cache: reading them is not what is measured)."""
    times = {}
    for name, path in (("page", "/?"), ("api", "/api/view?")):
        clear_caches()
        times[f"{name} cold"] = _get(client, path + query)
        times[f"{name} warm"] = statistics.median(_get(client, path + query) for _ in range(warm_repeats))
    notices = client.get("/api/view?" + query).get_json()["notices"]
    times["notices"] = [text for text in notices if "skipped" in text or "permutations" in text]
    return times


def profile_link(client, query: str) -> str:
    clear_caches()
    profiler = cProfile.Profile()
    profiler.enable()
    client.get("/api/view?" + query)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    return out.getvalue()


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a subset of the links")
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--warm", type=int, default=3, help="warm requests per link (median)")
    parser.add_argument("--profile", action="store_true", help="cProfile the slowest cold link")
    args = parser.parse_args(argv)

    from web.config import Config
    from web.factory import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Config(database_url=f"sqlite:///{tmp}/bench.sqlite"))
        client = app.server.test_client()
        with app.server.app_context():
            from web.services import datasets as app_datasets

            datasets = app_datasets()
            stored = {name: datasets.put_both(matrix, annotations, quota=False)
                      for name, (matrix, annotations) in make_matrices(args.size).items()}
        measured = []
        for name, (dataset_id, ann_id) in stored.items():
            for link in links(args.quick):
                query = f"dataset={dataset_id}&ann={ann_id}&{link}"
                times = measure(client, query, args.warm)
                measured.append((name, link, query, times))
                print(f"{name:10} {link:55} " + " ".join(f"{key} {value:6.2f}s" for key, value in times.items()
                                                          if key != "notices")
                      + (f"  [{'; '.join(times['notices'])[:120]}]" if times["notices"] else ""), flush=True)

    size = f"{args.size}x{args.size}, {len(measured)} links"
    rows = []
    for kind, limit in (("cold", COLD_LIMIT_S), ("warm", WARM_LIMIT_S)):
        values = [max(times[f"page {kind}"], times[f"api {kind}"]) for _, _, _, times in measured]
        slowest = max(range(len(measured)), key=lambda i: values[i])
        name, link = measured[slowest][:2]
        slow = row(f"{kind}: slowest link (page or api)", size, values[slowest], "s", limit=limit)
        slow["value"] = round(values[slowest], 2)
        rows.append({**slow, "target": f"{kind} <= {limit:g} s", "note": f"{name}: {link}"})
        median = row(f"{kind}: median link", size, statistics.median(values), "s")
        rows.append({**median, "value": round(statistics.median(values), 2)})
    print_table(rows)
    ranked = sorted(measured, key=lambda item: -max(item[3]["page cold"], item[3]["api cold"]))
    print("\nslowest cold links:")
    for name, link, _, times in ranked[:5]:
        print(f"  {name:10} {link:55} page {times['page cold']:.2f}s api {times['api cold']:.2f}s")
    if args.profile and ranked:
        with tempfile.TemporaryDirectory() as tmp:  # a fresh app: the same data, stored again
            app = create_app(Config(database_url=f"sqlite:///{tmp}/bench.sqlite"))
            with app.server.app_context():
                from web.services import datasets as app_datasets

                name, link = ranked[0][:2]
                matrix, annotations = make_matrices(args.size)[name]
                dataset_id, ann_id = app_datasets().put_both(matrix, annotations, quota=False)
            print(profile_link(app.server.test_client(), f"dataset={dataset_id}&ann={ann_id}&{link}"))
    return rows


if __name__ == "__main__":
    main()
