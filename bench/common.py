"""What the benchmarks share: a PostgreSQL admin connection, `plein serve` as a subprocess, and milliseconds."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import asyncpg
import httpx
from rich.console import Console
from sqlalchemy.engine import make_url

READY_PATH = "/api/store/v1/openapi.json"


def console() -> Console:
    """The benches' console: at least 140 columns when the output is not a terminal (a log file, CI), so that the
    tables are not cut short."""
    return Console(width=None if sys.stdout.isatty() else 140)


def pg_dsn(url: str) -> str:
    """A SQLAlchemy URL (postgresql+asyncpg://…) as a plain DSN for asyncpg."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def pg_admin(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def run_admin(url: str, *statements: str) -> None:
    asyncio.run(pg_admin(url, *statements))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


@contextmanager
def plein_server(url: str, temp: Path, workers: int = 1, settings: dict[str, str] | None = None) -> Iterator[str]:
    """`plein serve` (with `workers` processes and these extra PLEIN_* settings) as a subprocess on a free port; its
    base URL once it answers; always stopped."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    plein = Path(sys.executable).parent / "plein"
    command = [str(plein)] if plein.exists() else [sys.executable, "-c", "from plein.cli import main; main()"]
    env = {**os.environ, "PLEIN_DATABASE_URL": url, "PLEIN_LOG_LEVEL": "warning", "PLEIN_DATA_DIR": str(temp),
           **(settings or {})}
    log_path = temp / "server.log"
    with log_path.open("w") as log:
        options = ["--workers", str(workers)] if workers != 1 else []
        process = subprocess.Popen([*command, "serve", "--host", "127.0.0.1", "--port", str(port), *options],
                                   env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base, process, log_path)
            yield base
        finally:  # the server and its workers are one process group of their own
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    with httpx.Client(base_url=base, timeout=5) as client:
        for _ in range(300):
            if process.poll() is not None:
                raise SystemExit(f"the server stopped:\n{log.read_text()}")
            with suppress(httpx.TransportError):
                if client.get(READY_PATH).status_code == 200:
                    return
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer within a minute:\n{log.read_text()}")
