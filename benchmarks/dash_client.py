"""A Dash callback client for the server benchmarks: request bodies as the browser sends them,
gunicorn as the Dockerfile runs it, and a worker's resident memory.

The request body of a callback is built from `/_dash-dependencies` (the list the browser reads
on load): `output`, `outputs`, `inputs` and `state` with the values of the bound controls for a
ViewState, as `components/state.py` would have set them, and the view's query (the VIEW store).
"""

from __future__ import annotations

import http.client
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
for path in (str(ROOT), str(ROOT / "tests")):
    if path not in sys.path:
        sys.path.insert(0, path)

from components import ids  # noqa: E402
from components.state import BINDINGS  # noqa: E402
from transfer.viewstate import ViewState  # noqa: E402

UPDATE = "/_dash-update-component"


def _split(output: str) -> list[dict]:
    """Dash's output string ("..a.b...c.d.." for several, "a.b" for one) as id/property pairs."""
    parts = output.strip(".").split("...") if output.startswith("..") else [output]
    return [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]} for part in parts]


class Callbacks:
    """The app's callbacks by (a substring of) their output, and request bodies for a ViewState."""

    def __init__(self, dependencies: list[dict]):
        self.dependencies = dependencies

    @classmethod
    def fetch(cls, base_url: str) -> "Callbacks":
        return cls(json.loads(request(base_url, "GET", "/_dash-dependencies")[1]))

    def find(self, output: str, changed: str) -> dict:
        """The server callback writing `output` (a substring) with input `changed` (an id)."""
        matches = [d for d in self.dependencies if output in d["output"] and not d.get("clientside_function")
                   and any(i["id"] == changed for i in d["inputs"])]
        if len(matches) != 1:
            raise LookupError(f"{len(matches)} server callbacks write {output!r}")
        return matches[0]

    def body(self, output: str, state: ViewState, changed: str, extra: dict | None = None) -> bytes:
        """The JSON the browser posts when control `changed` (an id) fires the callback."""
        dep = self.find(output, changed)
        values = {(b.id, b.prop): b.from_state(getattr(state, b.field)) for b in BINDINGS}
        values[(ids.VIEW, "data")] = state.to_query()
        values.update(extra or {})

        def filled(items):
            return [{**item, "value": values.get((item["id"], item["property"]))} for item in items]

        changed_prop = next(f"{i['id']}.{i['property']}" for i in dep["inputs"] if i["id"] == changed)
        outputs = _split(dep["output"])
        body = {
            "output": dep["output"],
            "outputs": outputs if dep["output"].startswith("..") else outputs[0],
            "inputs": filled(dep["inputs"]),
            "changedPropIds": [changed_prop],
            "parsedChangedPropsIds": [changed_prop],
            "state": filled(dep["state"]),
        }
        return json.dumps(body).encode()


def request(base_url: str, method: str, path: str, body: bytes | None = None,
            connection: http.client.HTTPConnection | None = None, gzip: bool = False,
            content_type: str = "application/json") -> tuple[int, bytes]:
    """One request on `connection` (kept alive) or a new one; returns status and raw body."""
    own = connection is None
    if own:
        parts = urlsplit(base_url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=180)
    headers = {"Content-Type": content_type} if body is not None else {}
    if gzip:
        headers["Accept-Encoding"] = "gzip"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        if own:
            connection.close()


def connect(base_url: str) -> http.client.HTTPConnection:
    parts = urlsplit(base_url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("benchmarks only drive loopback servers")
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=180)  # cold clustering of 2000 tasks


class Gunicorn:
    """gunicorn started exactly as the Dockerfile starts it (its CMD, gunicorn.conf.py), bound to
    a free loopback port; `target` replaces `app:server` for the floor app. Stopped by its own
    process group id."""

    def __init__(
        self, env: dict[str, str], target: str = "app:server", log_path: str | None = None,
        extra_args: tuple[str, ...] = (),
    ):
        import os
        import subprocess
        import tempfile

        from conftest import dockerfile_command, free_port, wait_http

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = dockerfile_command()
        command[0] = str(Path(sys.executable).with_name("gunicorn"))
        command[-1:] = [*extra_args, target]
        self.log = open(log_path or tempfile.mkstemp(prefix="tmx-bench-gunicorn-", suffix=".log")[1], "w+")
        full_env = {**os.environ, **env, "TMX_BIND": f"127.0.0.1:{self.port}", "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=full_env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            wait_http(self.url + ("/healthz" if target == "app:server" else "/"), timeout=90)
        except Exception:
            self.stop()
            raise

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def stop(self) -> None:
        import os
        import signal

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except Exception:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def rss_mb(pid: int) -> float:
    """Resident set size of a process, from /proc (MB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise LookupError(f"no VmRSS for {pid}")
