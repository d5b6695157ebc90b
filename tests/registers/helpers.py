"""Registers test helpers: valid BSNs, a small world of persons and addresses, and clients with grants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal, make_jwt
from plein.exchange import service as exchange
from plein.identifiers import stable_rsin
from plein.registers.bag.models import Address
from plein.registers.bag.service import AddressData, ensure_address
from plein.registers.brp import service
from plein.registers.brp.service import Cause, NameData, NewPerson, NewResidence

ADMIN = Principal("cli", "test-admin", "Test admin", frozenset(), all_rights=True)
ACTIVITY = "brp-raadplegen"
SECRET = "a-registers-secret-of-32-characters"
URL = "/haalcentraal/api/brp/personen"
CAUSE = Cause("Test", "zaak:test-1")
ALL_FIELDS = ["aNummer", "burgerservicenummer", "geslacht", "leeftijd", "naam", "geboorte", "nationaliteiten",
              "verblijfplaats", "immigratie", "gemeenteVanInschrijving", "datumInschrijvingInGemeente",
              "datumEersteInschrijvingGBA", "overlijden", "adressering", "partners", "ouders", "kinderen"]
AUTOMATIC = ["geheimhoudingPersoonsgegevens", "opschortingBijhouding", "rni", "verificatie"]


def bsn(seed: str) -> str:
    """A BSN that passes the 11-check, the same for the same seed."""
    return stable_rsin(f"bsn:{seed}")


async def reader(session: AsyncSession, fields: list[str], *, register: str = "brp", client_id: str = "zaaksysteem",
                 organisation: str = "0363", municipality: str | None = None,
                 activity: str = ACTIVITY) -> dict[str, str]:
    """A client of organisation with a processing activity and a grant on these fields; its request headers."""
    if client_id not in {client.client_id for client in await exchange.list_clients(session, ADMIN)}:
        await exchange.create_api_client(session, ADMIN, client_id, organisation=organisation, secret=SECRET)
    if not any(item.code == activity for item in await exchange.list_activities(session, organisation)):
        await exchange.create_activity(session, ADMIN, organisation, activity, "BRP raadplegen",
                                       "Personen raadplegen voor de behandeling van een zaak", "Wet BRP artikel 3.3")
    await exchange.create_grant(session, ADMIN, exchange.GrantRequest(client_id, register, fields, activity,
                                                                      municipality))
    return {"Authorization": f"Bearer {make_jwt(client_id, SECRET)}", exchange.ACTIVITY_HEADER: activity}


async def address(session: AsyncSession, number: int, straat: str, huisnummer: int, postcode: str,
                  gemeente: str = "0363", woonplaats: str = "Amsterdam", huisletter: str | None = None,
                  toevoeging: str | None = None) -> Address:
    """A BAG address with identifiers derived from number (nummeraanduiding gggg20…, object gggg01…)."""
    found, _ = await ensure_address(session, AddressData(
        openbare_ruimte=straat, huisnummer=huisnummer, gemeentecode=gemeente, postcode=postcode,
        huisletter=huisletter, huisnummertoevoeging=toevoeging, woonplaats=woonplaats,
        nummeraanduiding=f"{gemeente}20{number:010d}", adresseerbaar_object=f"{gemeente}01{number:010d}"))
    return found


async def dam_singel_oudegracht(session: AsyncSession) -> tuple[Address, Address, Address]:
    """Dam 1 and Singel 5 in Amsterdam, Oudegracht 10 in Utrecht: the addresses of a person who moves twice."""
    return (await address(session, 1, "Dam", 1, "1012JS"), await address(session, 2, "Singel", 5, "1012AB"),
            await address(session, 3, "Oudegracht", 10, "3511AP", gemeente="0344", woonplaats="Utrecht"))


async def person(session: AsyncSession, seed: str, geslachtsnaam: str, voornamen: str, geboortedatum: str,
                 home: Address | None, *, geslacht: str = "V", voorvoegsel: str | None = None,
                 since: str = "20000101") -> str:
    number = bsn(seed)
    residence = NewResidence(since, home.nummeraanduiding) if home is not None else None
    await service.register_person(session, NewPerson(
        number, geslacht, geboortedatum, NameData(geslachtsnaam, voornamen, voorvoegsel),
        geboorteplaats="0363"), residence, CAUSE)
    return number


@dataclass
class World:
    """A few persons at a few addresses; attributes are BSNs and addresses."""

    dam: Address
    dam_a: Address
    oudegracht: Address
    anna: str
    jan: str
    pieter: str
    kaster: str
    groen: str
    groenlo: str

    def all(self) -> list[str]:
        return [self.anna, self.jan, self.pieter, self.kaster, self.groen, self.groenlo]


async def world(session: AsyncSession) -> World:
    """Anna and Jan de Vries (married) with son Pieter at Dam 1 Amsterdam; Käster, Groen (deceased), Groenlo in
    Utrecht."""
    dam = await address(session, 1, "Dam", 1, "1012JS")
    dam_a = await address(session, 2, "Dam", 1, "1012JS", huisletter="A")
    oudegracht = await address(session, 3, "Oudegracht", 10, "3511AP", gemeente="0344", woonplaats="Utrecht")
    anna = await person(session, "anna", "Vries", "Anna Maria", "19800512", dam, voorvoegsel="de")
    jan = await person(session, "jan", "Vries", "Jan", "19790102", dam, geslacht="M", voorvoegsel="de")
    await service.register_partnership(session, anna, jan, "20050601", CAUSE, plaats="0363")
    pieter = bsn("pieter")
    await service.register_birth(session, NewPerson(pieter, "M", "20100304", NameData("Vries", "Pieter", "de"),
                                                    geboorteplaats="0363"), [anna, jan], CAUSE)
    kaster = await person(session, "kaster", "Käster", "Albertus Johannes", "19830526", oudegracht, geslacht="M")
    groen = await person(session, "groen", "Groen", "Henk", "19830526", oudegracht, geslacht="M")
    await service.register_death(session, groen, "20200101", CAUSE, plaats="0344")
    groenlo = await person(session, "groenlo", "Groenlo", "Gerda", "19830526", dam_a)
    await session.commit()
    return World(dam, dam_a, oudegracht, anna, jan, pieter, kaster, groen, groenlo)


def query(kind: str, fields: list[str] | None = None, **parameters: Any) -> dict[str, Any]:
    return {"type": kind, "fields": fields or ["burgerservicenummer"], **parameters}
