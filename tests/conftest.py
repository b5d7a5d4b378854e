"""Shared fixtures: apps on temporary stores, live servers, gunicorn, PostgreSQL, Chromium."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL server that scripts/test starts; a run without it fails, never skips."""
    url = os.environ.get("TMX_TEST_DATABASE_URL")
    if not url:
        pytest.fail("TMX_TEST_DATABASE_URL is not set: run the suite through scripts/test, which starts PostgreSQL")
    return url


class PostgresDatabases:
    """Fresh, empty PostgreSQL databases on the test server, one per test, dropped afterwards."""

    def __init__(self, server_url: str):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self._base = make_url(server_url)
        self._admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        self._names: list[str] = []

    def url(self) -> str:
        """The URL of a database that does not exist yet (see `create`)."""
        name = f"tmx_t_{uuid.uuid4().hex[:16]}"
        self._names.append(name)
        return self._base.set(database=name).render_as_string(hide_password=False)

    def create(self, url: str) -> str:
        from sqlalchemy.engine import make_url

        with self._admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{make_url(url).database}"')
        return url

    def new(self) -> str:
        return self.create(self.url())

    def drop_all(self, attempts: int = 40) -> None:
        from sqlalchemy.exc import DBAPIError

        with self._admin.connect() as connection:
            for name in self._names:
                for attempt in range(attempts):
                    try:
                        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                        break
                    except DBAPIError:
                        # an autovacuum worker on the new database runs as the server's own role, which
                        # FORCE may not end ("must be a member of the role whose process is being
                        # terminated"); it finishes by itself within moments
                        if attempt == attempts - 1:
                            raise
                        time.sleep(0.25)
        self._admin.dispose()


@pytest.fixture
def postgres_databases(postgres_url):
    databases = PostgresDatabases(postgres_url)
    yield databases
    databases.drop_all()


@pytest.fixture
def make_app(sqlite_url):
    from web.config import Config
    from web.factory import create_app

    def make(**overrides):
        return create_app(Config(**{"database_url": sqlite_url, **overrides}))

    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.server.test_client()


class LiveServer:
    """The app in a background thread of this process, on a free port."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = make_server("127.0.0.1", self.port, app.server, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        wait_http(self.url + "/healthz")

    def stop(self):
        self._server.shutdown()


@pytest.fixture
def live_server(app):
    server = LiveServer(app)
    yield server
    server.stop()


def dockerfile_command() -> list[str]:
    """The CMD of the Dockerfile, so serving tests run exactly what the container runs."""
    text = (ROOT / "Dockerfile").read_text()
    match = re.search(r"^CMD\s+(\[.*\])\s*$", text, re.M)
    return json.loads(match.group(1))


class Gunicorn:
    """gunicorn as the Dockerfile runs it, bound to a free local port."""

    def __init__(self, env: dict[str, str]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = dockerfile_command()
        command[0] = str(Path(sys.executable).with_name("gunicorn"))
        full_env = {**os.environ, **env, "TMX_BIND": f"127.0.0.1:{self.port}"}
        self.log = open(ROOT / "tests" / f".gunicorn-{self.port}.log", "w+")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=full_env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            wait_http(self.url + "/healthz", timeout=60)
        except Exception:
            self.stop()
            raise RuntimeError("gunicorn did not start: " + self.output())

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self, sig=signal.SIGTERM):
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


@pytest.fixture
def gunicorn_factory(sqlite_url):
    servers = []

    def start(database_url: str | None = None, **env) -> Gunicorn:
        server = Gunicorn({"DATABASE_URL": database_url or sqlite_url, **env})
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


# --- browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test installs Debian's chromium package")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A fresh browser context and page; fails the test on page errors and CSP violations."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.errors = errors
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
