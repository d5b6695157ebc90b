"""The counts behind an unfiltered list of zaken: spread over slots on PostgreSQL (so that concurrent creates of one
zaaktype do not wait for one row), summed exactly after creates, changes of confidentiality and deletes."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.zgw.zaken.models import ZaakTelling
from tests.zgw.helpers import all_rights
from tests.zgw.zaken.helpers import BASE, CRS, local, published_zaaktype, zaak_body


@pytest.fixture
async def admin(session: AsyncSession) -> dict[str, str]:
    return await all_rights(session) | CRS


async def test_the_slots_sum_to_the_zaken_there_are(client: httpx.AsyncClient, session: AsyncSession,
                                                    admin: dict[str, str]) -> None:
    zaaktype = await published_zaaktype(client, admin)
    made = [(await client.post(f"{BASE}/zaken", json=zaak_body(zaaktype.url), headers=admin)).json()
            for _ in range(24)]
    for zaak in made[:5]:
        assert (await client.delete(local(zaak["url"]), headers=admin)).status_code == 204
    for zaak in made[5:8]:
        await client.patch(local(zaak["url"]), json={"vertrouwelijkheidaanduiding": "geheim"}, headers=admin)
    rows = (await session.execute(select(ZaakTelling.vertrouwelijkheid, func.sum(ZaakTelling.aantal),
                                         func.count(ZaakTelling.slot.distinct()))
                                  .group_by(ZaakTelling.vertrouwelijkheid))).all()
    totals = {level: int(total) for level, total, _ in rows}
    assert sorted(totals.values()) == [3, 16]
    assert (await client.get(f"{BASE}/zaken", headers=admin)).json()["count"] == 19
    slots = max(used for _, _, used in rows)
    assert slots > 1 if session.bind.dialect.name == "postgresql" else slots == 1
