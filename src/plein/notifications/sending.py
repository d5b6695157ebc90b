"""How the delivery worker POSTs to subscribers: aiohttp over pooled keep-alive connections, refusing internal
addresses at connect time when the settings say so; an httpx transport stands in for it in tests."""

from __future__ import annotations

import socket
from typing import Protocol
from urllib.parse import urlsplit

import aiohttp
import httpx
from aiohttp.abc import AbstractResolver, ResolveResult

from plein.notifications.filters import is_internal_address
from plein.settings import Networks

USER_AGENT = "Plein-notificaties"
ANSWER_LIMIT = 300


class ConnectFailed(OSError):
    """No connection to the subscriber could be made (refused, unreachable, unknown name)."""


class InternalAddressRefused(ConnectFailed):
    """The callback's host is (or resolves only to) an internal address and private callbacks are not allowed."""


class Sender(Protocol):
    """POSTs one notification; returns the status code and the start of the answer, raises on a failed request."""

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]: ...

    async def close(self) -> None: ...


class PublicOnlyResolver(AbstractResolver):
    """Resolves names as the system does, then drops internal addresses, so that a name that resolves (or is
    re-pointed) to the internal network cannot make Plein call it."""

    def __init__(self, allowed: Networks = ()) -> None:
        self._inner = aiohttp.ThreadedResolver()
        self.allowed = allowed

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        public = [entry for entry in found if not is_internal_address(entry["host"], self.allowed)]
        if not public:
            raise InternalAddressRefused(f"{host} resolves only to internal addresses; Plein does not deliver there")
        return public

    async def close(self) -> None:
        await self._inner.close()


class AiohttpSender:
    """The real sender: one aiohttp session with at most `concurrency` connections, kept alive between batches."""

    def __init__(self, concurrency: int, timeout: float, *, allow_private: bool, allowed: Networks = ()) -> None:
        self.allow_private, self.allowed = allow_private, allowed
        connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency, ttl_dns_cache=60,
                                         resolver=None if allow_private else PublicOnlyResolver(allowed))
        self._session = aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=timeout), headers={"User-Agent": USER_AGENT},
            auto_decompress=False, skip_auto_headers=("Accept-Encoding",))

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        if not self.allow_private:  # a literal address never reaches the resolver
            host = urlsplit(url).hostname or ""
            if is_internal_address(host, self.allowed) or host == "localhost" or host.endswith(".localhost"):
                raise InternalAddressRefused(f"{host} is an internal address; Plein does not deliver there")
        try:
            async with self._session.post(url, data=body, headers=headers, allow_redirects=False) as response:
                start = await response.content.read(ANSWER_LIMIT)
                return response.status, start.decode("utf-8", "replace").strip()
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, InternalAddressRefused):
                raise exc.os_error from exc
            raise ConnectFailed(f"could not connect to {exc.host}:{exc.port}: {exc.os_error.strerror or exc.os_error}"
                                ) from exc

    async def close(self) -> None:
        await self._session.close()


class HttpxSender:
    """A sender over an httpx transport (httpx.MockTransport in tests)."""

    def __init__(self, transport: httpx.AsyncBaseTransport, timeout: float) -> None:
        self._client = httpx.AsyncClient(transport=transport, follow_redirects=False, timeout=timeout,
                                         headers={"User-Agent": USER_AGENT})

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        try:
            response = await self._client.post(url, content=body, headers=headers)
        except httpx.ConnectError as exc:
            raise ConnectFailed(f"could not connect to {urlsplit(url).netloc}: {exc}") from exc
        return response.status_code, response.content[:ANSWER_LIMIT].decode("utf-8", "replace").strip()

    async def close(self) -> None:
        await self._client.aclose()
