"""A person under investigation: the inOnderzoek that comes along with the fields asked (at the person's top level,
or inside a group of which only some fields are granted) is delivered and logged, not refused as ungranted."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plein.exchange.models import LogRecord
from plein.registers.brp.models import Person, Residence
from tests.registers.helpers import URL, query, reader, world

CASES = [  # the fields granted and asked, what is under investigation, where inOnderzoek then shows
    (["burgerservicenummer", "gemeenteVanInschrijving"], Residence, ("inOnderzoek", "gemeenteVanInschrijving")),
    (["burgerservicenummer", "naam.voornamen"], Person, ("naam", "inOnderzoek", "voornamen")),
]


@pytest.mark.parametrize(("fields", "table", "shown"), CASES)
async def test_the_investigation_comes_along_and_is_logged(client: httpx.AsyncClient, session: AsyncSession,
                                                           fields: list[str], table: Any,
                                                           shown: tuple[str, ...]) -> None:
    w = await world(session)
    if table is Residence:
        await session.execute(update(Residence).where(Residence.bsn == w.anna, Residence.valid_to.is_(None))
                              .values(onderzoek="080000", onderzoek_datum="20250101"))
    else:
        await session.execute(update(Person).where(Person.bsn == w.anna)
                              .values(onderzoek_persoon="010000", onderzoek_persoon_datum="20250101"))
    await session.commit()
    headers = await reader(session, fields)
    answer = await client.post(URL, headers=headers, json=query("RaadpleegMetBurgerservicenummer", fields,
                                                                burgerservicenummer=[w.anna]))
    assert answer.status_code == 200, answer.text
    [found] = answer.json()["personen"]
    for key in shown:
        found = found[key]
    assert found is True
    [record] = await session.scalars(select(LogRecord).where(LogRecord.subject == w.anna))
    assert set(fields) <= set(record.fields) and any("inOnderzoek" in path for path in record.fields)
