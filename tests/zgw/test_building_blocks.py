"""Building blocks of the case APIs: identificaties under concurrency and the audit trail."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from plein import clock
from plein.zgw import audit
from plein.zgw.auth import ZgwCaller
from plein.zgw.identificatie import next_identificatie


async def test_fifty_concurrent_creates_draw_fifty_distinct_numbers(app: object) -> None:
    sessions: async_sessionmaker[AsyncSession] = app.state.sessions  # type: ignore[attr-defined]

    async def create() -> str:
        async with sessions() as session:
            value = await next_identificatie(session, "002220647", "ZAAK", dt.date(2026, 5, 1))
            await asyncio.sleep(0)
            await session.commit()
            return value

    drawn = await asyncio.gather(*(create() for _ in range(50)))
    assert len(set(drawn)) == 50
    assert sorted(drawn) == [f"ZAAK-2026-{n:010d}" for n in range(1, 51)]
    async with sessions() as session:
        assert await next_identificatie(session, "002220647", "ZAAK", dt.date(2026, 5, 1)) == "ZAAK-2026-0000000051"
        assert await next_identificatie(session, "123456782", "ZAAK", dt.date(2026, 5, 1)) == "ZAAK-2026-0000000001"
        assert await next_identificatie(session, "002220647", "ZAAK", dt.date(2027, 1, 1)) == "ZAAK-2027-0000000001"


async def test_numbers_drawn_in_an_open_transaction_by_backend(app: object, session: AsyncSession) -> None:
    sessions: async_sessionmaker[AsyncSession] = app.state.sessions  # type: ignore[attr-defined]
    year = clock.today().year
    assert await next_identificatie(session, "002220647", "BESLUIT") == f"BESLUIT-{year}-0000000001"
    if session.get_bind().dialect.name == "postgresql":
        # drawn on the counter pool, outside the create's transaction: another create is not held up meanwhile,
        # and a rolled-back create leaves a gap
        async with sessions() as other:
            later = await asyncio.wait_for(next_identificatie(other, "002220647", "BESLUIT"), 5)
        assert later == f"BESLUIT-{year}-0000000002"
        await session.rollback()
        assert await next_identificatie(session, "002220647", "BESLUIT") == f"BESLUIT-{year}-0000000003"
    else:  # SQLite: part of the create's own transaction (one writer at a time), so the number comes back
        await session.rollback()
        assert await next_identificatie(session, "002220647", "BESLUIT") == f"BESLUIT-{year}-0000000001"


async def test_the_audit_trail_keeps_who_did_what_and_goes_with_its_object(session: AsyncSession) -> None:
    caller = ZgwCaller("zaaksysteem", True, user_id="mdevries", user_representation="M. de Vries",
                       applicatie_label="Zaaksysteem")
    zaak = uuid.uuid4()
    url = f"http://plein.test/zaken/api/v1/zaken/{zaak}"
    await audit.record(session, caller, bron="zrc", hoofd_object=zaak, hoofd_object_url=url, actie="create",
                       resultaat=201, resource="zaak", resource_url=url, resource_weergave="ZAAK-2026-0000000001",
                       nieuw={"url": url})
    await audit.record(session, caller, bron="zrc", hoofd_object=uuid.uuid4(), hoofd_object_url=url, actie="create",
                       resultaat=201, resource="zaak", resource_url=url)
    await session.commit()
    [entry] = await audit.trail(session, zaak)
    shown = audit.represent(entry)
    assert shown["applicatieWeergave"] == "Zaaksysteem"
    assert (shown["gebruikersId"], shown["gebruikersWeergave"]) == ("mdevries", "M. de Vries")
    assert shown["actieWeergave"] == "Object aangemaakt"
    assert shown["wijzigingen"] == {"nieuw": {"url": url}}
    await audit.forget(session, zaak)
    await session.commit()
    assert await audit.trail(session, zaak) == []
