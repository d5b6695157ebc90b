"""ztc-015 on eigenschappen: a specificatie with formaat datum has lengte 8, one with datum_tijd lengte 14, on POST,
PUT and PATCH (the stored eigenschap with the patch applied)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.zgw.catalogi.models import Eigenschap
from plein.zgw.catalogi.service_parts import specificatie_problems
from tests.zgw.catalogi.helpers import BASE, catalogus, check, local, part_bodies, post, zaaktype_body
from tests.zgw.helpers import all_rights

DETAIL = "/eigenschappen/{uuid}"


async def _body(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    """A valid eigenschap body (formaat tekst, lengte 100) for a concept zaaktype."""
    catalogus_url = await catalogus(client, headers)
    zaaktype = await post(client, headers, "zaaktypen", zaaktype_body(catalogus_url))
    return part_bodies(zaaktype["url"], catalogus_url)["eigenschappen"]


def _specificatie(formaat: str, lengte: str) -> dict[str, str]:
    return {"formaat": formaat, "lengte": lengte, "kardinaliteit": "1"}


def _refused(answer: dict[str, Any], formaat: str, wanted: str) -> None:
    assert answer["status"] == 400, answer
    assert [(p["name"], p["code"]) for p in answer["invalidParams"]] == [("specificatie.lengte", "invalid-lengte")]
    assert answer["invalidParams"][0]["reason"] == f"lengte must be {wanted} when formaat is {formaat} (ztc-015)"


@pytest.mark.parametrize(("formaat", "lengte", "wanted"), [
    ("datum", "8", None), ("datum", "10", "8"), ("datum_tijd", "14", None), ("datum_tijd", "12", "14"),
    ("datum_tijd", "8", "14"), ("tekst", "8", None), ("getal", "14", None),
])
async def test_a_date_formaat_fixes_the_lengte_on_create(client: httpx.AsyncClient, session: AsyncSession,
                                                         formaat: str, lengte: str, wanted: str | None) -> None:
    headers = await all_rights(session)
    body = await _body(client, headers) | {"specificatie": _specificatie(formaat, lengte)}
    response = await client.post(f"{BASE}/eigenschappen", json=body, headers=headers)
    answer = check("post", "/eigenschappen", response)
    if wanted is None:
        assert response.status_code == 201 and answer["specificatie"]["lengte"] == lengte
        return
    _refused(answer, formaat, wanted)
    assert await session.scalar(select(func.count()).select_from(Eigenschap)) == 0


async def test_put_and_patch_are_held_to_the_rule_and_change_nothing_when_refused(
        client: httpx.AsyncClient, session: AsyncSession) -> None:
    """PUT with a datum of lengte 10, and a PATCH that makes a tekst of lengte 20 a datum while its lengte stays 20,
    are refused and leave the stored eigenschap as it was; the same changes with the right lengte pass."""
    headers = await all_rights(session)
    body = await _body(client, headers) | {"specificatie": _specificatie("tekst", "20")}
    created = await post(client, headers, "eigenschappen", body)
    path = local(created["url"])

    replaced = await client.put(path, json=body | {"specificatie": _specificatie("datum", "10")}, headers=headers)
    _refused(check("put", DETAIL, replaced), "datum", "8")
    patched = await client.patch(path, json={"specificatie": _specificatie("datum", "20")}, headers=headers)
    _refused(check("patch", DETAIL, patched), "datum", "8")
    stored = await session.scalar(select(Eigenschap.specificatie).where(Eigenschap.naam == body["naam"]))
    assert stored == _specificatie("tekst", "20")
    assert check("get", DETAIL, await client.get(path, headers=headers)) == created

    patched = await client.patch(path, json={"specificatie": _specificatie("datum_tijd", "14")}, headers=headers)
    assert check("patch", DETAIL, patched)["specificatie"] == _specificatie("datum_tijd", "14")
    replaced = await client.put(path, json=body | {"specificatie": _specificatie("datum", "8")}, headers=headers)
    assert check("put", DETAIL, replaced)["specificatie"] == _specificatie("datum", "8")
    changed = await client.patch(path, json={"definitie": "Wanneer"}, headers=headers)
    assert check("patch", DETAIL, changed)["definitie"] == "Wanneer"


def test_the_rule_reads_only_formaat_and_lengte() -> None:
    assert specificatie_problems(None) == [] and specificatie_problems({}) == []
    assert specificatie_problems({"formaat": "datum", "lengte": "8"}) == []
    assert [p.name for p in specificatie_problems({"formaat": "datum"})] == ["specificatie.lengte"]
    assert [p.name for p in specificatie_problems({"formaat": "datum_tijd", "lengte": "8"})] == ["specificatie.lengte"]
