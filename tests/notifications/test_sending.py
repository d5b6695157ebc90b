"""The real sender: it POSTs over keep-alive connections and, when private callbacks are not allowed, refuses
internal addresses at connect time, also when a name resolves to one."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from plein.notifications.sending import AiohttpSender, ConnectFailed, InternalAddressRefused, PublicOnlyResolver
from plein.notifications.tasks import deliver_due
from plein.settings import Settings, networks
from tests.notifications.helpers import Receiver, deliveries, fast, free_port, publish_many, subscribe


async def test_the_sender_posts_the_body_and_headers_and_reads_the_answer() -> None:
    receiver = Receiver(status=202).start()
    sender = AiohttpSender(4, 5.0, allow_private=True)
    try:
        for number in range(3):  # the connection is reused; each POST arrives whole
            status, _ = await sender.post(receiver.url, b'{"n": %d}' % number,
                                          {"Content-Type": "application/json", "Idempotency-Key": f"k{number}",
                                           "Authorization": "Bearer x"})
            assert status == 202
    finally:
        await sender.close()
        receiver.stop()
    assert [(item.key, item.body, item.authorization) for item in receiver.received] == [
        (f"k{n}", {"n": n}, "Bearer x") for n in range(3)]


async def test_a_refused_connection_is_a_connect_failure_that_names_the_address() -> None:
    port = free_port()
    sender = AiohttpSender(1, 5.0, allow_private=True)
    try:
        with pytest.raises(ConnectFailed, match=f"could not connect to 127.0.0.1:{port}"):
            await sender.post(f"http://127.0.0.1:{port}/callback", b"{}", {})
    finally:
        await sender.close()


@pytest.mark.parametrize("url", ["http://127.0.0.1:{port}/callback", "http://localhost:{port}/callback",
                                 "http://[::1]:{port}/callback", "http://10.1.2.3:{port}/callback",
                                 "http://100.64.0.1:{port}/callback", "http://[::ffff:127.0.0.1]:{port}/callback"])
async def test_without_private_callbacks_internal_addresses_are_refused(url: str) -> None:
    receiver = Receiver().start()
    sender = AiohttpSender(1, 5.0, allow_private=False)
    try:
        with pytest.raises(InternalAddressRefused, match="internal address"):
            await sender.post(url.format(port=receiver.port), b"{}", {})
    finally:
        await sender.close()
        receiver.stop()
    assert receiver.received == []


async def test_a_name_that_resolves_only_to_internal_addresses_is_refused() -> None:
    resolver = PublicOnlyResolver()
    try:
        with pytest.raises(InternalAddressRefused, match="resolves only to internal addresses"):
            await resolver.resolve("localhost", 80)
    finally:
        await resolver.close()


async def test_production_never_delivers_to_an_internal_address(app: Any, session: AsyncSession,
                                                                 settings: Settings) -> None:
    receiver = Receiver().start()
    try:
        await subscribe(session, receiver.url)  # made while private callbacks were allowed
        await publish_many(session, 2)
        strict = fast(settings, notifications_private_callbacks=False, notifications_max_attempts=1)
        report = await deliver_due(app.state.sessions, strict)
    finally:
        receiver.stop()
    assert report.parked == 2 and receiver.received == []
    assert all("internal address" in (row.last_error or "") for row in await deliveries(session))


async def test_the_allow_list_lets_an_internal_receiver_through_at_delivery() -> None:
    receiver = Receiver().start()
    sender = AiohttpSender(1, 5.0, allow_private=False, allowed=networks("127.0.0.0/8"))
    try:
        status, _ = await sender.post(f"http://127.0.0.1:{receiver.port}/callback", b"{}", {})
        with pytest.raises(InternalAddressRefused):
            await sender.post(f"http://10.1.2.3:{receiver.port}/callback", b"{}", {})
    finally:
        await sender.close()
        receiver.stop()
    assert status < 500 and len(receiver.received) == 1
