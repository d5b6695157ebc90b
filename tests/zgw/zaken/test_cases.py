"""The internal Python API: a whole registration lands at once, or nothing of it does."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import InvalidInput
from plein.notifications.models import Message
from plein.zgw.audit import AuditRecord
from plein.zgw.zaken import cases
from plein.zgw.zaken.models import Rol, Status, Zaak
from tests.zgw.helpers import all_rights
from tests.zgw.zaken.helpers import CRS, Zaaktype, published_zaaktype, zaak_body

BASE_URL = "http://plein.test"


@pytest.fixture
async def zaaktype(client: httpx.AsyncClient, session: AsyncSession) -> Zaaktype:
    return await published_zaaktype(client, await all_rights(session) | CRS)


def rol(zaaktype: Zaaktype, bsn: str = "999993653") -> dict[str, object]:
    return {"roltype": zaaktype.roltype, "betrokkeneType": "natuurlijk_persoon", "roltoelichting": "Aanvrager",
            "betrokkeneIdentificatie": {"inpBsn": bsn}}


async def test_a_zaak_with_rollen_and_status_is_registered_in_one_go(session: AsyncSession,
                                                                     client: httpx.AsyncClient,
                                                                     zaaktype: Zaaktype) -> None:
    made = await cases.register_zaak(
        session, BASE_URL, zaak_body(zaaktype.url), rollen=[rol(zaaktype)],
        status={"statustype": zaaktype.statustypen[0], "datumStatusGezet": "2026-11-23T09:00:00Z"})
    assert made.status is not None
    assert made.zaak.status_id == made.status.id
    headers = await all_rights(session, "lezer") | CRS
    found = await client.get("/zaken/api/v1/zaken", headers=headers,
                             params={"rol__betrokkeneIdentificatie__natuurlijkPersoon__inpBsn": "999993653"})
    assert [z["identificatie"] for z in found.json()["results"]] == [made.zaak.identificatie]
    kinds = [(m.resource, m.actie) for m in await session.scalars(
        select(Message).where(Message.kanaal == "zaken").order_by(Message.id))]
    assert kinds == [("zaak", "create"), ("rol", "create"), ("status", "create")]


async def test_a_failure_halfway_leaves_nothing_behind(session: AsyncSession, zaaktype: Zaaktype) -> None:
    wrong = rol(zaaktype) | {"roltype": zaaktype.resultaattype}
    with pytest.raises(InvalidInput) as raised:
        await cases.register_zaak(session, BASE_URL, zaak_body(zaaktype.url), rollen=[rol(zaaktype), wrong])
    assert raised.value.invalid_params[0].name == "roltype"
    for model in (Zaak, Rol, Status, AuditRecord):  # a drawn identificatie number may stay used: a gap, not a zaak
        assert await session.scalar(select(func.count()).select_from(model)) == 0, model
    assert await session.scalar(select(func.count()).where(Message.kanaal == "zaken")) == 0


async def test_internal_bodies_meet_the_same_schema(session: AsyncSession, zaaktype: Zaaktype) -> None:
    with pytest.raises(InvalidInput) as raised:
        await cases.register_zaak(session, BASE_URL, zaak_body(zaaktype.url, startdatum=20261123))
    assert [(p.name, p.code) for p in raised.value.invalid_params] == [("startdatum", "invalid")]
    assert await session.scalar(select(func.count()).select_from(Zaak)) == 0
