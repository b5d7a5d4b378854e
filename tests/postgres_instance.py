"""A PostgreSQL server of the test's own (initdb + pg_ctl into a temporary directory, its own
port), for tests that stop and start the database: the shared test server is never touched."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from conftest import free_port


def _bin_dir() -> Path:
    version = (os.environ.get("TMX_PG_VERSION")
               or sorted(os.listdir("/usr/lib/postgresql"), key=lambda v: [int(x) for x in v.split(".")])[-1])
    return Path("/usr/lib/postgresql") / version / "bin"


class PostgresInstance:
    def __init__(self):
        self.bin = _bin_dir()
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="tmx-pg-"))
        self.data = self.dir / "data"
        shutil.chown(self.dir, "postgres", "postgres")
        self._as_postgres(f"{self.bin / 'initdb'} -D {self.data} -A trust -U postgres --no-sync -E UTF8 >/dev/null")
        self.start()
        self._as_postgres(f"{self.bin / 'psql'} -h 127.0.0.1 -p {self.port} -U postgres -qc 'create database tmx'")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/tmx"

    def _as_postgres(self, command: str) -> None:
        runner = (["su", "postgres", "-c", command] if os.geteuid() == 0
                  else ["sudo", "-u", "postgres", "sh", "-c", command])
        subprocess.run(runner, check=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(
            f"{self.bin / 'pg_ctl'} -D {self.data} -l {self.dir / 'log'} -o {shlex.quote(options)} -w -t 60 start "
            ">/dev/null"
        )

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres(f"{self.bin / 'pg_ctl'} -D {self.data} -m {mode} -w -t 60 stop >/dev/null")

    def destroy(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
