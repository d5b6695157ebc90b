"""Notification test helpers: a real loopback HTTP receiver, subscriptions, zaak notifications and fast settings."""

from __future__ import annotations

import asyncio
import inspect
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.identifiers import stable_rsin
from plein.notifications import service
from plein.notifications.models import Abonnement, Delivery, Message
from plein.settings import Settings

ADMIN = Principal("cli", "test-admin", "Test admin", frozenset(), all_rights=True)
RSIN = stable_rsin("plein:municipality:0363")
ZAAKTYPE = "http://plein.test/catalogi/api/v1/zaaktypen/0d3c8b47-7d4b-4b8c-9d35-6f1c0a1f3e2b"
AUTH = "Bearer abcdefghijklmnopqrstuvwxyz"


def fast(settings: Settings, **overrides: Any) -> Settings:
    """The test settings with short delays, so retries and leases happen within a test."""
    values: dict[str, Any] = {
        "notifications_base_delay": 0.01, "notifications_max_delay": 0.05, "notifications_timeout": 2.0,
        "notifications_lease_seconds": 5.0, "notifications_poll_interval": 0.02, "notifications_in_process": False,
    }
    return settings.model_copy(update={**values, **overrides})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    """One request the receiver got."""

    key: str
    content_type: str
    authorization: str
    body: dict[str, Any]


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 in a thread that records what it receives.

    `fail_first` answers 503 to the first N requests; `delay` makes every answer slow; `overlaps` lists the
    deliveries (path and idempotency key) that arrived while the same one was still being handled, so a test can
    see whether two workers sent one delivery at once.
    """

    port: int = 0
    fail_first: int = 0
    delay: float = 0.0
    status: int = 204
    received: list[Received] = field(default_factory=list)
    overlaps: list[str] = field(default_factory=list)
    _in_flight: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _requests: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/callback"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                key = self.headers.get("Idempotency-Key", "")
                status = receiver._arrive(f"{self.path} {key}")
                try:
                    if receiver.delay:
                        time.sleep(receiver.delay)
                    if status < 300:
                        receiver._record(Received(key, self.headers.get("Content-Type", ""),
                                                  self.headers.get("Authorization", ""), json.loads(raw)))
                finally:
                    receiver._leave(f"{self.path} {key}")
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _arrive(self, key: str) -> int:
        with self._lock:
            self._requests += 1
            self._in_flight[key] += 1
            if self._in_flight[key] > 1:
                self.overlaps.append(key)
            return 503 if self._requests <= self.fail_first else self.status

    def _leave(self, key: str) -> None:
        with self._lock:
            self._in_flight[key] -= 1

    def _record(self, item: Received) -> None:
        with self._lock:
            self.received.append(item)

    def busy(self) -> int:
        """Requests being handled right now."""
        with self._lock:
            return sum(self._in_flight.values())

    def keys(self) -> list[str]:
        with self._lock:
            return [item.key for item in self.received]

    def wait_for(self, condition: Callable[[Receiver], bool], seconds: float = 20.0) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition(self):
                return True
            time.sleep(0.02)
        return condition(self)


async def subscribe(session: AsyncSession, url: str, *, kanaal: str = "zaken", filters: dict[str, str] | None = None,
                    format: str = "zgw", auth: str = AUTH, owner: str | None = None) -> Abonnement:
    return await service.create_abonnement(
        session, callback_url=url, auth=auth, format=format, owner=owner,
        kanalen=[service.KanaalFilter(kanaal, filters or {})])


def zaak_kenmerken(vertrouwelijkheid: str = "openbaar", rsin: str = RSIN) -> dict[str, str]:
    return {"bronorganisatie": rsin, "zaaktype": ZAAKTYPE, "vertrouwelijkheidaanduiding": vertrouwelijkheid}


async def publish_zaak(session: AsyncSession, number: int = 0, actie: str = "create", **kenmerken: str) -> Message:
    """A zaak notification as the Zaken API would publish it (not committed: the caller decides)."""
    url = f"http://plein.test/zaken/api/v1/zaken/00000000-0000-4000-8000-{number:012d}"
    return await service.publish(session, kanaal="zaken", hoofd_object=url, resource="zaak", resource_url=url,
                                 actie=actie, kenmerken={**zaak_kenmerken(), **kenmerken})


async def publish_many(session: AsyncSession, count: int) -> list[str]:
    """Publish and commit count zaak notifications; returns their idempotency ids."""
    keys = []
    for number in range(count):
        keys.append(str((await publish_zaak(session, number)).uuid))
    await session.commit()
    return keys


async def deliveries(session: AsyncSession) -> list[Delivery]:
    await session.commit()  # a fresh transaction: on SQLite an open one keeps seeing its old snapshot
    query = select(Delivery).order_by(Delivery.id).execution_options(populate_existing=True)
    return list((await session.scalars(query)).unique().all())


async def until(condition: Callable[[], bool | Awaitable[bool]], seconds: float = 30.0) -> bool:
    """Wait (without blocking the event loop) until condition holds or the time is up; returns whether it held."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await _holds(condition):
            return True
        await asyncio.sleep(0.05)
    return await _holds(condition)


async def _holds(condition: Callable[[], bool | Awaitable[bool]]) -> bool:
    result = condition()
    return bool(await result) if inspect.isawaitable(result) else bool(result)


def all_delivered(session: AsyncSession) -> Callable[[], Awaitable[bool]]:
    """A condition for until(): every delivery in the database is delivered."""
    async def check() -> bool:
        return {row.status for row in await deliveries(session)} == {"delivered"}

    return check
