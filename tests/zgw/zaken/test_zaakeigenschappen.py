"""Zaakeigenschappen under their zaak (zrc-018: only eigenschappen of the zaaktype; the value against the
eigenschap's specificatie) and klantcontacten (an identificatie drawn when none is given)."""

from __future__ import annotations

import re
import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from plein.zgw.zaken.models import KlantContact, ZaakEigenschap
from tests.zgw.helpers import assert_spec
from tests.zgw.zaken.helpers import BASE, local
from tests.zgw.zaken.relation_helpers import (
    audit_count,
    close,
    codes,
    count,
    messages,
    new_zaak,
    problem,
    setting,
    trail,
    zaak_client,
)

LIST = "/zaken/{zaak_uuid}/zaakeigenschappen"
DETAIL = LIST + "/{uuid}"


async def test_a_zaakeigenschap_is_given_read_changed_and_removed(client: httpx.AsyncClient,
                                                                   session: AsyncSession) -> None:
    ctx = await setting(client, session)
    zaak = await new_zaak(client, ctx)
    path = f"{local(zaak['url'])}/zaakeigenschappen"
    created = await client.post(path, headers=ctx.admin, json={
        "zaak": zaak["url"], "eigenschap": ctx.eigenschap, "waarde": "Dam 1"})
    body = assert_spec("zaken", "post", LIST, created)
    assert created.status_code == 201, created.text
    assert (body["naam"], body["waarde"], body["url"]) == ("locatie", "Dam 1", f"{zaak['url']}/zaakeigenschappen/"
                                                                                f"{body['uuid']}")
    for waarde, eigenschap in (("20261101", ctx.datum_eigenschap), ("2026-11-01", ctx.datum_eigenschap),
                               ("groen", ctx.keuze_eigenschap)):
        response = await client.post(path, headers=ctx.admin, json={
            "zaak": zaak["url"], "eigenschap": eigenschap, "waarde": waarde})
        assert response.status_code == 201, response.text

    listed = await client.get(path, headers=ctx.admin)
    assert [e["waarde"] for e in assert_spec("zaken", "get", LIST, listed)] == [
        "Dam 1", "20261101", "2026-11-01", "groen"]
    read = await client.get(local(body["url"]), headers=ctx.admin)
    assert assert_spec("zaken", "get", DETAIL, read) == body
    head = await client.head(local(body["url"]), headers=ctx.admin)
    assert (head.status_code, head.headers["etag"]) == (200, read.headers["etag"])
    zaak_now = (await client.get(local(zaak["url"]), headers=ctx.admin)).json()
    assert zaak_now["eigenschappen"][0] == body["url"]

    patched = await client.patch(local(body["url"]), headers=ctx.admin, json={"waarde": "Dam 2"})
    assert assert_spec("zaken", "patch", DETAIL, patched)["waarde"] == "Dam 2"
    put = await client.put(local(body["url"]), headers=ctx.admin, json={
        "zaak": zaak["url"], "eigenschap": ctx.eigenschap, "waarde": "Dam 3"})
    assert assert_spec("zaken", "put", DETAIL, put)["waarde"] == "Dam 3"
    deleted = await client.delete(local(body["url"]), headers=ctx.admin)
    assert deleted.status_code == 204
    gone = await client.get(local(body["url"]), headers=ctx.admin)
    assert assert_spec("zaken", "get", DETAIL, gone)["status"] == 404

    records = [entry for entry in await trail(client, ctx, zaak) if entry[0] == "zaakeigenschap"]
    assert [a for _, a in records] == ["create"] * 4 + ["partial_update", "update", "destroy"]
    assert [a for _, a, _ in await messages(session, "zaakeigenschap")] == [
        "create"] * 4 + ["partial_update", "update", "destroy"]


async def test_zaakeigenschappen_refuse_what_the_zaaktype_does_not_allow(client: httpx.AsyncClient,
                                                                         session: AsyncSession) -> None:
    ctx = await setting(client, session)
    other = await setting(client, session, "ZT-ANDER", ctx)
    zaak = await new_zaak(client, ctx)
    other_zaak = await new_zaak(client, ctx)
    path = f"{local(zaak['url'])}/zaakeigenschappen"
    before = await audit_count(session)
    cases = [
        ({"eigenschap": other.eigenschap, "waarde": "x"}, "eigenschap", "zaaktype-mismatch"),  # zrc-018
        ({"eigenschap": ctx.statustypen[0], "waarde": "x"}, "eigenschap", "invalid-resource"),
        ({"eigenschap": ctx.eigenschap[:-36] + str(uuid.uuid4()), "waarde": "x"}, "eigenschap", "bad-url"),
        ({"eigenschap": ctx.eigenschap, "waarde": "veel te lange tekst"}, "waarde", "max_length"),
        ({"eigenschap": ctx.datum_eigenschap, "waarde": "1 november"}, "waarde", "invalid"),
        ({"eigenschap": ctx.keuze_eigenschap, "waarde": "blauw"}, "waarde", "invalid_choice"),
        ({"eigenschap": ctx.eigenschap, "waarde": 12}, "waarde", "invalid"),
        ({"eigenschap": ctx.eigenschap}, "waarde", "required"),
        ({"eigenschap": ctx.eigenschap, "waarde": "x", "zaak": other_zaak["url"]}, "zaak", "invalid"),
    ]
    for extra, name, code in cases:
        response = await client.post(path, headers=ctx.admin, json={"zaak": zaak["url"], **extra})
        body = assert_spec("zaken", "post", LIST, response)
        assert response.status_code == 400, response.text
        assert (name, code) in codes(body), (extra, body)
    assert (await count(session, ZaakEigenschap), await audit_count(session)) == (0, before)

    created = (await client.post(path, headers=ctx.admin, json={
        "zaak": zaak["url"], "eigenschap": ctx.eigenschap, "waarde": "Dam 1"})).json()
    moved = await client.patch(local(created["url"]), headers=ctx.admin, json={"eigenschap": ctx.keuze_eigenschap})
    assert ("eigenschap", "wijzigen-niet-toegelaten") in codes(assert_spec("zaken", "patch", DETAIL, moved))
    elsewhere = await client.get(f"{local(other_zaak['url'])}/zaakeigenschappen/{created['uuid']}", headers=ctx.admin)
    assert assert_spec("zaken", "get", DETAIL, elsewhere)["status"] == 404
    no_zaak = await client.get(f"{BASE}/zaken/{uuid.uuid4()}/zaakeigenschappen", headers=ctx.admin)
    assert problem(no_zaak)["status"] == 404  # the document lists no 404 here; Plein answers as for any missing zaak
    unknown = await client.get(path, params={"zaak": zaak["url"]}, headers=ctx.admin)
    assert problem(unknown)["status"] == 400  # no query parameters at all on this list

    reader = await zaak_client(session, "lezer", ctx.zaaktype, ["zaken.lezen"])
    assert assert_spec("zaken", "get", LIST, await client.get(path, headers=reader))[0]["waarde"] == "Dam 1"
    refused = await client.post(path, headers=reader, json={"zaak": zaak["url"], "eigenschap": ctx.eigenschap,
                                                            "waarde": "x"})
    assert assert_spec("zaken", "post", LIST, refused)["status"] == 403
    stranger = await zaak_client(session, "vreemde", other.zaaktype, ["zaken.lezen"])
    assert assert_spec("zaken", "get", LIST, await client.get(path, headers=stranger))["status"] == 403

    writer = await zaak_client(session, "schrijver", ctx.zaaktype, ["zaken.lezen", "zaken.bijwerken"])
    await close(client, ctx, zaak)
    closed = await client.patch(local(created["url"]), headers=writer, json={"waarde": "Dam 9"})
    assert assert_spec("zaken", "patch", DETAIL, closed)["status"] == 403
    forced = await client.patch(local(created["url"]), headers=ctx.admin, json={"waarde": "Dam 9"})
    assert assert_spec("zaken", "patch", DETAIL, forced)["waarde"] == "Dam 9"


async def test_klantcontacten_get_an_identificatie_and_are_listed(client: httpx.AsyncClient,
                                                                  session: AsyncSession) -> None:
    ctx = await setting(client, session)
    zaak = await new_zaak(client, ctx)
    other = await new_zaak(client, ctx)
    drawn = await client.post(f"{BASE}/klantcontacten", headers=ctx.admin, json={
        "zaak": zaak["url"], "datumtijd": "2026-11-02T09:30:00+01:00", "kanaal": "telefoon", "onderwerp": "Vraag"})
    body = assert_spec("zaken", "post", "/klantcontacten", drawn)
    assert drawn.status_code == 201, drawn.text
    assert re.fullmatch(r"KC\d{4}\d{8}", body["identificatie"]) and len(body["identificatie"]) == 14
    assert body["datumtijd"] == "2026-11-02T08:30:00Z"
    second = await client.post(f"{BASE}/klantcontacten", headers=ctx.admin, json={
        "zaak": other["url"], "datumtijd": "2026-11-02T10:00:00Z", "identificatie": "EIGEN-1"})
    assert assert_spec("zaken", "post", "/klantcontacten", second)["identificatie"] == "EIGEN-1"
    third = (await client.post(f"{BASE}/klantcontacten", headers=ctx.admin, json={
        "zaak": zaak["url"], "datumtijd": "2026-11-03T10:00:00Z"})).json()
    assert third["identificatie"] != body["identificatie"]

    read = await client.get(local(body["url"]), headers=ctx.admin)
    assert assert_spec("zaken", "get", "/klantcontacten/{uuid}", read) == body
    listed = await client.get(f"{BASE}/klantcontacten", params={"zaak": zaak["url"]}, headers=ctx.admin)
    page = assert_spec("zaken", "get", "/klantcontacten", listed)
    assert (page["count"], [k["url"] for k in page["results"]]) == (2, [body["url"], third["url"]])
    beyond = await client.get(f"{BASE}/klantcontacten", params={"page": "2"}, headers=ctx.admin)
    assert problem(beyond)["status"] == 404

    for bad, name, code in (({"datumtijd": "gisteren"}, "datumtijd", "invalid"),
                            ({"identificatie": "X" * 15}, "identificatie", "max_length"),
                            ({"zaak": ctx.zaaktype}, "zaak", "invalid-resource")):
        response = await client.post(f"{BASE}/klantcontacten", headers=ctx.admin, json={
            "zaak": zaak["url"], "datumtijd": "2026-11-02T10:00:00Z", **bad})
        assert (name, code) in codes(assert_spec("zaken", "post", "/klantcontacten", response)), bad
    reader = await zaak_client(session, "lezer", ctx.zaaktype, ["zaken.lezen"])
    refused = await client.post(f"{BASE}/klantcontacten", headers=reader, json={
        "zaak": zaak["url"], "datumtijd": "2026-11-02T10:00:00Z"})
    assert assert_spec("zaken", "post", "/klantcontacten", refused)["status"] == 403
    assert await count(session, KlantContact) == 3
    assert [a for _, a, _ in await messages(session, "klantcontact")] == ["create"] * 3
    assert ("klantcontact", "create") in await trail(client, ctx, zaak)
