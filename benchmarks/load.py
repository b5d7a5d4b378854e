"""Load and fault runs against gunicorn as the Dockerfile runs it (loopback only).

N clients, each with one keep-alive connection as a browser tab has, loop until the time is up
(or a bounded number of iterations), each iteration one of:

- page: a fresh visitor's page load: GET /?link, every script and stylesheet the page references,
  /_dash-layout, /_dash-dependencies and the chunks the renderer loads lazily (plotly.js ...);
- callbacks: the renderer's callbacks for opening a link: the URL sync callback with the page's
  initial control values, then every server callback whose inputs it changed (heatmap,
  insights, clustering, ...) and the ones those trigger, with the exact
  payloads the browser sends, built from /_dash-dependencies and /_dash-layout;
- view: GET /api/view with a random link (bundled or this client's uploads, cluster order,
  selections, norms, comparisons);
- selection: GET /api/selection with such a link (what a click on a cell asks);
- upload: POST /api/datasets with a distinct small matrix (wide CSV, some missing cells).

Every acknowledged upload (201) is read back afterwards through /api/view?dataset=id and its
labels and values compared exactly. Prints requests/s and p50/p99 latency per kind.

    python benchmarks/load.py --clients 50 --seconds 60 --database-url sqlite:////tmp/tmx-load.sqlite
    python benchmarks/load.py --clients 50 --seconds 60 --database-url postgresql+psycopg://tmx:tmx@127.0.0.1:5432/tmx_load
    python benchmarks/load.py --url http://127.0.0.1:8050 --clients 10 --seconds 10
    python benchmarks/load.py ... --kill-worker-at 20     # fault: SIGKILL one gunicorn worker

Without --url it starts gunicorn itself (the Dockerfile's CMD with gunicorn.conf.py: 2 gthread
workers) on a free loopback port. Exit status 1 when any request failed or an upload was lost.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import math
import os
import random
import re
import signal
import sys
import threading
import time
import urllib.parse
import zlib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components import ids  # noqa: E402
from components.state import BINDINGS  # noqa: E402
from transfer.viewstate import parse_query  # noqa: E402

# What Chromium fetched on a fresh page load besides what the HTML references (recorded with
# Playwright): chunks dash-renderer and dcc load lazily (plotly.js is the page's preload).
# tests/test_load.py checks each exists.
LAZY_CHUNKS = (
    "/_dash-component-suites/dash/dcc/async-dropdown.js",
    "/_dash-component-suites/dash/dcc/async-graph.js",
    "/_dash-component-suites/dash/dcc/async-slider.js",
    "/_dash-component-suites/dash/dcc/async-upload.js",
    "/_favicon.ico?v=4.4.1",
)
BROWSER_HEADERS = {"Accept-Encoding": "gzip, deflate", "User-Agent": "tmx-load"}  # Chromium on plain http
MIX = (("page", 1), ("callbacks", 3), ("view", 3), ("selection", 2), ("upload", 2))  # iteration weights
UNAVAILABLE_TEXT = "try again shortly"  # the store's 503 message, also shown by callbacks
LOOPBACK = ("127.0.0.1", "localhost", "::1")
# Every simulated client comes from one loopback address: an upload budget that is counted
# (the limiter's cost is part of the figures) but never spent (web/abuse.py).
SERVER_ENV = {"TMX_UPLOAD_RATE": "1000000/minute"}
# Requests that never got an answer because their connection died (a killed worker): the error
# types a browser sees as a reset or closed connection.
DROPPED = (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine, http.client.IncompleteRead)


class RequestFailed(Exception):
    pass


@dataclass
class Sample:
    kind: str
    at: float  # seconds since the run started
    seconds: float
    status: int  # 0: no answer


@dataclass
class Upload:
    id: str
    rows: list[str]
    cols: list[str]
    values: list[list[float | None]]


@dataclass
class Report:
    seconds: float
    clients: int
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # visible to the user (after the one retry)
    dropped: list[str] = field(default_factory=list)  # no answer on the first try, retried once
    unavailable: list[str] = field(default_factory=list)  # clean 503 / "try again" answers (allowed runs only)
    uploads: list[Upload] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event, repr=False)  # a fault ended the run early
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def note(self, bucket: str, message: str) -> None:
        with self.lock:
            getattr(self, bucket).append(message)

    def table(self) -> str:
        kinds: dict[str, list[float]] = {}
        for s in self.samples:
            if s.status:
                kinds.setdefault(s.kind, []).append(s.seconds)
        lines = [f"{self.clients} clients, {self.seconds:.1f} s: {len(self.samples)} requests, "
                 f"{len(self.samples) / self.seconds:.1f} requests/s",
                 f"{'kind':<42}{'count':>7}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"]
        for kind in sorted(kinds, key=lambda k: (not k.startswith("callback"), k)):
            times = sorted(kinds[kind])
            lines.append(f"{kind:<42}{len(times):>7}{len(times) / self.seconds:>8.1f}"
                         f"{1000 * percentile(times, 50):>9.1f}{1000 * percentile(times, 99):>9.1f}"
                         f"{1000 * times[-1]:>9.1f}")
        lines.append(f"errors: {len(self.errors)}   dropped connections retried: {len(self.dropped)}   "
                     f"503 'try again': {len(self.unavailable)}   uploads acknowledged: {len(self.uploads)}   lost: "
                     f"{len(self.lost)}")
        lines += [f"  error: {e}" for e in self.errors[:10]] + [f"  lost: {e}" for e in self.lost[:10]]
        return "\n".join(lines)


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return math.nan
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(p / 100 * len(sorted_values)) - 1))]


def check_loopback(url: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(url)
    if parts.hostname not in LOOPBACK:
        raise SystemExit(f"refusing to load {parts.hostname}: only loopback addresses ({', '.join(LOOPBACK)})")
    return parts.hostname, parts.port or 80


class Connection:
    """One keep-alive connection, as a browser tab holds; reconnects after a dropped one."""

    def __init__(self, url: str, timeout: float = 30.0):
        self.host, self.port = check_loopback(url)
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
    ) -> tuple[int, bytes, dict]:
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            self._conn.request(method, path, body=body, headers={**BROWSER_HEADERS, **(headers or {})})
            response = self._conn.getresponse()
            data = response.read()
        except BaseException:
            self.close()
            raise
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        encoding = response.getheader("Content-Encoding")
        if encoding == "gzip":
            data = gzip.decompress(data)
        elif encoding == "deflate":
            data = zlib.decompress(data)
        return response.status, data, dict(response.getheaders())


# --- Dash renderer emulation ------------------------------------------------------------------


def layout_props(node, props: dict) -> dict:
    """(id, prop) -> initial value for every component with a plain string id in /_dash-layout."""
    if isinstance(node, list):
        for child in node:
            layout_props(child, props)
    elif isinstance(node, dict):
        if "props" in node and "type" in node:
            own = node["props"]
            if isinstance(own.get("id"), str):
                for key, value in own.items():
                    if key not in ("id", "children") or not isinstance(value, (dict, list)):
                        props[(own["id"], key)] = value
            layout_props(own.get("children"), props)
            for value in own.values():  # components inside other props (tab contents, labels)
                if isinstance(value, (dict, list)) and value is not own.get("children"):
                    layout_props(value, props)
    return props


def split_outputs(output: str) -> list[tuple[str, str]]:
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [tuple(part.rsplit(".", 1)) for part in parts]  # type: ignore[misc]


@dataclass(frozen=True)
class CallbackSpec:
    name: str
    output: str
    outputs: tuple[tuple[str, str], ...]
    inputs: tuple[tuple[str, str], ...]
    state: tuple[tuple[str, str], ...]

    @staticmethod
    def usable(spec: dict) -> bool:
        """Server callbacks with plain ids (pattern-matching ones are user clicks, not page load)."""
        deps = [*spec["inputs"], *spec["state"]]
        return (not spec.get("clientside_function") and not spec["output"].count("{")
                and all(isinstance(d["id"], str) and not d["id"].startswith("{") for d in deps))

    @classmethod
    def of(cls, spec: dict) -> "CallbackSpec":
        outputs = tuple(split_outputs(spec["output"]))
        pair = lambda d: (d["id"], d["property"])  # noqa: E731
        name = f"{outputs[0][0]} <- {spec['inputs'][0]['id']}"  # the heatmap has three callbacks
        return cls(name, spec["output"], outputs, tuple(map(pair, spec["inputs"])), tuple(map(pair, spec["state"])))

    def payload(self, props: dict, changed: list[tuple[str, str]]) -> dict:
        def dep(pair):
            entry = {"id": pair[0], "property": pair[1]}
            if props.get(pair) is not None:
                entry["value"] = props[pair]
            return entry

        outputs = [{"id": i, "property": p} for i, p in self.outputs]
        changed_ids = [f"{i}.{p}" for i, p in changed]
        return {
            "output": self.output,
            "outputs": outputs if self.output.startswith("..") else outputs[0],
            "inputs": [dep(p) for p in self.inputs],
            "changedPropIds": changed_ids,
            "parsedChangedPropsIds": changed_ids,
            "state": [dep(p) for p in self.state],
        }


@dataclass
class Site:
    """What every client learns once: the page, its callbacks and initial values, the links."""

    url: str
    assets: list[str]
    end_id: str
    initial: dict
    sync: CallbackSpec
    callbacks: list[CallbackSpec]
    datasets: dict[str, tuple[list[str], list[str]]]  # bundled id -> (rows, cols)


def discover(url: str) -> Site:
    conn = Connection(url)
    try:
        status, html, _ = conn.request("GET", "/")
        if status != 200:
            raise RequestFailed(f"GET / answered {status}")
        text = html.decode()
        assets = [m for m in re.findall(r'(?:src|href)="(/[^"]+)"', text)
                  if m.startswith(("/_dash-component-suites/", "/assets/"))]
        config = json.loads(
            re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', text, re.S).group(1)
        )
        _, layout, _ = conn.request("GET", "/_dash-layout")
        _, deps, _ = conn.request("GET", "/_dash-dependencies")
        specs = [CallbackSpec.of(s) for s in json.loads(deps) if CallbackSpec.usable(s)]
        sync = next(s for s in specs if s.inputs == ((ids.VIEW_REQUEST, "data"),))
        initial = layout_props(json.loads(layout), {})
        datasets = {}
        for option in initial.get((ids.CATALOGUE, "data"), []):  # the catalogue the page lists
            _, body, _ = conn.request("GET", f"/api/view?dataset={urllib.parse.quote(option['value'])}")
            view = json.loads(body)
            datasets[option["value"]] = (view["rows"], view["cols"])
        return Site(url, assets, config.get("end_id", ""), initial, sync, [s for s in specs if s is not sync], datasets)
    finally:
        conn.close()


def call(conn: Connection, end_id: str, spec: CallbackSpec, props: dict, changed) -> dict:
    body = json.dumps(spec.payload(props, changed)).encode()
    status, data, _ = conn.request("POST", f"/_dash-update-component?endId={urllib.parse.quote(end_id)}", body,
                                   {"Content-Type": "application/json"})
    if status == 204:  # PreventUpdate
        return {}
    if status != 200:
        raise RequestFailed(f"callback {spec.name} answered {status}: {data[:200]!r}")
    answer = json.loads(data)
    return answer.get("response", {}) | {"__side__": answer.get("sideUpdate") or {}}


# --- one client -------------------------------------------------------------------------------


class Client(threading.Thread):
    def __init__(self, site: Site, index: int, report: Report, started: float, deadline: float,
                 max_iterations: int, allow_unavailable: bool, seed: int):
        super().__init__(daemon=True, name=f"load-client-{index}")
        self.site, self.index, self.report = site, index, report
        self.started, self.deadline, self.max_iterations = started, deadline, max_iterations
        self.allow_unavailable = allow_unavailable
        self.rng = random.Random(seed * 1000 + index)
        self.conn = Connection(site.url)
        self.uploads: list[Upload] = []
        self.serial = 0

    def run(self) -> None:
        kinds, weights = zip(*MIX)
        try:
            for _ in range(self.max_iterations):
                if time.monotonic() >= self.deadline or self.report.stop.is_set():
                    break
                kind = self.rng.choices(kinds, weights)[0]
                try:
                    getattr(self, kind)()
                except RequestFailed as err:
                    self.report.note("errors", str(err))
                except Exception as err:  # noqa: BLE001 (a client bug must show as an error, not a hang)
                    self.report.note("errors", f"{kind}: {type(err).__name__}: {err}")
        finally:
            self.conn.close()

    # One request, retried once when its connection died before any answer (a browser does the
    # same for a reused keep-alive connection). Every route here is safe to repeat: GETs and
    # callbacks are pure functions of the link, and an upload is content-addressed.
    def request(
        self, kind: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None, expect=(200,),
    ):
        for attempt in (1, 2):
            start = time.monotonic()
            try:
                status, data, response_headers = self.conn.request(method, path, body, headers)
            except DROPPED as err:
                self.report.add(Sample(kind, start - self.started, time.monotonic() - start, 0))
                message = f"{kind} {method} {path[:80]}: {type(err).__name__} (attempt {attempt})"
                self.report.note("dropped" if attempt == 1 else "errors", message)
                if attempt == 2:
                    raise RequestFailed(message) from err
                continue
            except OSError as err:  # timeouts, refused connections
                self.report.add(Sample(kind, start - self.started, time.monotonic() - start, 0))
                raise RequestFailed(f"{kind} {method} {path[:80]}: {type(err).__name__}: {err}") from err
            self.report.add(Sample(kind, start - self.started, time.monotonic() - start, status))
            if status == 503 and self.allow_unavailable and UNAVAILABLE_TEXT in data.decode("utf-8", "replace"):
                self.report.note("unavailable", f"{kind} {path[:60]}")
                return None
            if status not in expect:
                raise RequestFailed(f"{kind} {method} {path[:80]} answered {status}: {data[:200]!r}")
            return data
        return None

    def link(self) -> str:
        rng = self.rng
        if self.uploads and rng.random() < 0.4:
            upload = rng.choice(self.uploads)
            dataset, rows, cols = upload.id, upload.rows, upload.cols
        else:
            dataset = rng.choice(sorted(self.site.datasets))
            rows, cols = self.site.datasets[dataset]
        params = [("dataset", dataset)]
        if rng.random() < 0.3:
            params += [("order", "cluster"), ("k", str(rng.randint(2, min(len(rows), len(cols), 4))))]
        if rng.random() < 0.2:
            params.append(("norm", rng.choice(["diag", "zrow", "zcol"])))
        if rng.random() < 0.15:
            params.append(("compare", rng.choice(sorted(self.site.datasets))))
        if rng.random() < 0.6:
            params += [("row", rng.choice(rows)), ("col", rng.choice(cols))]
        if rng.random() < 0.2:
            params.append(("sort", "value"))
        return urllib.parse.urlencode(params)

    def page(self) -> None:
        """A new visitor: a new connection (so new workers get traffic), nothing cached."""
        self.conn.close()
        link = self.link()
        html = self.request("page", "GET", "/?" + link)
        if html is not None and b"_dash-config" not in html:
            raise RequestFailed("GET / answered without the Dash page")
        for path in [*self.site.assets, *LAZY_CHUNKS]:
            self.request("asset", "GET", path)
        # the renderer's request names the page: the layout arrives drawn for its link
        self.request("page", "GET", "/_dash-layout", headers={"Referer": f"{self.site.url}/?{link}"})
        self.request("page", "GET", "/_dash-dependencies")

    def callbacks(self) -> None:
        """Go to a link within the page (back/forward) as the browser does: the view's store and
        every bound control show the link (assets/view.js), the view is requested from `sync`,
        and the callbacks whose inputs changed fire, then what those trigger."""
        props = dict(self.site.initial)
        state = parse_query(self.link())[0]
        changed = {
            (b.id, b.prop) for b in BINDINGS if props.get((b.id, b.prop)) != b.from_state(getattr(state, b.field))
        }
        props.update({(b.id, b.prop): b.from_state(getattr(state, b.field)) for b in BINDINGS})
        props[(ids.VIEW_REQUEST, "data")] = {
            "serial": 1, "query": self.link(), "before": props.get((ids.VIEW, "data")) or "", "carry": False,
        }
        props[(ids.VIEW, "data")] = self.link()
        fired: set[str] = set()
        pending = [(self.site.sync, [(ids.VIEW_REQUEST, "data")])]
        pending += [(s, [p for p in s.inputs if p in changed]) for s in self.site.callbacks]
        for _ in range(4):  # sync and the callbacks of changed controls, what they trigger, ...
            pending = [(s, triggers) for s, triggers in pending if triggers and s.output not in fired]
            if not pending:
                break
            changed = set()
            for spec, triggers in pending:
                fired.add(spec.output)
                answer = self.callback(spec, props, triggers)
                if answer is None:
                    return
                for component, values in answer.items():
                    if component == "__side__":
                        continue
                    for prop, value in values.items():
                        props[(component, prop)] = value
                        changed.add((component, prop))
            pending = [(s, [p for p in s.inputs if p in changed]) for s in self.site.callbacks]

    def callback(self, spec: CallbackSpec, props: dict, changed) -> dict | None:
        body = json.dumps(spec.payload(props, changed)).encode()
        path = f"/_dash-update-component?endId={urllib.parse.quote(self.site.end_id)}"
        data = self.request(f"callback {spec.name}", "POST", path, body, {"Content-Type": "application/json"},
                            expect=(200, 204))
        if not data:
            return {} if data is not None else None
        answer = json.loads(data)
        side = json.dumps(answer.get("sideUpdate") or {})
        if UNAVAILABLE_TEXT in side:  # the store is down: the page shows a notice instead
            if not self.allow_unavailable:
                raise RequestFailed(f"callback {spec.name}: the store was unavailable")
            self.report.note("unavailable", f"callback {spec.name}")
            return None
        return answer.get("response", {})

    def view(self) -> None:
        data = self.request("view", "GET", "/api/view?" + self.link())
        if data is not None and "rows" not in json.loads(data):
            raise RequestFailed("/api/view answered without rows")

    def selection(self) -> None:
        """What a click asks: the numbers of the link's selected row and column."""
        data = self.request("selection", "GET", "/api/selection?" + self.link())
        if data is not None and "selection" not in json.loads(data):
            raise RequestFailed("/api/selection answered without a selection")

    def upload(self) -> None:
        self.serial += 1
        tag = f"c{self.index}u{self.serial}"
        n_rows, n_cols = self.rng.randint(2, 6), self.rng.randint(2, 6)
        rows = [f"{tag}-train-{i}" for i in range(n_rows)]
        cols = [f"{tag}-test-{j}" for j in range(n_cols)]
        values = [[None if self.rng.random() < 0.1 else self.rng.gauss(0, 0.1) for _ in cols] for _ in rows]
        values[0][0] = self.rng.gauss(0, 0.1)  # never an all-missing matrix
        lines = ["train\\test," + ",".join(cols)] + [
            label + "," + ",".join("" if v is None else repr(v) for v in row) for label, row in zip(rows, values)
        ]
        data = self.request(
            "upload", "POST", f"/api/datasets?name={tag}", "\n".join(lines).encode(), {"Content-Type": "text/csv"},
            expect=(201,),
        )
        if data is None:
            return
        upload = Upload(json.loads(data)["id"], rows, cols, values)
        self.uploads.append(upload)
        with self.report.lock:
            self.report.uploads.append(upload)


# --- a run ------------------------------------------------------------------------------------


def run(url: str, clients: int, seconds: float, *, max_iterations: int = 100_000, allow_unavailable: bool = False,
        seed: int = 1, during=None) -> Report:
    """Load `url` with `clients` threads for `seconds`; `during(report, started)` runs beside them
    (a fault to inject) and must return by itself. Uploads are not verified here (see `verify`)."""
    site = discover(url)
    started = time.monotonic()
    report = Report(seconds=seconds, clients=clients)
    threads = [Client(site, i, report, started, started + seconds, max_iterations, allow_unavailable, seed)
               for i in range(clients)]
    for thread in threads:
        thread.start()
    if during is not None:
        during(report, started)
    for thread in threads:
        thread.join(timeout=seconds + 120)
    report.seconds = time.monotonic() - started
    stuck = [t.name for t in threads if t.is_alive()]
    if stuck:
        report.errors.append(f"clients still running after the deadline: {stuck}")
    return report


def verify(url: str, report: Report) -> list[str]:
    """Read back every acknowledged upload; identical labels and values, or it counts as lost."""
    conn = Connection(url)
    lost = []
    try:
        for upload in report.uploads:
            status, data, _ = conn.request("GET", f"/api/view?dataset={upload.id}")
            view = json.loads(data) if status == 200 else {}
            if status != 200 or view.get("dataset", {}).get("id") != upload.id:
                lost.append(f"{upload.id}: answered {status} {view.get('notices')}")
            elif (view["rows"], view["cols"], view["values"]) != (upload.rows, upload.cols, upload.values):
                lost.append(f"{upload.id}: different labels or values")
    finally:
        conn.close()
    report.lost = lost
    return lost


# --- gunicorn ---------------------------------------------------------------------------------


def worker_pids(master_pid: int) -> set[int]:
    """gunicorn's workers: the children of the master process (from /proc)."""
    pids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master_pid:
                pids.add(int(entry))
    return pids


def kill_one_worker(master_pid: int, at: float, report: Report, started: float, *, log=None,
                    answers: int = 20, stop: bool = False, wait: float = 60.0) -> dict:
    """SIGKILL one worker `at` seconds into the run. Returns the pids, when gunicorn forked the
    replacement and, given `log` (a function returning gunicorn's access log), when the new worker
    had answered `answers` requests (it loads the app first); `stop` then ends the run."""
    time.sleep(max(0.0, started + at - time.monotonic()))
    before = worker_pids(master_pid)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    killed_at = time.monotonic() - started
    result = {"killed": victim, "killed_at": killed_at, "before": before, "forked_after": None, "answering_after": None}
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and result["answering_after"] is None:
        now = worker_pids(master_pid)
        new = now - before
        if new and victim not in now and result["forked_after"] is None:
            result["forked_after"] = time.monotonic() - started - killed_at
        if new and log is not None and answered_by(log(), min(new)) >= answers:
            result["answering_after"] = time.monotonic() - started - killed_at
        if result["forked_after"] is not None and log is None:
            break
        time.sleep(0.1)
    result["after"] = worker_pids(master_pid)
    if stop:
        report.stop.set()
    return result


def answered_by(access_log: str, pid: int) -> int:
    """Requests a worker answered, from gunicorn's access log (gunicorn.conf.py logs the pid)."""
    return sum(1 for line in access_log.splitlines() if f" <{pid}> " in line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--database-url", help="start gunicorn (Dockerfile CMD) on this database (default: a fresh SQLite file)",
    )
    parser.add_argument("--url", help="load this running server instead (loopback only)")
    parser.add_argument(
        "--kill-worker-at", type=float, help="SIGKILL one gunicorn worker this many seconds into the run",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.url and args.kill_worker_at is not None:
        parser.error("--kill-worker-at needs the gunicorn this script starts (no --url)")
    server = None
    if args.url:
        check_loopback(args.url)
        url = args.url
    else:
        import tempfile

        from tests.conftest import Gunicorn  # the serving tests' launcher: exactly the Dockerfile's CMD

        database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='tmx-load-')}/store.sqlite"
        server = Gunicorn({"DATABASE_URL": database_url, "TMX_LOG_LEVEL": "warning", **SERVER_ENV})
        url = server.url
        print(f"gunicorn (Dockerfile CMD, gunicorn.conf.py) on {url}, database {database_url.split('@')[-1]}")
    fault: dict = {}
    during = None
    if args.kill_worker_at is not None:
        def during(report, started):
            fault.update(kill_one_worker(server.process.pid, args.kill_worker_at, report, started, log=server.output))
    try:
        report = run(url, args.clients, args.seconds, seed=args.seed, during=during)
        verify(url, report)
        if fault:
            fault["new_worker_answered"] = {
                pid: answered_by(server.output(), pid) for pid in fault["after"] - fault["before"]
            }
            fault["killed_worker_answered"] = answered_by(server.output(), fault["killed"])
    finally:
        if server is not None:
            server.stop()
    print(report.table())
    if fault:
        print(f"worker {fault['killed']} SIGKILLed at {fault['killed_at']:.1f} s "
              f"(it had answered {fault['killed_worker_answered']}); "
              f"workers before {sorted(fault['before'])}, after {sorted(fault['after'])}; replacement forked after "
              f"{fault['forked_after']} s, answering after {fault['answering_after']} s; it answered "
              f"{fault['new_worker_answered']}")
        for line in report.dropped[:20]:
            print("  dropped, retried:", line)
    return 1 if report.errors or report.lost else 0


if __name__ == "__main__":
    sys.exit(main())
