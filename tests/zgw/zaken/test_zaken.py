"""The Zaken API: zaken through their life (create, read, change, close, reopen, destroy) as the standard has it."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.notifications.models import Message
from plein.zgw.audit import AuditRecord
from plein.zgw.autorisaties import service as autorisaties
from plein.zgw.zaken.models import Zaak
from tests.factories import client_headers
from tests.zgw.helpers import all_rights, assert_spec
from tests.zgw.zaken.helpers import BASE, CRS, Zaaktype, local, published_zaaktype, zaak_body


@pytest.fixture
async def admin(session: AsyncSession) -> dict[str, str]:
    return await all_rights(session) | CRS


@pytest.fixture
async def zaaktype(client: httpx.AsyncClient, admin: dict[str, str]) -> Zaaktype:
    return await published_zaaktype(client, admin)


async def count(session: AsyncSession, model: object) -> int:
    return await session.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[arg-type]


async def test_a_zaak_is_created_read_listed_changed_and_destroyed(client: httpx.AsyncClient, session: AsyncSession,
                                                                   admin: dict[str, str], zaaktype: Zaaktype) -> None:
    created = await client.post(f"{BASE}/zaken", json=zaak_body(zaaktype.url), headers=admin)
    zaak = assert_spec("zaken", "post", "/zaken", created)
    assert created.status_code == 201, created.text
    assert zaak["identificatie"].startswith("ZAAK-")
    assert zaak["vertrouwelijkheidaanduiding"] == "openbaar"  # taken over from the zaaktype (zrc-009)
    assert created.headers["content-crs"] == "EPSG:4326"
    path = local(zaak["url"])

    read = await client.get(path, headers=admin)
    assert assert_spec("zaken", "get", "/zaken/{uuid}", read) == zaak
    unchanged = await client.get(path, headers=admin | {"If-None-Match": read.headers["etag"]})
    assert unchanged.status_code == 304
    head = await client.head(path, headers=admin)
    assert (head.status_code, head.content, head.headers["etag"]) == (200, b"", read.headers["etag"])

    listed = await client.get(f"{BASE}/zaken", params={"zaaktype": zaaktype.url}, headers=admin)
    assert [z["url"] for z in assert_spec("zaken", "get", "/zaken", listed)["results"]] == [zaak["url"]]
    none = await client.get(f"{BASE}/zaken", params={"startdatum__gt": "2026-11-01"}, headers=admin)
    assert assert_spec("zaken", "get", "/zaken", none)["count"] == 0

    patched = await client.patch(path, json={"omschrijving": "Anders"}, headers=admin)
    assert assert_spec("zaken", "patch", "/zaken/{uuid}", patched)["omschrijving"] == "Anders"
    put = await client.put(path, json=zaak_body(zaaktype.url, identificatie=zaak["identificatie"],
                                                 toelichting="Volledig"), headers=admin)
    assert assert_spec("zaken", "put", "/zaken/{uuid}", put)["toelichting"] == "Volledig"

    trail = await client.get(f"{path}/audittrail", headers=admin)
    assert [e["actie"] for e in assert_spec("zaken", "get", "/zaken/{zaak_uuid}/audittrail", trail)] == [
        "create", "partial_update", "update"]
    messages = list(await session.scalars(select(Message).where(Message.kanaal == "zaken").order_by(Message.id)))
    assert [(m.resource, m.actie) for m in messages] == [("zaak", "create"), ("zaak", "partial_update"),
                                                          ("zaak", "update")]
    assert messages[0].kenmerken == {"bronorganisatie": "002220647", "zaaktype": zaaktype.url,
                                     "vertrouwelijkheidaanduiding": "openbaar"}

    assert (await client.delete(path, headers=admin)).status_code == 204
    assert (await client.get(path, headers=admin)).status_code == 404
    assert await count(session, AuditRecord) == 0


async def test_closing_needs_a_resultaat_and_derives_the_archiving(client: httpx.AsyncClient, session: AsyncSession,
                                                                   admin: dict[str, str], zaaktype: Zaaktype) -> None:
    zaak = (await client.post(f"{BASE}/zaken", json=zaak_body(zaaktype.url), headers=admin)).json()
    first = await client.post(f"{BASE}/statussen", headers=admin, json={
        "zaak": zaak["url"], "statustype": zaaktype.statustypen[0], "datumStatusGezet": "2026-11-02T10:00:00Z"})
    status = assert_spec("zaken", "post", "/statussen", first)
    assert status["indicatieLaatstGezetteStatus"] is True
    final = {"zaak": zaak["url"], "statustype": zaaktype.statustypen[1], "datumStatusGezet": "2026-11-20T10:00:00Z"}
    refused = await client.post(f"{BASE}/statussen", headers=admin, json=final)
    assert assert_spec("zaken", "post", "/statussen", refused)["invalidParams"][0]["code"] == (
        "resultaat-does-not-exist")

    resultaat = await client.post(f"{BASE}/resultaten", headers=admin, json={
        "zaak": zaak["url"], "resultaattype": zaaktype.resultaattype})
    assert assert_spec("zaken", "post", "/resultaten", resultaat)["resultaattype"] == zaaktype.resultaattype
    closed = await client.post(f"{BASE}/statussen", headers=admin, json=final)
    assert closed.status_code == 201, closed.text
    after = (await client.get(local(zaak["url"]), headers=admin)).json()
    assert (after["einddatum"], after["archiefnominatie"], after["archiefactiedatum"]) == (
        "2026-11-20", "vernietigen", "2036-11-20")
    assert after["status"] == closed.json()["url"]
    assert after["resultaat"] == resultaat.json()["url"]
    earlier = await client.get(local(status["url"]), headers=admin)
    assert assert_spec("zaken", "get", "/statussen/{uuid}", earlier)["indicatieLaatstGezetteStatus"] is False

    reopen = {"zaak": zaak["url"], "statustype": zaaktype.statustypen[0], "datumStatusGezet": "2026-11-21T10:00:00Z"}
    limited = await _zaak_client(session, "behandelaar", zaaktype.url, ["zaken.lezen", "zaken.bijwerken",
                                                                        "zaken.statussen.toevoegen"])
    assert (await client.post(f"{BASE}/statussen", headers=limited, json=reopen)).status_code == 403
    assert (await client.patch(local(zaak["url"]), json={"omschrijving": "x"}, headers=limited)).status_code == 403
    reopened = await client.post(f"{BASE}/statussen", headers=admin, json=reopen)
    assert reopened.status_code == 201
    after = (await client.get(local(zaak["url"]), headers=admin)).json()
    assert (after["einddatum"], after["archiefnominatie"], after["archiefactiedatum"]) == (None, None, None)



@pytest.mark.parametrize(("gezet", "stored", "einddatum"), [
    ("2026-11-19T23:30:00Z", "2026-11-19T23:30:00Z", "2026-11-20"),  # 00:30 in the Netherlands (winter time)
    ("2026-07-01T22:30:00Z", "2026-07-01T22:30:00Z", "2026-07-02"),  # 00:30 in summer time
    ("2026-11-20T00:30:00", "2026-11-19T23:30:00Z", "2026-11-20"),  # no offset: Dutch time, as the reference reads it
    ("2026-11-20T00:30:00+01:00", "2026-11-19T23:30:00Z", "2026-11-20"),
])
async def test_a_zaak_ends_on_the_dutch_day_of_its_eindstatus(client: httpx.AsyncClient, admin: dict[str, str],
                                                              zaaktype: Zaaktype, gezet: str, stored: str,
                                                              einddatum: str) -> None:
    zaak = (await client.post(f"{BASE}/zaken", json=zaak_body(zaaktype.url), headers=admin)).json()
    await client.post(f"{BASE}/resultaten", headers=admin, json={"zaak": zaak["url"],
                                                                 "resultaattype": zaaktype.resultaattype})
    closed = await client.post(f"{BASE}/statussen", headers=admin, json={
        "zaak": zaak["url"], "statustype": zaaktype.statustypen[1], "datumStatusGezet": gezet})
    assert closed.status_code == 201, closed.text
    assert closed.json()["datumStatusGezet"] == stored
    assert (await client.get(local(zaak["url"]), headers=admin)).json()["einddatum"] == einddatum


async def _zaak_client(session: AsyncSession, client_id: str, zaaktype: str, scopes: list[str],
                       maximum: str = "zeer_geheim") -> dict[str, str]:
    """A client whose applicatie holds these zaken scopes for one zaaktype up to a confidentiality."""
    headers = await client_headers(session, client_id, None, [])
    await autorisaties.save_applicatie(session, {"clientIds": [client_id], "label": client_id, "autorisaties": [
        {"component": "zrc", "scopes": scopes, "zaaktype": zaaktype, "maxVertrouwelijkheidaanduiding": maximum}]})
    return headers | CRS


async def test_a_client_sees_only_its_zaaktypen_up_to_its_confidentiality(
        client: httpx.AsyncClient, session: AsyncSession, admin: dict[str, str], zaaktype: Zaaktype) -> None:
    other = await published_zaaktype(client, admin, "ZT-2", catalogus_url=zaaktype.catalogus)
    urls = {}
    for key, (kind, level) in {"open": (zaaktype.url, "openbaar"), "secret": (zaaktype.url, "geheim"),
                               "other": (other.url, "openbaar")}.items():
        body = zaak_body(kind, vertrouwelijkheidaanduiding=level)
        urls[key] = (await client.post(f"{BASE}/zaken", json=body, headers=admin)).json()["url"]
    reader = await _zaak_client(session, "lezer", zaaktype.url, ["zaken.lezen"], "zaakvertrouwelijk")
    listed = await client.get(f"{BASE}/zaken", headers=reader)
    assert [z["url"] for z in assert_spec("zaken", "get", "/zaken", listed)["results"]] == [urls["open"]]
    assert (await client.get(local(urls["secret"]), headers=reader)).status_code == 403
    assert (await client.get(local(urls["other"]), headers=reader)).status_code == 403
    refused = await client.post(f"{BASE}/zaken", json=zaak_body(zaaktype.url), headers=reader)
    assert assert_spec("zaken", "post", "/zaken", refused)["status"] == 403


async def test_fifty_concurrent_creations_give_fifty_identificaties(client: httpx.AsyncClient, session: AsyncSession,
                                                                     admin: dict[str, str], zaaktype: Zaaktype) -> None:
    responses = await asyncio.gather(*(client.post(f"{BASE}/zaken", json=zaak_body(zaaktype.url), headers=admin)
                                       for _ in range(50)))
    assert [r.status_code for r in responses] == [201] * 50
    assert len({r.json()["identificatie"] for r in responses}) == 50
    assert await count(session, Zaak) == 50


async def test_bad_input_gets_the_standards_errors_and_leaves_nothing(
        client: httpx.AsyncClient, session: AsyncSession, admin: dict[str, str], zaaktype: Zaaktype) -> None:
    cases = [
        (zaak_body(zaaktype.statustypen[0]), "zaaktype", "invalid-resource"),
        (zaak_body(zaaktype.url.replace(zaaktype.url[-36:], "0" * 8 + "-0000-4000-8000-" + "0" * 12)), "zaaktype",
         "bad-url"),
        (zaak_body("https://elders.example/catalogi/api/v1/zaaktypen/1"), "zaaktype", "bad-url"),
        (zaak_body(zaaktype.url, startdatum="gisteren"), "startdatum", "invalid"),
        (zaak_body(zaaktype.url, hoofdzaak=zaaktype.url), "hoofdzaak", "invalid-resource"),
        (zaak_body(zaaktype.url, productenOfDiensten=["https://pdc.example/1"]), "productenOfDiensten",
         "invalid-products-services"),
        (zaak_body(zaaktype.url, betalingsindicatie="nvt", laatsteBetaaldatum="2026-11-01T10:00:00Z"),
         "laatsteBetaaldatum", "betaling-nvt"),
        ({"zaaktype": zaaktype.url}, "bronorganisatie", "required"),
        (zaak_body(zaaktype.url, bronorganisatie="123456789"), "bronorganisatie", "invalid"),
    ]
    for body, name, code in cases:
        response = await client.post(f"{BASE}/zaken", json=body, headers=admin)
        problem = assert_spec("zaken", "post", "/zaken", response)
        assert response.status_code == 400, response.text
        assert {"name": name, "code": code} in [{"name": p["name"], "code": p["code"]}
                                                for p in problem["invalidParams"]], problem
    zaken_messages = await session.scalar(select(func.count()).where(Message.kanaal == "zaken"))
    assert (await count(session, Zaak), await count(session, AuditRecord), zaken_messages) == (0, 0, 0)
    unknown = await client.get(f"{BASE}/zaken", params={"kleur": "blauw"}, headers=admin)
    assert assert_spec("zaken", "get", "/zaken", unknown)["invalidParams"][0]["code"] == "unknown-parameters"
    no_crs = await client.get(f"{BASE}/zaken", headers={"Authorization": admin["Authorization"]})
    assert assert_spec("zaken", "get", "/zaken", no_crs)["status"] == 412
    malformed = await client.post(f"{BASE}/zaken", content=b"{'x'", headers=admin | {
        "Content-Type": "application/json"})
    assert assert_spec("zaken", "post", "/zaken", malformed)["status"] == 400
    anonymous = await client.get(f"{BASE}/zaken", headers=CRS)
    assert assert_spec("zaken", "get", "/zaken", anonymous)["status"] == 401


async def test_the_total_from_the_counts_matches_a_real_count(client: httpx.AsyncClient, session: AsyncSession,
                                                              admin: dict[str, str], zaaktype: Zaaktype) -> None:
    async def totals(headers: dict[str, str]) -> tuple[int, int]:
        quick = (await client.get(f"{BASE}/zaken", headers=headers)).json()["count"]
        counted = (await client.get(f"{BASE}/zaken", params={"startdatum__gte": "1900-01-01"},
                                    headers=headers)).json()["count"]
        return quick, counted

    hoofdzaak = (await client.post(f"{BASE}/zaken", json=zaak_body(zaaktype.url), headers=admin)).json()
    for level in ("openbaar", "geheim"):
        await client.post(f"{BASE}/zaken", json=zaak_body(zaaktype.url, vertrouwelijkheidaanduiding=level,
                                                          hoofdzaak=hoofdzaak["url"]), headers=admin)
    reader = await _zaak_client(session, "teller", zaaktype.url, ["zaken.lezen"], "intern")
    assert await totals(admin) == (3, 3)
    assert await totals(reader) == (2, 2)
    await client.patch(local(hoofdzaak["url"]), json={"vertrouwelijkheidaanduiding": "zeer_geheim"}, headers=admin)
    assert await totals(reader) == (1, 1)
    assert (await client.delete(local(hoofdzaak["url"]), headers=admin)).status_code == 204  # takes its deelzaken
    assert await totals(admin) == (0, 0)
