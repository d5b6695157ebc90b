"""The rest of the Persoon: derived values for known persons of the GBA-V test set, gezag, in onderzoek, rni and
verificatie, the result cap of searches, and that fields not asked for never leave."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.exchange.models import LogRecord
from plein.registers.brp import present, query, service
from plein.registers.brp.models import Person, Verblijfstitel
from plein.registers.brp.schemas import GEZAG_PERSOON_BEPERKT, PERSOON, allowed_fields
from plein.registers.brp.service import NameData, NewPerson, NewResidence
from plein.registers.gbav import import_gbav
from tests.registers import spec
from tests.registers.helpers import AUTOMATIC, CAUSE, URL, bsn, reader, world
from tests.registers.helpers import query as body
from tests.registers.test_gbav import subset

ON = dt.date(2026, 11, 23)
KNOWN = ["Lg01_306", "Lg01_617", "Lg01_585", "Lg01_284", "Lg01_508", "Lg01_600", "Lg01_635", "Lg01_583",
         "Lg01_343", "Lg01_616", "Lg01_590", "Lg01_716", "Lg01_302"]


async def rendered(session: AsyncSession, number: str, fields: list[str], on: dt.date = ON) -> dict[str, Any]:
    bundle = (await query.load(session, [number]))[0]
    result, _ = present.render(bundle, PERSOON, fields, on)
    assert spec.errors(PERSOON, result) == []
    return result


async def test_known_persons_of_the_test_set(session: AsyncSession, tmp_path: Path) -> None:
    await import_gbav(session, subset(tmp_path, KNOWN))
    barones = await rendered(session, "999993951", ["adressering.aanhef", "adressering.aanschrijfwijze",
                                                    "adressering.gebruikInLopendeTekst"])
    assert barones["adressering"] == {  # Carolina barones Van Naersen, using the name of her husband the baron
        "aanhef": "Hoogwelgeboren vrouwe", "gebruikInLopendeTekst": "barones Van Nassau la Lecq",
        "aanschrijfwijze": {"naam": "C. barones Van Nassau la Lecq", "aanspreekvorm": "De hoogwelgeboren vrouwe"}}
    moulin = await rendered(session, "999993653", ["adressering"])
    assert moulin["adressering"]["adresregel2"].endswith("  ROTTERDAM")
    assert moulin["adressering"]["aanhef"] == "Geachte mevrouw Moulin"
    niet_op_adres = await rendered(session, "999992570", ["adressering.adresregel1", "verblijfplaats.type"])
    assert niet_op_adres["adressering"]["indicatieVastgesteldVerblijftNietOpAdres"] is True
    assert niet_op_adres["adressering"]["inOnderzoek"]["adresregel1"] is True
    assert niet_op_adres["verblijfplaats"]["indicatieVastgesteldVerblijftNietOpAdres"] is True
    geboorte = await rendered(session, "999992843", ["geboorte.datum", "leeftijd", "naam.voornamen"])
    assert geboorte["geboorte"]["inOnderzoek"]["datum"] is True and geboorte["inOnderzoek"]["leeftijd"] is True
    assert "inOnderzoek" not in geboorte["naam"]  # 010310 is about the birth date only
    assert (await rendered(session, "999991322", ["indicatieCurateleRegister", "verblijfstitel"])) == {
        "indicatieCurateleRegister": True, "verblijfstitel": {
            "aanduiding": {"code": "29", "omschrijving": "Vw 2000 art. 8, onder e, gemeenschapsonderdaan econ. "
                                                        "niet-actief, arbeid vrij"},
            "datumIngang": {"type": "Datum", "datum": "2001-04-26", "langFormaat": "26 april 2001"}}}
    assert (await rendered(session, "999991929", ["uitsluitingKiesrecht"])) == {
        "uitsluitingKiesrecht": {"uitgeslotenVanKiesrecht": True}}
    assert await rendered(session, "999994293", ["uitsluitingKiesrecht"]) == {}  # ended on 1 September 2008
    assert (await rendered(session, "999994293", ["uitsluitingKiesrecht"], dt.date(2008, 1, 1)))[
        "uitsluitingKiesrecht"]["einddatum"]["datum"] == "2008-09-01"
    assert (await rendered(session, "999994669", ["europeesKiesrecht"], dt.date(2006, 1, 1))) == {
        "europeesKiesrecht": {"aanduiding": {"code": "1", "omschrijving": "persoon is uitgesloten"},
                              "einddatumUitsluiting": {"type": "Datum", "datum": "2007-01-01",
                                                       "langFormaat": "1 januari 2007"}}}
    assert await rendered(session, "999994669", ["europeesKiesrecht", "indicatieCurateleRegister"]) == {}
    assert await rendered(session, "999994669", ["verblijfstitel"]) == {}  # ended in 2004: only history
    titels = select(Verblijfstitel.aanduiding, Verblijfstitel.valid_from, Verblijfstitel.valid_to)
    history = (await session.execute(titels.where(Verblijfstitel.bsn == "999994669")
                                     .order_by(Verblijfstitel.valid_from))).all()
    assert [tuple(row) for row in history] == [("12", "19951101", "19971201"), ("13", "19971201", "20041015")]
    until = await rendered(session, "999990159", ["verblijfstitel.datumEinde"], dt.date(2015, 5, 29))
    assert until["verblijfstitel"]["datumEinde"]["datum"] == "2015-05-30"
    assert await rendered(session, "999990159", ["verblijfstitel"], dt.date(2015, 5, 30)) == {}  # expired


async def test_the_name_forms_are_the_same_when_only_the_persons_who_may_use_a_partner_name_read_it(
        session: AsyncSession, tmp_path: Path) -> None:
    """Relations are read for the name forms only for a naamgebruik other than E or a title (query.Needs): for every
    person of the test set the adressering is what it is with all relations read."""
    await import_gbav(session, subset(tmp_path, KNOWN))
    numbers = list(await session.scalars(select(Person.bsn).order_by(Person.bsn)))
    fields = ["adressering"]
    lean = await query.load(session, numbers, query.Needs.for_fields(fields, PERSOON))
    full = await query.load(session, numbers, query.Needs())
    assert sum(1 for bundle in lean if bundle.relations) < sum(1 for bundle in full if bundle.relations)
    for one, other in zip(lean, full, strict=True):
        assert present.render(one, PERSOON, fields, ON) == present.render(other, PERSOON, fields, ON), one.person.bsn


async def test_rni_and_verificatie_come_with_the_categories_asked(session: AsyncSession, tmp_path: Path) -> None:
    await import_gbav(session, subset(tmp_path, ["Lg01_284"]))
    naam = await rendered(session, "999990457", ["naam.geslachtsnaam"])
    assert naam["verificatie"] == {"datum": {"type": "Datum", "datum": "2012-10-23", "langFormaat": "23 oktober 2012"},
                                   "omschrijving": "bewijs nationaliteit"}
    sociale_verzekeringsbank = {"code": "0201", "omschrijving": "Sociale Verzekeringsbank (inzake AOW, Anw en AKW)"}
    assert naam["rni"] == [{"deelnemer": sociale_verzekeringsbank, "categorie": "Persoon"}]
    both = await rendered(session, "999990457", ["naam.geslachtsnaam", "adressering.adresregel1"])
    assert [entry["categorie"] for entry in both["rni"]] == ["Persoon", "Verblijfplaats"]
    bundle = (await query.load(session, ["999990457"]))[0]
    without, delivered = present.render(bundle, PERSOON, ["naam.geslachtsnaam"], ON, automatic_fields=())
    assert without == {"naam": {"geslachtsnaam": naam["naam"]["geslachtsnaam"]}} and delivered == ["naam.geslachtsnaam"]


async def test_gezag_over_minors_and_of_their_parents(session: AsyncSession, client: httpx.AsyncClient) -> None:
    w = await world(session)  # Pieter (2010) is the son of Anna and Jan, married since 2005
    unmarried, recognised = bsn("sanne"), bsn("noor")
    await service.register_birth(session, NewPerson(unmarried, "V", "20150301", NameData("Groenlo", "Sanne"),
                                                    geboorteplaats="0363"), [w.groenlo, w.kaster], CAUSE)
    await service.register_birth(session, NewPerson(recognised, "V", "20240301", NameData("Groenlo", "Noor"),
                                                    geboorteplaats="0363"), [w.groenlo, w.kaster], CAUSE)
    await session.commit()
    pieter = await rendered(session, w.pieter, ["gezag"])
    assert [(g["type"], [o["burgerservicenummer"] for o in g["ouders"]]) for g in pieter["gezag"]] == [
        ("GezamenlijkOuderlijkGezag", [w.anna, w.jan])]
    assert pieter["gezag"][0]["minderjarige"] == {"burgerservicenummer": w.pieter, "leeftijd": 16,
                                                  "naam": {"volledigeNaam": "Pieter de Vries"}}
    anna = await rendered(session, w.anna, ["gezag"])
    assert [g["minderjarige"]["burgerservicenummer"] for g in anna["gezag"]] == [w.pieter]
    sanne = await rendered(session, unmarried, ["gezag"])
    assert sanne["gezag"][0]["type"] == "EenhoofdigOuderlijkGezag"  # unmarried parents before 2023: the mother
    assert sanne["gezag"][0]["ouder"]["burgerservicenummer"] == w.groenlo
    noor = await rendered(session, recognised, ["gezag"])
    assert noor["gezag"][0]["type"] == "GezamenlijkOuderlijkGezag"  # recognised from 2023: both parents
    kaster = await rendered(session, w.kaster, ["gezag"])
    assert [g["minderjarige"]["burgerservicenummer"] for g in kaster["gezag"]] == [recognised]
    assert await rendered(session, w.pieter, ["gezag"], dt.date(2030, 1, 1)) == {}  # of age
    await service.register_death(session, w.groenlo, "20250101", CAUSE)
    await session.commit()
    orphaned = await rendered(session, unmarried, ["gezag"])
    assert orphaned["gezag"][0]["type"] == "TijdelijkGeenGezag" and orphaned["gezag"][0]["toelichting"]
    headers = await reader(session, ["gezag", "burgerservicenummer"])
    response = await client.post(URL, headers=headers, json=body(
        "ZoekMetAdresseerbaarObjectIdentificatie", ["gezag"],
        adresseerbaarObjectIdentificatie=w.dam.adresseerbaar_object))
    assert response.status_code == 200, response.text
    found = {p.get("gezag", [{}])[0].get("type") for p in response.json()["personen"]}
    assert "GezamenlijkOuderlijkGezag" in found
    for person in response.json()["personen"]:
        assert spec.errors(GEZAG_PERSOON_BEPERKT, person) == []


async def test_a_search_that_finds_too_many_is_refused(session: AsyncSession, client: httpx.AsyncClient) -> None:
    w = await world(session)
    for number in range(11):
        await service.register_person(session, NewPerson(
            bsn(f"maassen-{number}"), "M", "19830526", NameData("Maassen", "Pieter" if number < 9 else "Jan Peter")),
            NewResidence("20000101", w.oudegracht.nummeraanduiding), CAUSE)
    await session.commit()
    headers = await reader(session, ["burgerservicenummer"])
    too_many = await client.post(URL, headers=headers, json=body(
        "ZoekMetGeslachtsnaamEnGeboortedatum", geslachtsnaam="Maassen", geboortedatum="1983-05-26"))
    assert too_many.status_code == 400
    problem = too_many.json()
    assert (problem["code"], problem["title"]) == ("tooManyResults", "Teveel zoekresultaten.")
    assert problem["detail"] == "Meer dan maximum van 10 zoekresultaten gevonden. Verfijn de zoekopdracht."
    assert spec.errors("Foutbericht", problem) == [] and "personen" not in problem
    logged = await session.scalar(select(func.count()).select_from(LogRecord).where(
        LogRecord.trace_id == too_many.headers.get("X-Transaction-Id", "-")))
    assert not logged
    refined = await client.post(URL, headers=headers, json=body(
        "ZoekMetGeslachtsnaamEnGeboortedatum", geslachtsnaam="Maassen", geboortedatum="1983-05-26",
        voornamen="Pieter"))
    assert refined.status_code == 200 and len(refined.json()["personen"]) == 9
    at_address = await client.post(URL, headers=headers, json=body(  # 13 live here: within the 30 of an address
        "ZoekMetNummeraanduidingIdentificatie", nummeraanduidingIdentificatie=w.oudegracht.nummeraanduiding,
        inclusiefOverledenPersonen=True))
    assert at_address.status_code == 200 and len(at_address.json()["personen"]) == 13
    for number in range(18):
        await service.register_person(session, NewPerson(bsn(f"bewoner-{number}"), "V", "19900101", NameData(
            "Bewoner", "Anna")), NewResidence("20000101", w.oudegracht.nummeraanduiding), CAUSE)
    await session.commit()
    search = body("ZoekMetPostcodeEnHuisnummer", postcode="3511AP", huisnummer=10)
    living = await client.post(URL, headers=headers, json=search)  # 30 living, Groen is deceased
    assert living.status_code == 200 and len(living.json()["personen"]) == 30
    everyone = await client.post(URL, headers=headers, json={**search, "inclusiefOverledenPersonen": True})
    assert everyone.status_code == 400 and everyone.json()["detail"].startswith("Meer dan maximum van 30 ")


WHOLE = {"type", "datum", "jaar", "maand", "onbekend", "langFormaat", "code", "omschrijving", "soort"}


def _asked(path: str, requested: set[str]) -> bool:
    """The path, a part of it or a whole that holds it was asked, or it is part of an asked date or table value."""
    parent, _, last = path.rpartition(".")
    return any(path == asked or path.startswith(asked + ".") or asked.startswith(path + ".")
               or (last in WHOLE and asked.rpartition(".")[2] in WHOLE and asked.rpartition(".")[0] == parent)
               for asked in requested)


def _fine(path: str, requested: set[str]) -> bool:
    """Whether a delivered path was asked for, or comes along with what was asked: the automatic fields, inOnderzoek,
    the type of a polymorphic object, the residence indicatie, and what the spec requires of a Gezagsrelatie."""
    parts = path.split(".")
    before = ".".join(parts[:parts.index("inOnderzoek")]) if "inOnderzoek" in parts else None
    comes_along = (
        parts[0] in AUTOMATIC
        or (before is not None and (not before or _asked(before, requested)))
        or (len(parts) > 1 and parts[-1] in ("type", "indicatieVastgesteldVerblijftNietOpAdres")
            and _asked(".".join(parts[:-1]), requested))
        or (parts[0] == "gezag" and parts[-1] in ("minderjarige", "burgerservicenummer", "naam", "toelichting")
            and any(asked.startswith("gezag") for asked in requested))
    )
    return comes_along or (before is None and _asked(path, requested))


async def test_fields_not_asked_for_are_never_returned(session: AsyncSession, tmp_path: Path) -> None:
    await import_gbav(session, subset(tmp_path, KNOWN))
    bundles = await query.load(session, list(await session.scalars(select(query.Person.bsn))))
    paths = sorted(allowed_fields(PERSOON))

    @given(st.sets(st.sampled_from(paths), min_size=1, max_size=5), st.sampled_from(bundles))
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def check(requested: set[str], bundle: query.PersonBundle) -> None:
        result, delivered = present.render(bundle, PERSOON, sorted(requested), ON)
        leaked = {path for path in spec.leaf_paths(result) if not _fine(path, requested)}
        assert leaked == set(), (sorted(requested), leaked)
        assert spec.errors(PERSOON, result) == []
        assert set(delivered) - set(AUTOMATIC) - {path for path in delivered if "inOnderzoek" in path} <= requested

    check()
