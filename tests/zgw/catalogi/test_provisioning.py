"""Zaaktypen provided by service apps: activating creates them in the municipality's own catalogus, upgrading makes
new versions only for changed definitions, ending closes them, and a failure half-way leaves nothing behind."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.apps import package_path
from plein.errors import Conflict
from plein.exchange.models import Grant
from plein.notifications.models import Message
from plein.organisations import service as organisations
from plein.store import adoptions
from plein.store.models import Adoption, AdoptionEvent
from plein.zgw.catalogi import provisioning
from plein.zgw.catalogi.models import Catalogus, InformatieObjectType, ZaakType
from plein.zgw.catalogi.service_catalogussen import ensure_municipality_catalogus
from plein.zgw.zaken import cases
from tests.factories import AMSTERDAM, UTRECHT, client_headers, make_package
from tests.store.helpers import SYSTEM, publish_built_in, publish_folder
from tests.zgw.catalogi.helpers import BASE, check, local, post, publish, publishable_zaaktype
from tests.zgw.helpers import all_rights
from tests.zgw.zaken.helpers import CRS

APP = "verhuizing-doorgeven"
HOST = "http://plein.test"


def adoptions_path(code: str) -> str:
    return f"/api/store/v1/municipalities/{code}/adoptions"


def built_in_zaaktypen() -> list[dict[str, Any]]:
    manifest = yaml.safe_load((package_path(APP) / "plein.yaml").read_text("utf-8"))
    zaaktypen: list[dict[str, Any]] = manifest["zaaktypen"]
    return copy.deepcopy(zaaktypen)


def other_zaaktype() -> dict[str, Any]:
    item = built_in_zaaktypen()[0]
    item.update(identificatie="ADRESONDERZOEK", omschrijving="Adresonderzoek", informatieobjecttypen=[])
    return item


async def activate(client: httpx.AsyncClient, session: AsyncSession, code: str = AMSTERDAM,
                   headers: dict[str, str] | None = None) -> dict[str, Any]:
    headers = headers or await client_headers(session, f"beheer-{code}", code, ["beheerder"])
    response = await client.post(adoptions_path(code), headers=headers,
                                 json={"app": APP, "version": "2.0.0", "status": "active"})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    body["headers"] = headers
    return body


async def change(client: httpx.AsyncClient, adoption: dict[str, Any], **body: Any) -> dict[str, Any]:
    response = await client.patch(f"{adoptions_path(adoption['municipality'])}/{adoption['id']}", json=body,
                                  headers=adoption["headers"])
    assert response.status_code == 200, response.text
    changed: dict[str, Any] = response.json()
    return changed


async def catalogus_of(client: httpx.AsyncClient, headers: dict[str, str], session: AsyncSession,
                       code: str) -> list[str]:
    rsin = (await organisations.get_by_code(session, code)).rsin
    body = check("get", "/catalogussen", await client.get(f"{BASE}/catalogussen", params={"rsin": rsin},
                                                          headers=headers))
    return [found["url"] for found in body["results"]]


async def zaaktypen(client: httpx.AsyncClient, headers: dict[str, str], catalogus: str,
                    **params: str) -> list[dict[str, Any]]:
    response = await client.get(f"{BASE}/zaaktypen", params={"catalogus": catalogus, **params}, headers=headers)
    found: list[dict[str, Any]] = check("get", "/zaaktypen", response)["results"]
    return found


async def read(client: httpx.AsyncClient, headers: dict[str, str], url: str, template: str) -> dict[str, Any]:
    body: dict[str, Any] = check("get", template, await client.get(local(url), headers=headers))
    return body


async def actions(session: AsyncSession, kanaal: str) -> list[tuple[str, str]]:
    rows = await session.execute(select(Message.actie, Message.resource_url).where(Message.kanaal == kanaal)
                                 .order_by(Message.id))
    return [(actie, url) for actie, url in rows]


async def count(session: AsyncSession, model: Any) -> int:
    return await session.scalar(select(func.count()).select_from(model)) or 0


def move_today(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    monkeypatch.setattr(provisioning, "today", lambda: day)


async def publish_release(session: AsyncSession, tmp_path: Path, version: str, items: list[dict[str, Any]],
                          service: bool = True) -> None:
    """A release with these zaaktypen; service=False leaves out the service definition (which needs VERHUIZING)."""
    await publish_folder(session, make_package(tmp_path, version=version, manifest={"zaaktypen": items},
                                               service=service))


def with_doorlooptijd(item: dict[str, Any], doorlooptijd: str) -> dict[str, Any]:
    """The zaaktype with a fixed doorlooptijd instead of the one that follows the option behandeltermijnDagen."""
    item.pop("fromOptions", None)
    item["doorlooptijd"] = doorlooptijd
    return item


async def test_activation_publishes_the_zaaktypen_in_the_municipalitys_catalogus(
        client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, APP)
    reader = await all_rights(session)
    assert await catalogus_of(client, reader, session, AMSTERDAM) == []
    await activate(client, session)
    [catalogus] = await catalogus_of(client, reader, session, AMSTERDAM)
    [zaaktype] = await zaaktypen(client, reader, catalogus)
    today = clock.today().isoformat()
    assert (zaaktype["identificatie"], zaaktype["omschrijving"], zaaktype["concept"]) == (
        "VERHUIZING", "Verhuizing doorgeven", False)
    assert (zaaktype["beginGeldigheid"], zaaktype["versiedatum"], zaaktype["eindeGeldigheid"]) == (today, today, None)
    assert (zaaktype["doorlooptijd"], zaaktype["verantwoordelijke"]) == ("P5D", "Burgerzaken")
    assert zaaktype["referentieproces"] == {"naam": APP}

    statustypen = [await read(client, reader, url, "/statustypen/{uuid}") for url in zaaktype["statustypen"]]
    assert [(s["volgnummer"], s["omschrijving"], s["isEindstatus"]) for s in statustypen] == [
        (1, "Ontvangen", False), (2, "In behandeling", False), (3, "Afgehandeld", True)]
    assert statustypen[0]["statustekst"] == "We hebben uw verhuizing ontvangen."
    roltypen = [await read(client, reader, url, "/roltypen/{uuid}") for url in zaaktype["roltypen"]]
    assert sorted((r["omschrijvingGeneriek"], r["omschrijving"]) for r in roltypen) == [
        ("behandelaar", "Behandelaar"), ("belanghebbende", "Meeverhuizer"), ("initiator", "Aanvrager")]
    resultaattypen = [await read(client, reader, url, "/resultaattypen/{uuid}") for url in zaaktype["resultaattypen"]]
    assert sorted((r["omschrijving"], r["archiefnominatie"], r["archiefactietermijn"]) for r in resultaattypen) == [
        ("Afgewezen", "vernietigen", "P10Y"), ("Verwerkt", "vernietigen", "P10Y")]
    assert all(r["brondatumArchiefprocedure"]["afleidingswijze"] == "afgehandeld" for r in resultaattypen)
    eigenschappen = [await read(client, reader, url, "/eigenschappen/{uuid}") for url in zaaktype["eigenschappen"]]
    assert sorted((e["naam"], e["specificatie"]["formaat"]) for e in eigenschappen) == [
        ("aantalPersonen", "getal"), ("intake", "tekst"), ("nieuwAdres", "tekst"), ("verhuisdatum", "datum")]
    [iot_url] = zaaktype["informatieobjecttypen"]
    iot = await read(client, reader, iot_url, "/informatieobjecttypen/{uuid}")
    assert (iot["omschrijving"], iot["concept"], iot["catalogus"], iot["beginGeldigheid"]) == (
        "Bewijs van bewoning", False, catalogus, today)
    links = check("get", "/zaaktype-informatieobjecttypen", await client.get(
        f"{BASE}/zaaktype-informatieobjecttypen", params={"zaaktype": zaaktype["url"]}, headers=reader))
    assert [(link["informatieobjecttype"], link["richting"], link["volgnummer"]) for link in links["results"]] == [
        (iot_url, "inkomend", 1)]

    assert await actions(session, "zaaktypen") == [("create", zaaktype["url"]), ("publish", zaaktype["url"])]
    assert await actions(session, "informatieobjecttypen") == [("create", iot_url), ("publish", iot_url)]
    message = await session.scalar(select(Message).where(Message.kanaal == "zaaktypen"))
    assert message is not None and message.kenmerken == {"catalogus": catalogus}
    assert await catalogus_of(client, reader, session, UTRECHT) == []


async def test_each_municipality_gets_its_own_copy(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, APP)
    reader = await all_rights(session)
    await activate(client, session, AMSTERDAM)
    await activate(client, session, UTRECHT)
    [amsterdam] = await catalogus_of(client, reader, session, AMSTERDAM)
    [utrecht] = await catalogus_of(client, reader, session, UTRECHT)
    assert amsterdam != utrecht
    [in_amsterdam] = await zaaktypen(client, reader, amsterdam)
    [in_utrecht] = await zaaktypen(client, reader, utrecht)
    assert in_amsterdam["identificatie"] == in_utrecht["identificatie"] == "VERHUIZING"
    assert in_amsterdam["url"] != in_utrecht["url"]
    assert (in_amsterdam["catalogus"], in_utrecht["catalogus"]) == (amsterdam, utrecht)
    assert set(in_amsterdam["statustypen"]).isdisjoint(in_utrecht["statustypen"])
    assert set(in_amsterdam["informatieobjecttypen"]).isdisjoint(in_utrecht["informatieobjecttypen"])
    assert in_utrecht["verantwoordelijke"] == "Burgerzaken"


async def test_an_integration_app_or_a_planned_adoption_provides_nothing(
        client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, APP)
    headers = await client_headers(session, "beheer", AMSTERDAM, ["beheerder"])
    planned = await client.post(adoptions_path(AMSTERDAM), headers=headers, json={"app": APP})
    assert planned.status_code == 201
    assert await count(session, ZaakType) == 0 and await count(session, Catalogus) == 0


async def test_an_upgrade_with_a_changed_zaaktype_makes_a_new_version(
        client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await publish_built_in(session, APP)
    changed = built_in_zaaktypen()
    with_doorlooptijd(changed[0], "P8D")
    changed[0]["statustypen"].insert(1, {"omschrijving": "Wacht op toestemming"})
    await publish_release(session, tmp_path, "2.1.0", [*changed, other_zaaktype()])
    await publish_release(session, tmp_path, "2.2.0", [other_zaaktype()], service=False)
    reader = await all_rights(session)
    first_day = clock.today() - dt.timedelta(days=20)
    move_today(monkeypatch, first_day)
    adoption = await activate(client, session)
    [catalogus] = await catalogus_of(client, reader, session, AMSTERDAM)
    [old] = await zaaktypen(client, reader, catalogus)

    upgrade_day = first_day + dt.timedelta(days=10)
    move_today(monkeypatch, upgrade_day)
    await change(client, adoption, version="2.1.0")
    versions = await zaaktypen(client, reader, catalogus, identificatie="VERHUIZING")
    assert len(versions) == 2 and versions[0]["url"] == old["url"]
    old, new = versions
    assert old["eindeGeldigheid"] == (upgrade_day - dt.timedelta(days=1)).isoformat()
    assert (new["beginGeldigheid"], new["versiedatum"], new["eindeGeldigheid"]) == (
        upgrade_day.isoformat(), upgrade_day.isoformat(), None)
    assert (old["doorlooptijd"], new["doorlooptijd"]) == ("P5D", "P8D")
    assert len(old["statustypen"]) == 3 and len(new["statustypen"]) == 4
    on_first_day = await zaaktypen(client, reader, catalogus, datumGeldigheid=first_day.isoformat())
    assert [z["url"] for z in on_first_day] == [old["url"]]
    on_upgrade_day = await zaaktypen(client, reader, catalogus, datumGeldigheid=upgrade_day.isoformat())
    assert {z["identificatie"] for z in on_upgrade_day} == {"VERHUIZING", "ADRESONDERZOEK"}
    assert new["url"] in {z["url"] for z in on_upgrade_day}
    assert ("partial_update", old["url"]) in await actions(session, "zaaktypen")
    assert await count(session, InformatieObjectType) == 1  # its definition did not change

    later = upgrade_day + dt.timedelta(days=5)
    move_today(monkeypatch, later)
    await change(client, adoption, version="2.2.0")
    [dropped] = [z for z in await zaaktypen(client, reader, catalogus, identificatie="VERHUIZING")
                 if z["url"] == new["url"]]
    assert dropped["eindeGeldigheid"] == later.isoformat()
    [kept] = await zaaktypen(client, reader, catalogus, identificatie="ADRESONDERZOEK")
    assert kept["eindeGeldigheid"] is None and kept["beginGeldigheid"] == upgrade_day.isoformat()


async def test_an_unchanged_upgrade_makes_no_new_version(client: httpx.AsyncClient, session: AsyncSession,
                                                          tmp_path: Path) -> None:
    await publish_built_in(session, APP)
    written_out = built_in_zaaktypen()
    written_out[0].update(opschortingEnAanhoudingMogelijk=False, publicatieIndicatie=False)  # the defaults
    await publish_release(session, tmp_path, "2.1.0", written_out)
    adoption = await activate(client, session)
    before = await actions(session, "zaaktypen")
    upgraded = await change(client, adoption, version="2.1.0")
    assert upgraded["version"] == "2.1.0"
    [zaaktype] = (await session.scalars(select(ZaakType))).all()
    assert zaaktype.einde_geldigheid is None and zaaktype.provided_by_app == APP
    assert await actions(session, "zaaktypen") == before


async def test_changes_on_the_day_of_activation_take_effect_the_next_day(
        client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path) -> None:
    await publish_built_in(session, APP)
    changed = built_in_zaaktypen()
    with_doorlooptijd(changed[0], "P8D")
    await publish_release(session, tmp_path, "2.1.0", changed)
    reader = await all_rights(session)
    adoption = await activate(client, session)
    await change(client, adoption, version="2.1.0")
    [catalogus] = await catalogus_of(client, reader, session, AMSTERDAM)
    old, new = await zaaktypen(client, reader, catalogus)
    today, tomorrow = clock.today(), clock.today() + dt.timedelta(days=1)
    assert (old["beginGeldigheid"], old["eindeGeldigheid"]) == (today.isoformat(), today.isoformat())
    assert (new["beginGeldigheid"], new["eindeGeldigheid"]) == (tomorrow.isoformat(), None)
    assert [z["url"] for z in await zaaktypen(client, reader, catalogus, datumGeldigheid=today.isoformat())] == [
        old["url"]]

    await change(client, adoption, status="ended")
    old, new = await zaaktypen(client, reader, catalogus)
    assert old["eindeGeldigheid"] == today.isoformat()
    assert new["eindeGeldigheid"] == today.isoformat()  # withdrawn: it ends before it begins, so never valid
    assert await zaaktypen(client, reader, catalogus, datumGeldigheid=tomorrow.isoformat()) == []


async def test_adopting_again_on_the_day_it_ended_reopens_the_same_version(
        client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, APP)
    adoption = await activate(client, session)
    await change(client, adoption, status="ended")
    again = await activate(client, session, headers=adoption["headers"])
    [zaaktype] = (await session.scalars(select(ZaakType).execution_options(populate_existing=True))).all()
    assert zaaktype.einde_geldigheid is None
    assert [actie for actie, _ in await actions(session, "zaaktypen")] == [
        "create", "publish", "partial_update", "partial_update"]
    assert again["status"] == "active"


async def test_ending_closes_the_zaaktypen_and_keeps_the_zaken(client: httpx.AsyncClient,
                                                               session: AsyncSession) -> None:
    await publish_built_in(session, APP)
    reader = await all_rights(session)
    adoption = await activate(client, session)
    [catalogus] = await catalogus_of(client, reader, session, AMSTERDAM)
    [zaaktype] = await zaaktypen(client, reader, catalogus)
    rsin = (await organisations.get_by_code(session, AMSTERDAM)).rsin
    roltypen = {(await read(client, reader, url, "/roltypen/{uuid}"))["omschrijvingGeneriek"]: url
                for url in zaaktype["roltypen"]}
    initiator = roltypen["initiator"]
    made = await cases.register_zaak(
        session, HOST,
        {"zaaktype": zaaktype["url"], "bronorganisatie": rsin, "verantwoordelijkeOrganisatie": rsin,
         "startdatum": clock.today().isoformat(), "omschrijving": "Verhuizing doorgeven"},
        rollen=[{"roltype": initiator, "betrokkeneType": "natuurlijk_persoon", "roltoelichting": "Aanvrager",
                 "betrokkeneIdentificatie": {"inpBsn": "999993653"}}],
        status={"statustype": zaaktype["statustypen"][0], "datumStatusGezet": f"{clock.today()}T09:00:00Z"})

    ended = await change(client, adoption, status="ended")
    assert ended["status"] == "ended"
    [closed] = await zaaktypen(client, reader, catalogus)
    assert closed["url"] == zaaktype["url"] and closed["eindeGeldigheid"] == clock.today().isoformat()
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    assert await zaaktypen(client, reader, catalogus, datumGeldigheid=tomorrow) == []
    assert [actie for actie, _ in await actions(session, "zaaktypen")] == ["create", "publish", "partial_update"]
    zaak = await client.get(f"/zaken/api/v1/zaken/{made.zaak.id}", headers=reader | CRS)
    assert zaak.status_code == 200 and zaak.json()["zaaktype"] == zaaktype["url"]


async def test_a_zaaktype_the_app_did_not_provide_blocks_activation(client: httpx.AsyncClient,
                                                                    session: AsyncSession) -> None:
    await publish_built_in(session, APP)
    reader = await all_rights(session)
    headers = await client_headers(session, "beheer", AMSTERDAM, ["beheerder"])
    planned = (await client.post(adoptions_path(AMSTERDAM), headers=headers, json={"app": APP})).json()
    catalogus = await ensure_municipality_catalogus(session, AMSTERDAM)
    await session.commit()
    catalogus_url = f"{HOST}{BASE}/catalogussen/{catalogus.id}"
    own = await publishable_zaaktype(client, reader, catalogus_url, "VERHUIZING")
    assert (await publish(client, reader, own["url"])).status_code == 200
    refused = await client.patch(f"{adoptions_path(AMSTERDAM)}/{planned['id']}", json={"status": "active"},
                                 headers=headers)
    assert refused.status_code == 409
    assert [(p["name"], p["code"]) for p in refused.json()["invalidParams"]] == [
        ("zaaktypen[0].identificatie", "taken")]
    still = await client.get(f"{adoptions_path(AMSTERDAM)}/{planned['id']}")
    assert still.json()["status"] == "planned"
    assert await count(session, Grant) == 0
    assert [z["url"] for z in await zaaktypen(client, reader, catalogus_url)] == [own["url"]]


async def test_an_existing_informatieobjecttype_is_shared(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, APP)
    reader = await all_rights(session)
    catalogus = await ensure_municipality_catalogus(session, AMSTERDAM)
    await session.commit()
    catalogus_url = f"{HOST}{BASE}/catalogussen/{catalogus.id}"
    existing = await post(client, reader, "informatieobjecttypen", {
        "catalogus": catalogus_url, "omschrijving": "Bewijs van bewoning", "vertrouwelijkheidaanduiding": "intern",
        "informatieobjectcategorie": "Eigen", "beginGeldigheid": "2026-01-01"})
    assert (await publish(client, reader, existing["url"])).status_code == 200
    await activate(client, session)
    [zaaktype] = await zaaktypen(client, reader, catalogus_url)
    assert zaaktype["informatieobjecttypen"] == [existing["url"]]
    assert await count(session, InformatieObjectType) == 1


@pytest.mark.parametrize("step", ["activate", "upgrade"])
async def test_a_failure_half_way_leaves_nothing_behind(client: httpx.AsyncClient, session: AsyncSession,
                                                        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        step: str) -> None:
    await publish_built_in(session, APP)
    changed = built_in_zaaktypen()
    with_doorlooptijd(changed[0], "P9D")
    await publish_release(session, tmp_path, "2.1.0", [*changed, other_zaaktype()])
    version = "2.1.0" if step == "activate" else "2.0.0"  # activating 2.1.0 provides two zaaktypen
    adoption = await adoptions.adopt(session, AMSTERDAM, APP, {}, SYSTEM, version=version,
                                     activate=step == "upgrade")
    before = (await count(session, ZaakType), await count(session, Message), await count(session, AdoptionEvent),
              await count(session, Catalogus), await count(session, Grant))
    made = provisioning._zaaktype
    calls: list[str] = []

    async def fails_on_the_second(scope: Any, item: dict[str, Any], verantwoordelijke: str,
                                  begin: dt.date) -> ZaakType:
        calls.append(item["identificatie"])
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return await made(scope, item, verantwoordelijke, begin)

    monkeypatch.setattr(provisioning, "_zaaktype", fails_on_the_second)
    change_to = {"status": "active"} if step == "activate" else {"version": "2.1.0"}
    with pytest.raises(RuntimeError):
        await adoptions.change_adoption(session, AMSTERDAM, str(adoption.id), SYSTEM, **change_to)
    assert calls[0] == "VERHUIZING" and len(calls) == 2
    after = (await count(session, ZaakType), await count(session, Message), await count(session, AdoptionEvent),
             await count(session, Catalogus), await count(session, Grant))
    assert after == before
    stored = await session.scalar(select(Adoption).execution_options(populate_existing=True))
    assert stored is not None
    assert (stored.status, stored.release.version) == ("planned" if step == "activate" else "active", version)
    rows = (await session.scalars(select(ZaakType).execution_options(populate_existing=True))).all()
    assert all(row.einde_geldigheid is None for row in rows)


async def test_the_conflict_names_each_taken_identificatie(session: AsyncSession) -> None:
    await publish_built_in(session, APP)
    await provisioning.provide(session, HOST, AMSTERDAM, "een-andere-app", None,
                               {"kind": "service", "zaaktypen": built_in_zaaktypen()})
    with pytest.raises(Conflict) as raised:
        await provisioning.provide(session, HOST, AMSTERDAM, APP, None,
                                   {"kind": "service", "zaaktypen": [other_zaaktype(), *built_in_zaaktypen()]})
    assert [p.name for p in raised.value.invalid_params] == ["zaaktypen[1].identificatie"]


async def test_two_apps_activated_at_once_cannot_both_take_an_identificatie(app: Any, session: AsyncSession) -> None:
    await publish_built_in(session, APP)
    await ensure_municipality_catalogus(session, AMSTERDAM)
    await session.commit()
    manifest = {"kind": "service", "zaaktypen": built_in_zaaktypen()}

    async def activate_alone(name: str) -> str:
        async with app.state.sessions() as own:
            try:
                await provisioning.provide(own, HOST, AMSTERDAM, name, None, manifest)
                await own.commit()
            except (Conflict, DBAPIError) as error:  # PostgreSQL: Conflict; SQLite: the second writer fails
                return type(error).__name__
            return "provided"

    outcomes = await asyncio.gather(activate_alone("app-een"), activate_alone("app-twee"))
    assert outcomes.count("provided") == 1, outcomes
    valid = (select(ZaakType.identificatie, func.count()).where(ZaakType.einde_geldigheid.is_(None))
             .group_by(ZaakType.identificatie))
    live = (await session.execute(valid)).all()
    assert live and all(count == 1 for _, count in live), live


def test_the_definition_hash_ignores_written_out_defaults_and_sees_changes() -> None:
    item = built_in_zaaktypen()[0]
    same = copy.deepcopy(item) | {"verlengingMogelijk": False, "toelichting": ""}
    same["statustypen"][1]["omschrijvingGeneriek"] = ""
    changed = copy.deepcopy(item)
    changed["roltypen"][0]["omschrijving"] = "Melder"
    digest = provisioning.definition_hash(provisioning.normalised(item))
    assert provisioning.definition_hash(provisioning.normalised(same)) == digest
    assert provisioning.definition_hash(provisioning.normalised(changed)) != digest
