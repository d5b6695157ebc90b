"""A PostgreSQL cluster of a benchmark's own: initdb into a temporary folder, served on a free loopback port.

For benchmarks that stop or restart PostgreSQL (bench/soak.py), so that a shared server is never touched. It uses
the server binaries of the machine (Debian: /usr/lib/postgresql/<version>/bin, the newest; else initdb on PATH).
PostgreSQL refuses to run as root: as root the cluster runs as the user `postgres` (else `nobody`) through
`runuser`, and its folder is handed to that user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

DEBIAN_BINARIES = Path("/usr/lib/postgresql")
UNPRIVILEGED = ("postgres", "nobody")


def find_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: Debian's newest version, else the one on PATH; None when absent."""
    versions = sorted((path for path in DEBIAN_BINARIES.glob("*/bin") if (path / "pg_ctl").exists()),
                      key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0)
    if versions:
        return versions[-1]
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and (Path(initdb).parent / "pg_ctl").exists() else None


def run_as() -> str | None:
    """The user to run PostgreSQL as: None when we are not root, else the first unprivileged user that exists."""
    if os.geteuid() != 0:
        return None
    if not shutil.which("runuser"):
        raise SystemExit("running as root without runuser: start the benchmark as an unprivileged user")
    for name in UNPRIVILEGED:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise SystemExit(f"running as root and none of the users {', '.join(UNPRIVILEGED)} exists to run PostgreSQL")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """One PostgreSQL cluster in `folder` (made by initdb on creation); start, stop and restart it at will."""

    def __init__(self, binaries: Path, folder: Path | None = None) -> None:
        self.binaries = binaries
        self.user = run_as()
        self.folder = folder or Path(tempfile.mkdtemp(prefix="plein-soak-pg-"))
        self.port = free_port()
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C",
                  "--no-sync")

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "postgresql.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Start and wait until it accepts connections (on 127.0.0.1 only, its socket in its own folder)."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "120", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop and wait until it has stopped (fast: sessions are ended, open transactions rolled back)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "120", "stop")

    def running(self) -> bool:
        command = self._command("pg_ctl", "-D", str(self.data), "status")
        return subprocess.run(command, cwd=self.folder, capture_output=True, check=False).returncode == 0

    def remove(self) -> None:
        """Stop it if it runs, and delete its folder."""
        if self.running():
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def _command(self, program: str, *args: str) -> list[str]:
        prefix = ["runuser", "-u", self.user, "--"] if self.user is not None else []
        return [*prefix, str(self.binaries / program), *args]

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run(self._command(program, *args), cwd=self.folder, capture_output=True, text=True,
                              check=False)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise SystemExit(f"{program} failed ({done.returncode}): {done.stderr.strip()}\n{log}")
