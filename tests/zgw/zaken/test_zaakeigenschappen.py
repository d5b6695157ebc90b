"""Zaakeigenschappen under their zaak (zrc-018: only eigenschappen of the zaaktype; the value against the
eigenschap's specificatie) and klantcontacten (an identificatie drawn when none is given)."""

from __future__ import annotations

import re
import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from plein.zgw.zaken.models import KlantContact, ZaakEigenschap
from tests.zgw.catalogi.helpers import part_bodies, post, publish, publishable_zaaktype
from tests.zgw.helpers import assert_spec
from tests.zgw.zaken.helpers import BASE, local, zaak_body
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
    for waarde, eigenschap in (("20261101", ctx.datum_eigenschap), ("20261231", ctx.datum_eigenschap),
                               ("groen", ctx.keuze_eigenschap)):
        response = await client.post(path, headers=ctx.admin, json={
            "zaak": zaak["url"], "eigenschap": eigenschap, "waarde": waarde})
        assert response.status_code == 201, response.text

    listed = await client.get(path, headers=ctx.admin)
    assert [e["waarde"] for e in assert_spec("zaken", "get", LIST, listed)] == [
        "Dam 1", "20261101", "20261231", "groen"]
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
        ({"eigenschap": ctx.eigenschap, "waarde": "veel te lange tekst"}, "waarde", "waarde-lengte"),
        ({"eigenschap": ctx.datum_eigenschap, "waarde": "1 november"}, "waarde", "waarde-formaat"),
        ({"eigenschap": ctx.datum_eigenschap, "waarde": "2026-11-01"}, "waarde", "waarde-formaat"),  # ztc-015
        ({"eigenschap": ctx.keuze_eigenschap, "waarde": "blauw"}, "waarde", "waarde-niet-in-waardenverzameling"),
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


async def test_a_waarde_fits_the_formaat_lengte_and_waardenverzameling_of_its_eigenschap(
        client: httpx.AsyncClient, session: AsyncSession) -> None:
    """getal, datum and datum_tijd (ztc-015: YYYYMMDD, YYYYMMDDhhmmss), the lengte of tekst and getal, and the
    waardenverzameling; each refusal names `waarde`, the rule and the eigenschap, on create, PUT and PATCH."""
    ctx = await setting(client, session)
    zaaktype = await publishable_zaaktype(client, ctx.admin, ctx.catalogus, "ZT-WAARDE")
    eigenschappen: dict[str, str] = {}
    for naam, specificatie in (
            ("bedrag", {"formaat": "getal", "lengte": "8"}), ("moment", {"formaat": "datum_tijd", "lengte": "14"}),
            ("dag", {"formaat": "datum", "lengte": "8"}),
            ("akkoord", {"formaat": "tekst", "lengte": "3", "waardenverzameling": ["ja", "nee"]})):
        eigenschappen[naam] = (await post(client, ctx.admin, "eigenschappen", part_bodies(zaaktype["url"], "")[
            "eigenschappen"] | {"naam": naam, "specificatie": specificatie | {"kardinaliteit": "1"}}))["url"]
    assert (await publish(client, ctx.admin, zaaktype["url"])).status_code == 200
    created = await client.post(f"{BASE}/zaken", json=zaak_body(zaaktype["url"]), headers=ctx.admin)
    zaak = assert_spec("zaken", "post", "/zaken", created)
    path = f"{local(zaak['url'])}/zaakeigenschappen"

    fitting = [("bedrag", "12,50"), ("bedrag", "-3"), ("bedrag", "1.5"), ("moment", "20260728134022"),
               ("dag", "20261101"), ("akkoord", "ja")]
    for naam, waarde in fitting:
        response = await client.post(path, headers=ctx.admin, json={
            "zaak": zaak["url"], "eigenschap": eigenschappen[naam], "waarde": waarde})
        assert assert_spec("zaken", "post", LIST, response)["waarde"] == waarde, response.text
    not_fitting = [
        ("bedrag", "12,5,0", {"waarde-formaat"}), ("bedrag", "1.000,00", {"waarde-formaat"}),
        ("bedrag", "twaalf", {"waarde-formaat"}), ("bedrag", "123456789", {"waarde-lengte"}),
        ("moment", "2026-07-28T13:40:22", {"waarde-formaat"}), ("moment", "20261328134022", {"waarde-formaat"}),
        ("dag", "2026-11-01", {"waarde-formaat"}), ("dag", "20260231", {"waarde-formaat"}),
        ("akkoord", "wel", {"waarde-niet-in-waardenverzameling"}),
        ("akkoord", "misschien", {"waarde-lengte", "waarde-niet-in-waardenverzameling"}),
    ]
    for naam, waarde, expected in not_fitting:
        response = await client.post(path, headers=ctx.admin, json={
            "zaak": zaak["url"], "eigenschap": eigenschappen[naam], "waarde": waarde})
        body = assert_spec("zaken", "post", LIST, response)
        assert response.status_code == 400, (naam, waarde)
        assert {code for name, code in codes(body) if name == "waarde"} == expected, (naam, waarde, body)
        assert all(repr(naam) in p["reason"] for p in body["invalidParams"]), body

    stored = assert_spec("zaken", "get", LIST, await client.get(path, headers=ctx.admin))
    assert [e["waarde"] for e in stored] == [waarde for _, waarde in fitting]
    bedrag = stored[0]
    patched = await client.patch(local(bedrag["url"]), headers=ctx.admin, json={"waarde": "veel"})
    assert ("waarde", "waarde-formaat") in codes(assert_spec("zaken", "patch", DETAIL, patched))
    put = await client.put(local(bedrag["url"]), headers=ctx.admin, json={
        "zaak": zaak["url"], "eigenschap": eigenschappen["bedrag"], "waarde": "99999,999"})
    assert ("waarde", "waarde-lengte") in codes(assert_spec("zaken", "put", DETAIL, put))
    kept = await client.get(local(bedrag["url"]), headers=ctx.admin)
    assert assert_spec("zaken", "get", DETAIL, kept)["waarde"] == "12,50"
    foreign = await client.post(path, headers=ctx.admin, json={  # zrc-018: an eigenschap of another zaaktype
        "zaak": zaak["url"], "eigenschap": ctx.eigenschap, "waarde": "Dam 1"})
    assert ("eigenschap", "zaaktype-mismatch") in codes(assert_spec("zaken", "post", LIST, foreign))


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
