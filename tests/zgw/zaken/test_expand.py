"""`expand` on the zaken list, detail and _zoek (zrc-025 … zrc-028): every resource on a dotted path inline under
`_expand` (each checked against its own API's schema), only what the caller may read, the standard's errors for paths
that cannot be expanded, and a page of 100 zaken expanded in as many queries as a page of three."""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from typing import Any

import httpx
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.zgw import validation
from plein.zgw.zaken.expand import KINDS
from plein.zgw.zaken.models import Rol, Status, Zaak
from tests.zgw.helpers import assert_spec
from tests.zgw.zaken.helpers import BASE, local
from tests.zgw.zaken.relation_helpers import Setting, codes, document, new_zaak, problem, setting, zaak_client

SCHEMAS = {
    "zaak": ("zaken", "Zaak"), "status": ("zaken", "Status"), "rol": ("zaken", "Rol"),
    "resultaat": ("zaken", "Resultaat"), "zaakeigenschap": ("zaken", "ZaakEigenschap"),
    "zaakinformatieobject": ("zaken", "ZaakInformatieObject"), "zaakobject": ("zaken", "ZaakObject"),
    "zaaktype": ("catalogi", "ZaakType"), "statustype": ("catalogi", "StatusType"),
    "roltype": ("catalogi", "RolType"), "resultaattype": ("catalogi", "ResultaatType"),
    "eigenschap": ("catalogi", "Eigenschap"), "zaakobjecttype": ("catalogi", "ZaakObjectType"),
    "catalogus": ("catalogi", "Catalogus"), "informatieobjecttype": ("catalogi", "InformatieObjectType"),
    "besluittype": ("catalogi", "BesluitType"),
}
CATALOGI_ERRATA = {("ZaakType", "informatieobjecttypen"), ("InformatieObjectType", "zaaktypen"),
                   ("StatusType", "zaakobjecttype")}  # see tests/zgw/catalogi/helpers.py
EVERYTHING = ("zaaktype.catalogus,status.statustype,rollen.roltype,rollen.statussen,resultaat.resultaattype,"
              "eigenschappen.eigenschap,zaakobjecten.zaakobjecttype,zaakinformatieobjecten.status,hoofdzaak.status,"
              "deelzaken,relevanteAndereZaken")


def expanded(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """Check every resource in `_expand` (at any depth) against its own API's schema; return the outer `_expand`."""
    found: dict[str, Any] = body.get("_expand", {})
    for name, value in found.items():
        target = KINDS[kind][name]
        for item in value if isinstance(value, list) else [value]:
            if item == {}:
                continue  # the EmptyObject of an empty reference
            expanded(target, item)
            api, schema = SCHEMAS[target]
            plain = {key: part for key, part in item.items() if key != "_expand"}
            problems = [p for p in validation.errors(api, schema, plain, for_request=False)
                        if (schema, p.name) not in CATALOGI_ERRATA]
            assert not problems, (name, problems)
    return found


async def rich_zaak(client: httpx.AsyncClient, ctx: Setting) -> tuple[dict[str, Any], dict[str, Any]]:
    """A deelzaak with a status, a rol, a resultaat, an eigenschap, an object and a document; and its hoofdzaak."""
    hoofdzaak = await new_zaak(client, ctx)
    zaak = await new_zaak(client, ctx, hoofdzaak=hoofdzaak["url"],
                          relevanteAndereZaken=[{"url": hoofdzaak["url"], "aardRelatie": "vervolg"}])
    admin = ctx.admin
    await client.post(f"{BASE}/statussen", headers=admin, json={
        "zaak": hoofdzaak["url"], "statustype": ctx.statustypen[0], "datumStatusGezet": "2026-11-02T10:00:00Z"})
    rol = (await client.post(f"{BASE}/rollen", headers=admin, json={
        "zaak": zaak["url"], "roltype": ctx.roltype, "betrokkeneType": "natuurlijk_persoon", "roltoelichting": "A",
        "betrokkeneIdentificatie": {"inpBsn": "999993653"}})).json()
    status = (await client.post(f"{BASE}/statussen", headers=admin, json={
        "zaak": zaak["url"], "statustype": ctx.statustypen[0], "datumStatusGezet": "2026-11-02T10:00:00Z",
        "gezetdoor": rol["url"]})).json()
    for collection, body in (
            ("resultaten", {"zaak": zaak["url"], "resultaattype": ctx.resultaattype}),
            (f"zaken/{zaak['uuid']}/zaakeigenschappen", {"zaak": zaak["url"], "eigenschap": ctx.eigenschap,
                                                         "waarde": "Dam 1"}),
            ("zaakobjecten", {"zaak": zaak["url"], "objectType": "pand", "object": "https://bag.example/panden/1",
                              "zaakobjecttype": ctx.zaakobjecttype}),
            ("zaakinformatieobjecten", {"zaak": zaak["url"], "informatieobject": await document(client, ctx),
                                        "status": status["url"]})):
        response = await client.post(f"{BASE}/{collection}", headers=admin, json=body)
        assert response.status_code == 201, response.text
    return zaak, hoofdzaak


async def test_the_list_detail_and_search_expand_every_path(client: httpx.AsyncClient,
                                                            session: AsyncSession) -> None:
    ctx = await setting(client, session)
    zaak, hoofdzaak = await rich_zaak(client, ctx)
    read = await client.get(local(zaak["url"]), params={"expand": EVERYTHING}, headers=ctx.admin)
    body = assert_spec("zaken", "get", "/zaken/{uuid}", read)
    found = expanded("zaak", body)
    assert found["zaaktype"]["url"] == ctx.zaaktype
    assert found["zaaktype"]["_expand"]["catalogus"]["url"] == ctx.catalogus
    assert found["status"]["url"] == body["status"]
    assert found["status"]["_expand"]["statustype"]["url"] == ctx.statustypen[0]
    assert [r["url"] for r in found["rollen"]] == body["rollen"]
    assert found["rollen"][0]["_expand"]["roltype"]["url"] == ctx.roltype
    assert found["rollen"][0]["_expand"]["statussen"][0]["url"] == body["status"]  # the rol set that status
    assert found["resultaat"]["_expand"]["resultaattype"]["url"] == ctx.resultaattype
    assert found["eigenschappen"][0]["_expand"]["eigenschap"]["url"] == ctx.eigenschap
    assert found["zaakobjecten"][0]["_expand"]["zaakobjecttype"]["url"] == ctx.zaakobjecttype
    assert found["zaakinformatieobjecten"][0]["_expand"]["status"]["url"] == body["status"]
    assert found["hoofdzaak"]["url"] == hoofdzaak["url"]
    assert found["hoofdzaak"]["_expand"]["status"]["url"] is not None
    assert found["deelzaken"] == []
    assert [z["url"] for z in found["relevanteAndereZaken"]] == [hoofdzaak["url"]]
    assert "_expand" not in (await client.get(local(zaak["url"]), headers=ctx.admin)).json()

    plain = await client.get(local(hoofdzaak["url"]), params={"expand": "hoofdzaak,deelzaken.zaaktype"},
                             headers=ctx.admin)
    top = expanded("zaak", assert_spec("zaken", "get", "/zaken/{uuid}", plain))
    assert top["hoofdzaak"] == {}  # an empty reference: the EmptyObject
    assert [d["url"] for d in top["deelzaken"]] == [zaak["url"]]
    assert top["deelzaken"][0]["_expand"]["zaaktype"]["url"] == ctx.zaaktype

    listed = await client.get(f"{BASE}/zaken", params={"expand": "status.statustype, hoofdzaak.deelzaken"},
                              headers=ctx.admin)
    page = assert_spec("zaken", "get", "/zaken", listed)
    by_url = {z["url"]: expanded("zaak", z) for z in page["results"]}
    assert by_url[zaak["url"]]["hoofdzaak"]["_expand"]["deelzaken"][0]["url"] == zaak["url"]
    assert by_url[hoofdzaak["url"]]["status"]["_expand"]["statustype"]["url"] == ctx.statustypen[0]
    searched = await client.post(f"{BASE}/zaken/_zoek", headers=ctx.admin, json={
        "uuid__in": [zaak["uuid"]], "expand": "zaaktype,rollen"})
    result = assert_spec("zaken", "post", "/zaken/_zoek", searched)["results"]
    assert [z["url"] for z in result] == [zaak["url"]]
    assert [r["url"] for r in expanded("zaak", result[0])["rollen"]] == body["rollen"]


async def test_expand_shows_only_what_the_caller_may_read(client: httpx.AsyncClient, session: AsyncSession) -> None:
    ctx = await setting(client, session)
    other = await setting(client, session, "ZT-ANDER", ctx)
    hoofdzaak = (await client.post(f"{BASE}/zaken", headers=ctx.admin, json={
        "zaaktype": other.zaaktype, "bronorganisatie": "002220647", "verantwoordelijkeOrganisatie": "002220647",
        "startdatum": "2026-11-01"})).json()
    zaak = await new_zaak(client, ctx, hoofdzaak=hoofdzaak["url"])
    secret = await new_zaak(client, ctx, hoofdzaak=hoofdzaak["url"], vertrouwelijkheidaanduiding="geheim")
    open_deelzaak = await new_zaak(client, ctx, hoofdzaak=hoofdzaak["url"])
    reader = await zaak_client(session, "lezer", ctx.zaaktype, ["zaken.lezen"], "zaakvertrouwelijk")
    read = await client.get(local(zaak["url"]), params={"expand": "zaaktype,hoofdzaak.deelzaken"}, headers=reader)
    found = expanded("zaak", assert_spec("zaken", "get", "/zaken/{uuid}", read))
    assert found == {}  # no catalogi.lezen, and the hoofdzaak is of a zaaktype the reader has no autorisatie for

    catalogi_reader = await zaak_client(session, "catalogilezer", ctx.zaaktype, ["zaken.lezen"], "zaakvertrouwelijk",
                                        [{"component": "ztc", "scopes": ["catalogi.lezen"]}])
    listed = await client.get(f"{BASE}/zaken", params={"expand": "zaaktype,hoofdzaak,deelzaken"},
                              headers=catalogi_reader)
    results = assert_spec("zaken", "get", "/zaken", listed)["results"]
    assert [z["url"] for z in results] == [zaak["url"], open_deelzaak["url"]]
    assert all(expanded("zaak", z)["zaaktype"]["url"] == ctx.zaaktype for z in results)
    assert all("hoofdzaak" not in z["_expand"] for z in results)
    admin_view = await client.get(local(hoofdzaak["url"]), params={"expand": "deelzaken"}, headers=ctx.admin)
    assert len(expanded("zaak", admin_view.json())["deelzaken"]) == 3
    other_reader = await zaak_client(session, "anderlezer", other.zaaktype, ["zaken.lezen"], "zaakvertrouwelijk")
    own = await client.get(local(hoofdzaak["url"]), params={"expand": "deelzaken"}, headers=other_reader)
    assert expanded("zaak", assert_spec("zaken", "get", "/zaken/{uuid}", own))["deelzaken"] == []
    assert secret["url"] in own.json()["deelzaken"]  # the URLs stay; only what is expanded is filtered


async def test_paths_that_cannot_be_expanded_are_refused(client: httpx.AsyncClient, session: AsyncSession) -> None:
    ctx = await setting(client, session)
    zaak = await new_zaak(client, ctx)
    for value, code in (("kleur", "invalid-expand"), ("status.kleur", "invalid-expand"),
                        ("zaakinformatieobjecten.informatieobject", "expand-outside-scope"),
                        ("zaakobjecten.object", "expand-outside-scope"), ("rollen.betrokkene", "expand-outside-scope"),
                        ("resultaat.resultaattype.selectielijstklasse", "expand-outside-scope"),
                        ("status..statustype", "invalid-expand")):
        listed = await client.get(f"{BASE}/zaken", params={"expand": value}, headers=ctx.admin)
        assert codes(assert_spec("zaken", "get", "/zaken", listed)) == [("expand", code)], value
        searched = await client.post(f"{BASE}/zaken/_zoek", json={"expand": value}, headers=ctx.admin)
        assert codes(assert_spec("zaken", "post", "/zaken/_zoek", searched)) == [("expand", code)], value
        read = await client.get(local(zaak["url"]), params={"expand": value}, headers=ctx.admin)
        assert assert_spec("zaken", "get", "/zaken/{uuid}", read)["status"] == 404  # zrc-027 (no 400 documented)
    empty = await client.get(f"{BASE}/zaken", params={"expand": ""}, headers=ctx.admin)
    assert "_expand" not in assert_spec("zaken", "get", "/zaken", empty)["results"][0]
    wrong_type = await client.post(f"{BASE}/zaken/_zoek", json={"expand": ["zaaktype"]}, headers=ctx.admin)
    assert codes(assert_spec("zaken", "post", "/zaken/_zoek", wrong_type)) == [("expand", "invalid")]
    assert problem(wrong_type)["status"] == 400


async def _fill(session: AsyncSession, ctx: Setting, model_zaak: dict[str, Any], total: int) -> None:
    """More zaken like the model one (with a status and a rol each), written directly: the query count is measured."""
    source = await session.get(Zaak, uuid.UUID(model_zaak["uuid"]))
    status = await session.scalar(select(Status).where(Status.zaak_id == uuid.UUID(model_zaak["uuid"])))
    rol = await session.scalar(select(Rol).where(Rol.zaak_id == uuid.UUID(model_zaak["uuid"])))
    assert source is not None and status is not None and rol is not None
    columns = {c.key: getattr(source, c.key) for c in Zaak.__table__.columns if c.key not in ("id", "identificatie")}
    later = source.created_at + dt.timedelta(seconds=1)  # after the model zaak: it and its hoofdzaak stay on page 1
    for number in range(total):
        key, status_id = uuid.uuid4(), uuid.uuid4()
        session.add(Zaak(**copy.deepcopy(columns | {"id": key, "identificatie": f"VUL-{number}",
                                                    "status_id": status_id, "hoofdzaak_id": None,
                                                    "created_at": later})))
        await session.flush()
        session.add(Status(id=status_id, zaak_id=key, statustype_id=status.statustype_id,
                           datum_status_gezet=dt.datetime(2026, 11, 2, tzinfo=dt.UTC)))
        session.add(Rol(zaak_id=key, roltype_id=rol.roltype_id, betrokkene_type="natuurlijk_persoon",
                        betrokkene_identificatie={"inpBsn": "999993653"}))
    await session.commit()


async def test_a_page_of_a_hundred_zaken_is_expanded_in_batches(client: httpx.AsyncClient, session: AsyncSession,
                                                                app: Any) -> None:
    ctx = await setting(client, session)
    zaak, _ = await rich_zaak(client, ctx)
    statements: list[str] = []

    def counted(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = app.state.engine.sync_engine
    params = {"expand": "zaaktype.statustypen,status.statustype,rollen.roltype,hoofdzaak.rollen", "page": "1"}

    async def measure() -> tuple[int, dict[str, Any]]:
        statements.clear()
        event.listen(engine, "before_cursor_execute", counted)
        try:
            response = await client.get(f"{BASE}/zaken", params=params, headers=ctx.admin)
        finally:
            event.remove(engine, "before_cursor_execute", counted)
        return len(statements), assert_spec("zaken", "get", "/zaken", response)

    few, small = await measure()
    await _fill(session, ctx, zaak, 100)
    many, full = await measure()
    assert len(small["results"]) == 2 and len(full["results"]) == 100 and full["count"] == 102
    assert many == few, (few, many)
    assert all(expanded("zaak", z)["status"]["_expand"]["statustype"]["url"] == ctx.statustypen[0]
               for z in full["results"])
