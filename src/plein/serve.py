"""`plein serve --workers N`: one process listens and hands each new connection to the next worker in turn.

Worker processes that share a listening socket race for new connections, and the first one awake takes every
connection waiting: a client that opens 32 keep-alive connections at once may find all of them on one worker while
the others sit idle (measured: half the throughput, and twice the latency). Here the supervisor accepts and passes
each connection (its file descriptor, over a Unix socket) to the workers round robin, so they carry equal shares.
A worker is uvicorn's server with the app of plein.app.served_app; it serves what it is handed and listens on
nothing itself, and says when it has started its app: until then it is handed nothing while another worker can
take the connection (a worker that replaces a dead one takes seconds to start, much longer on a busy machine, and a
connection handed to it would wait all that time). A worker that dies is replaced; SIGINT or SIGTERM stops the
supervisor, which stops the workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import multiprocessing
import os
import selectors
import signal
import socket
import time
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import uvicorn

logger = logging.getLogger("uvicorn.error")
APP = "plein.app:served_app"
STOP_WAIT = 30.0  # seconds a worker gets to finish its requests when stopped
CHECK_EVERY = 0.5  # seconds between checks that every worker is alive
READY = b"r"  # what a worker sends its supervisor once it serves


class HandedServer(uvicorn.Server):
    """A uvicorn server that listens on nothing: it serves the connections its supervisor hands it over `channel`."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self.channel = channel

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # the app's lifespan, and no listening socket
        if self.should_exit:
            return
        http: Any = self.config.http_protocol_class  # made the way uvicorn's own startup makes it
        protocol = functools.partial(http, config=self.config, server_state=self.server_state,
                                     app_state=self.lifespan.state)
        self.channel.setblocking(False)
        loop = asyncio.get_running_loop()
        loop.add_reader(self.channel.fileno(), self._take, loop, protocol)
        with contextlib.suppress(OSError):  # a supervisor that is gone is noticed by _take
            self.channel.send(READY)

    def _take(self, loop: asyncio.AbstractEventLoop, protocol: Any) -> None:
        try:
            message, descriptors, _, _ = socket.recv_fds(self.channel, 1, 16)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            message, descriptors = b"", []
        if not message and not descriptors:  # the supervisor is gone: finish what is in hand, then stop
            loop.remove_reader(self.channel.fileno())
            self.should_exit = True
            return
        for descriptor in descriptors:
            connection = socket.socket(fileno=descriptor)
            loop.create_task(loop.connect_accepted_socket(protocol, connection))


def _work(channel: socket.socket, host: str, port: int, log_level: str) -> None:
    """A worker process: build the app and serve what the supervisor hands over until told to stop."""
    config = uvicorn.Config(APP, factory=True, host=host, port=port, log_level=log_level)
    HandedServer(config, channel).run()


@dataclass
class _Worker:
    process: BaseProcess
    channel: socket.socket
    ready: bool = False

    def is_ready(self) -> bool:
        """Whether the worker has said that its app has started (read from its channel the first time it is)."""
        if not self.ready:
            with contextlib.suppress(OSError):  # nothing yet (BlockingIOError), or gone
                self.ready = self.channel.recv(16) == READY
        return self.ready


@dataclass
class Supervisor:
    """Accepts on `listener` and hands each connection to the next live worker; replaces workers that die."""

    listener: socket.socket
    count: int
    host: str
    port: int
    log_level: str
    workers: list[_Worker] = field(default_factory=list)
    turn: int = 0
    stopping: bool = False

    def run(self) -> None:
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        self.listener.setblocking(False)
        try:
            self.workers = [self._start() for _ in range(self.count)]
            with selectors.DefaultSelector() as selector:
                selector.register(self.listener, selectors.EVENT_READ)
                checked = time.monotonic()
                while not self.stopping:
                    if selector.select(CHECK_EVERY):
                        self._accept_waiting()
                    if time.monotonic() - checked >= CHECK_EVERY:
                        self._replace_dead()
                        checked = time.monotonic()
        finally:
            self.listener.close()
            self._stop_workers()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def _start(self) -> _Worker:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        process = multiprocessing.get_context("spawn").Process(
            target=_work, args=(theirs, self.host, self.port, self.log_level), name="plein-worker")
        process.start()
        theirs.close()
        ours.setblocking(False)
        return _Worker(process, ours)

    def _accept_waiting(self) -> None:
        while not self.stopping:
            try:
                connection, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # e.g. out of file descriptors: keep serving the connections there are
                logger.error("could not accept a connection: %s", exc)
                time.sleep(CHECK_EVERY)  # and do not spin on a listener that stays readable
                return
            with connection:
                connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._hand(connection)

    def _hand(self, connection: socket.socket) -> None:
        """Pass the connection to the next ready worker that takes it; when none is ready (all are starting), to the
        next live one, which serves it once started; closed unserved when none takes it."""
        for ready_only in (True, False):
            for _ in range(len(self.workers)):
                worker = self.workers[self.turn % len(self.workers)]
                self.turn += 1
                if ready_only and not worker.is_ready():
                    continue
                try:
                    socket.send_fds(worker.channel, [b"c"], [connection.fileno()])
                    return
                except OSError:  # gone, or too far behind to take more now: the next one
                    continue
        logger.error("no worker could take a new connection; it is closed")

    def _replace_dead(self) -> None:
        for index, worker in enumerate(self.workers):
            if not worker.process.is_alive() and not self.stopping:
                logger.error("worker %s stopped (exit code %s); starting a new one", worker.process.pid,
                             worker.process.exitcode)
                worker.channel.close()
                self.workers[index] = self._start()

    def _stop_workers(self) -> None:
        for worker in self.workers:
            worker.channel.close()  # a worker also takes this as the sign to stop
            if worker.process.is_alive() and worker.process.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.process.pid, signal.SIGTERM)  # uvicorn's graceful stop
        deadline = time.monotonic() + STOP_WAIT
        for worker in self.workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()


def serve_workers(host: str, port: int, count: int, log_level: str) -> None:
    """Listen on host:port and serve with `count` worker processes (see the module's first lines)."""
    config = uvicorn.Config(APP, factory=True, host=host, port=port, log_level=log_level, workers=count)
    listener = config.bind_socket()
    listener.listen(config.backlog)
    Supervisor(listener, count, host, port, log_level).run()
