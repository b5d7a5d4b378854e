"""Every performance benchmark in one run: one table printed, the same rows in benchmarks/results/all.json.

    /work/main/.venv/bin/python benchmarks/run_all.py [--quick] [--only clustering throughput ...]

The performance targets and the script that measures each, side by side with its baseline in one run:
  1 clustering + all figures vs dash_bio.Clustergram   bench_clustering.py
  2-5 browser: page load, click to panels, threshold, first-visit bytes   bench_browser.py
  6 server throughput under gunicorn                   bench_throughput.py
  7 memory of one worker over 1,000 interactions       bench_memory.py
  no view runs away: every option, 2000 x 2000 tied   bench_worstcase.py
  parsing within 3x pandas.read_csv (wide, long with seeds)   bench_parsing.py
  table view callback at 1000 x 1000                  bench_table.py
`--quick` runs smaller sizes and shorter loads (a smoke run of the whole suite, a few minutes);
its figures are not the targets' figures. `--context` also prints the other benchmarks (store,
insights), which time building blocks rather than targets.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT), str(ROOT / "tests")]
RESULTS = HERE / "results" / "all.json"


def _suites(quick: bool) -> dict[str, tuple[str, list[str]]]:
    """name -> (module, argv for its main())."""
    # The browser suite runs first: the suites share this process, and once bench_clustering has
    # imported dash_bio, Dash would serve dash_bio's bundle to the browser suite's app as well.
    suites = {
        "browser": ("bench_browser", ["--quick"] if quick else []),
        "clustering": (
            "bench_clustering",
            ["--sizes", "300", "--repeats", "1"] if quick else ["--sizes", "1000", "--repeats", "3"],
        ),
        "throughput": ("bench_throughput", ["--quick"] if quick else []),
        "memory": ("bench_memory", ["--quick"] if quick else []),
        "replicates": ("bench_replicates", ["--quick"] if quick else []),
        "annotations": ("bench_annotations", ["--quick"] if quick else []),
        "parsing": ("bench_parsing", ["--quick"] if quick else []),  # ours beside pandas.read_csv, same bytes
        "table": ("bench_table", ["--quick"] if quick else []),
        "worstcase": ("bench_worstcase", ["--quick"] if quick else []),  # no link runs away (2000 x 2000, tied)
    }
    return suites


CONTEXT = ("bench_store.py", "bench_insights.py")


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )
    versions = {}
    for name in ("dash", "plotly", "numpy", "scipy", "gunicorn"):
        with contextlib.suppress(Exception):
            versions[name] = importlib.import_module(name).__version__
    return {
        "cores": os.cpu_count(), "memory_gb": round(int(meminfo[1]) / 2**20, 1), "cpu": cpu,
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()], **versions,
    }


def run_suite(name: str, module: str, argv: list[str]) -> tuple[list[dict], float]:
    start = time.perf_counter()
    print(f"\n===== {name}: {module} {' '.join(argv)} =====", flush=True)
    try:
        rows = importlib.import_module(module).main(argv) or []
    except SystemExit as err:  # argparse or an explicit exit inside a suite
        rows = [{"metric": f"{name}: exited", "size": "-", "value": None, "unit": "", "baseline": None, "ratio": None,
                 "target": "", "met": False, "note": f"SystemExit {err.code}"}]
    except Exception as err:
        traceback.print_exc()
        rows = [{"metric": f"{name}: failed", "size": "-", "value": None, "unit": "", "baseline": None, "ratio": None,
                 "target": "", "met": False, "note": f"{type(err).__name__}: {err}"[:300]}]
    return [{**row, "suite": name} for row in rows], time.perf_counter() - start


def _cell(value, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def print_table(rows: list[dict]) -> None:
    columns = [
        ("metric", 46), ("size", 22), ("value", 9), ("unit", 6), ("baseline", 9), ("ratio", 7), ("target", 30),
        ("met", 4),
    ]
    print("\n" + " ".join(f"{title:<{width}}" for title, width in columns))
    print(" ".join("-" * width for _, width in columns))
    for row in rows:
        print(" ".join(f"{_cell(row.get(title)):<{width}}"[: max(width, len(_cell(row.get(title))))]
                       for title, width in columns))
    notes = [(row["metric"], row["size"], row["note"]) for row in rows if row.get("note")]
    if notes:
        print()
        for metric, size, note in notes:
            print(f"  {metric} [{size}]: {note}")


def markdown_table(rows: list[dict]) -> str:
    """The same rows as a Markdown table (the README's Performance section)."""
    lines = ["| target | size | ours | baseline | ratio | target | met |", "|---|---|---|---|---|---|---|"]
    for row in rows:
        unit = row.get("unit") or ""
        lines.append(f"| {row['metric']} | {row['size']} | {_cell(row.get('value'))} {unit} | "
                     f"{_cell(row.get('baseline'))} {unit} | "
                     f"{_cell(row.get('ratio'))} | {row.get('target', '')} | {_cell(row.get('met'))} |")
    return "\n".join(lines)


def run_context() -> dict[str, str]:
    out = {}
    for script in CONTEXT:
        print(f"\n===== context: {script} =====", flush=True)
        done = subprocess.run(
            [sys.executable, str(HERE / script)], capture_output=True, text=True, timeout=1800, cwd=ROOT,
        )
        out[script] = done.stdout + (done.stderr[-2000:] if done.returncode else "")
        print(out[script], flush=True)
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, shorter loads: a smoke run of the suite")
    parser.add_argument("--only", nargs="+", choices=list(_suites(False)),
                        help="run these suites only; the other suites' rows are kept from the last results file")
    parser.add_argument("--context", action="store_true", help="also print the store and insights benchmarks")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    started = datetime.now(timezone.utc)
    info = machine()
    rows: list[dict] = []
    durations = {}
    for name, (module, suite_argv) in _suites(args.quick).items():
        if args.only and name not in args.only:
            continue
        suite_rows, durations[name] = run_suite(name, module, suite_argv)
        rows += suite_rows
    if args.only and args.out.exists():  # keep the other suites' rows from the last run
        previous = json.loads(args.out.read_text())
        kept = [row for row in previous.get("rows", []) if row.get("suite") not in args.only]
        rows = kept + rows
        durations = {**{k: v for k, v in previous.get("seconds", {}).items() if k not in args.only}, **durations}
    context = run_context() if args.context else {}
    print(
        f"\n===== performance results{' (quick)' if args.quick else ''}: {info['cores']} cores, {info['memory_gb']} "
        f"GB, {info['cpu']} ====="
    )
    print_table(rows)
    result = {
        "command": "python benchmarks/run_all.py"
                   + (" " + " ".join(argv if argv is not None else sys.argv[1:])).rstrip(),
        "quick": args.quick, "started": started.isoformat(timespec="seconds"), "machine": info,
        "seconds": {name: round(s, 1) for name, s in durations.items()}, "rows": rows, "context": context,
    }
    print("\n" + markdown_table(rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"\nwritten: {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return result


if __name__ == "__main__":
    main()
