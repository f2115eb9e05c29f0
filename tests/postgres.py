"""A throwaway PostgreSQL server for the tests: ``initdb`` into a temporary folder, started
on a free 127.0.0.1 port with its socket in that folder, stopped and deleted at the end.

``initdb`` refuses to run as root: as root, the folder is given to an unprivileged system
user (``postgres`` when Debian's package made it, else ``nobody``) and the server runs as
that user (``runuser``). Where no server can be had (no ``initdb``, no psycopg, initdb or
the server failing), :func:`start_server` raises :class:`Unavailable` with the reason, and
the fixture skips the tests with it.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

SEARCH = ["/usr/lib/postgresql/*/bin", "/usr/local/bin", "/usr/local/pgsql/bin"]
USER = "parley"  # the server's superuser, trusted on this socket and 127.0.0.1 only


class Unavailable(Exception):
    pass


def find_program(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in SEARCH:
        for candidate in sorted(glob.glob(f"{folder}/{name}"), reverse=True):  # newest version first
            if os.access(candidate, os.X_OK):
                return candidate
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    folder: Path
    port: int
    pg_ctl: str
    run_as: list[str]

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh empty database on this server; its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        subprocess.run([*self.run_as, self.pg_ctl, "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


def _unprivileged_user() -> list[str]:
    """The command prefix that runs as an unprivileged user (as root), else nothing."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        raise Unavailable("running as root and `runuser` is missing, so initdb (which refuses root) cannot run")
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return [runuser, "-u", name, "--"]
    raise Unavailable("running as root and there is no `postgres` or `nobody` user to run initdb as")


def start_server(durable: bool = False) -> Server:
    """Start a server; ``durable`` keeps PostgreSQL's default flushing to disk at each commit
    (benchmarks), else it is off (tests: a server that lives for one session)."""
    try:
        import psycopg  # noqa: F401  (the store needs it; without it no test could connect)
    except ImportError:
        raise Unavailable("psycopg is not installed (pip install 'psycopg[binary]')") from None
    initdb, pg_ctl = find_program("initdb"), find_program("pg_ctl")
    if not initdb or not pg_ctl:
        raise Unavailable("PostgreSQL's initdb / pg_ctl not found (Debian: apt-get install postgresql)")
    run_as = _unprivileged_user()
    folder = Path(tempfile.mkdtemp(prefix="parley-pg-"))
    if run_as:
        user = pwd.getpwnam(run_as[2])
        os.chown(folder, user.pw_uid, user.pw_gid)
    folder.chmod(0o700)
    data = folder / "data"
    made = subprocess.run([*run_as, initdb, "-D", str(data), "-U", USER, "-A", "trust", "-E", "UTF8",
                           "--locale", "C", "--no-sync"], capture_output=True, text=True, timeout=120, cwd=folder)
    if made.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise Unavailable(f"initdb failed: {(made.stderr or made.stdout).strip().splitlines()[-1:]}")
    port = free_port()
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c max_connections=40"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    started = subprocess.run([*run_as, pg_ctl, "-D", str(data), "-l", str(folder / "server.log"), "-o", options,
                              "-w", "-t", "60", "start"], capture_output=True, text=True, timeout=120, cwd=folder)
    server = Server(folder, port, pg_ctl, run_as)
    if started.returncode != 0:
        log = (folder / "server.log").read_text(errors="replace") if (folder / "server.log").exists() else started.stderr
        server.stop()
        raise Unavailable(f"the PostgreSQL server did not start: {log.strip().splitlines()[-1:]}")
    return server
