"""Several server processes (plein.serve): each new connection goes to the next worker in turn; workers that die are
replaced; a stop signal stops them all."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from plein.migrate import upgrade_and_seed
from plein.settings import Settings

READY = "/api/store/v1/openapi.json"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(connection: http.client.HTTPConnection) -> int:
    connection.request("GET", READY)
    response = connection.getresponse()
    response.read()
    return response.status


def _workers(supervisor: subprocess.Popen[bytes]) -> list[psutil.Process]:
    """The worker processes (multiprocessing's resource tracker is a child too, and serves nothing)."""
    children = psutil.Process(supervisor.pid).children()
    return [child for child in children if "resource_tracker" not in " ".join(child.cmdline())]


def _held(worker: psutil.Process, port: int) -> int:
    return sum(1 for c in worker.net_connections("tcp") if c.status == "ESTABLISHED" and c.laddr.port == port)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """serve_workers with two workers on a fresh SQLite database (the supervisor does not care which database);
    the process and its port once both workers answer."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'plein.db'}"
    upgrade_and_seed(Settings(database_url=url))
    port = _free_port()
    env = {**os.environ, "PLEIN_DATABASE_URL": url, "PLEIN_DATA_DIR": str(tmp_path / "data"),
           "PLEIN_NOTIFICATIONS_IN_PROCESS": "false"}
    code = f"from plein.serve import serve_workers; serve_workers('127.0.0.1', {port}, 2, 'warning')"
    supervisor = subprocess.Popen([sys.executable, "-c", code], env=env)
    try:
        _wait_for_workers(supervisor, port, 2)
        yield supervisor, port
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()


def _wait_for_workers(supervisor: subprocess.Popen[bytes], port: int, count: int = 2) -> None:
    """Until fresh connections are answered by each of the `count` workers (each has started its app: one still
    starting is handed nothing while another serves)."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert supervisor.poll() is None, "the supervisor stopped"
        connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(count)]
        try:
            if all(_get(connection) == 200 for connection in connections):
                workers = _workers(supervisor)
                if len(workers) == count and all(_held(worker, port) for worker in workers):
                    return
        except OSError:
            pass
        finally:
            for connection in connections:
                connection.close()
        time.sleep(0.2)
    raise AssertionError("the workers did not answer within 180 s")


def test_connections_are_handed_to_the_workers_in_turn(served: tuple[subprocess.Popen[bytes], int]) -> None:
    supervisor, port = served
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(6)]
    try:
        assert [_get(connection) for connection in connections] == [200] * 6
        assert sorted(_held(worker, port) for worker in _workers(supervisor)) == [3, 3]
        # keep-alive: the next request on a connection is answered by the worker that holds it
        assert [_get(connection) for connection in connections] == [200] * 6
    finally:
        for connection in connections:
            connection.close()


def test_a_worker_that_dies_is_replaced(served: tuple[subprocess.Popen[bytes], int]) -> None:
    supervisor, port = served
    first, second = _workers(supervisor)
    first.kill()
    first.wait(10)
    deadline = time.monotonic() + 30
    while {worker.pid for worker in _workers(supervisor)} in ({second.pid}, {first.pid, second.pid}):
        assert time.monotonic() < deadline, "no new worker was started"
        time.sleep(0.2)
    _wait_for_workers(supervisor, port)
    assert len(_workers(supervisor)) == 2 and second.is_running()


def test_a_worker_still_starting_is_handed_nothing_while_another_serves(
        served: tuple[subprocess.Popen[bytes], int]) -> None:
    """A replacement takes seconds to start its app (on a busy machine, up to a minute): the connections made
    meanwhile go to the worker that serves, instead of waiting unanswered in the new one's queue."""
    supervisor, port = served
    first, second = _workers(supervisor)
    first.kill()
    first.wait(10)
    deadline = time.monotonic() + 30
    while not [worker for worker in _workers(supervisor) if worker.pid not in (first.pid, second.pid)]:
        assert time.monotonic() < deadline, "no new worker was started"
        time.sleep(0.05)
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=120) for _ in range(4)]
    try:
        assert [_get(connection) for connection in connections] == [200] * 4
        assert _held(second, port) == 4
    finally:
        for connection in connections:
            connection.close()


def test_a_stop_signal_stops_the_supervisor_and_its_workers(served: tuple[subprocess.Popen[bytes], int]) -> None:
    supervisor, _ = served
    workers = _workers(supervisor)
    supervisor.send_signal(signal.SIGTERM)
    assert supervisor.wait(60) == 0
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert alive == [] and len(gone) == 2
