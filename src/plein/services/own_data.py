"""Mijn gegevens: a citizen reads their own BRP record through Plein's own processing, registered on first use."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.errors import Conflict
from plein.exchange import registry
from plein.exchange import service as exchange
from plein.exchange.models import Grant
from plein.organisations import service as organisations
from plein.registers.brp import schemas as brp_schemas
from plein.registers.brp import service as brp
from plein.services import questions

ORGANISATION = "plein"
ORGANISATION_NAME = "Plein (coöperatie van gemeenten)"
CLIENT = "plein-mijn-gegevens"
ACTIVITY = "inzage-eigen-gegevens"
ACTIVITY_NAME = "Inzage in eigen gegevens"
PURPOSE = "Inzage geven aan de inwoner in diens eigen gegevens in de Basisregistratie Personen"
LEGAL_BASIS = "Wet BRP artikel 2.55 en AVG artikel 15"
REGISTER = "brp"
GRANTED_BY = "plein:mijn-gegevens"
FIELDS = ("burgerservicenummer", "naam", "geboorte", "nationaliteiten", "verblijfplaats", "gemeenteVanInschrijving",
          "datumInschrijvingInGemeente", "partners", "kinderen", "ouders")
ATTEMPTS = 3
# The grant's id follows from what it grants, so two requests that issue it at once cannot make two of them; a
# later Plein that shows more fields derives a new id and issues the wider grant once.
GRANT_ID = uuid.uuid5(uuid.NAMESPACE_URL, f"urn:plein:grant:{CLIENT}:{ACTIVITY}:{REGISTER}:{','.join(FIELDS)}")
SYSTEM = Principal("system", "plein", "Plein", frozenset(), all_rights=True)  # Plein registering its own processing


def reader() -> Principal:
    """The client that reads on the citizen's behalf, as the exchange layer knows it."""
    return Principal("client", CLIENT, CLIENT, frozenset())


async def read_own(session: AsyncSession, bsn: str, trace_id: str) -> dict[str, Any] | None:
    """The citizen's own person record (the shown fields only), read at the source and logged under Plein's
    activity `inzage-eigen-gegevens`; None when the BRP does not know the BSN. Only ever asked for the BSN of the
    logged-in citizen (the caller passes principal.id)."""
    await ensure_registered(session)
    query = brp_schemas.parse_query({"type": "RaadpleegMetBurgerservicenummer", "burgerservicenummer": [bsn],
                                     "fields": list(FIELDS)})
    result = await brp.read_personen(session, reader(), query, ACTIVITY, trace_id)
    return result.personen[0] if result.personen else None


# --- what the page shows -------------------------------------------------------------------------------------

NATIONALITY_TYPES = {"BehandeldAlsNederlander": "Behandeld als Nederlander",
                     "VastgesteldNietNederlander": "Vastgesteld niet-Nederlander", "Staatloos": "Staatloos",
                     "NationaliteitOnbekend": "Onbekend"}
Row = tuple[str, list[str]]


def rows(person: dict[str, Any]) -> list[Row]:
    """The person's data as (label, lines) for a definition list, in plain Dutch with dates in words."""
    geboorte = _dict(person.get("geboorte"))
    place = _dict(person.get("verblijfplaats"))
    gemeente = _dict(person.get("gemeenteVanInschrijving")).get("omschrijving")
    registered = date_text(person.get("datumInschrijvingInGemeente"))
    found: list[Row] = [
        ("Naam", [full_name(person.get("naam"))]),
        ("Burgerservicenummer", [str(person.get("burgerservicenummer") or "")]),
        ("Geboortedatum", [date_text(geboorte.get("datum"))]),
        ("Geboorteplaats", [_birth_place(geboorte)]),
        ("Nationaliteit", [_nationality(item) for item in person.get("nationaliteiten") or []]),
        ("Adres", [residence(place)]),
        ("Woont op dit adres sinds", [date_text(place.get("datumVan"))]),
        ("Ingeschreven in gemeente", [f"{gemeente}" + (f" (sinds {registered})" if registered else "")]
         if gemeente else []),
        ("Partner", [relative(item) for item in person.get("partners") or []]),
        ("Kinderen", [relative(item) for item in person.get("kinderen") or []]),
        ("Ouders", [relative(item) for item in person.get("ouders") or []]),
    ]
    return [(label, [line for line in lines if line] or ["Niet bekend"]) for label, lines in found]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def date_text(value: Any) -> str:
    """A Haal Centraal date ({type, datum, langFormaat}) in words: '15 maart 1980', 'maart 1980', 'onbekend'."""
    found = _dict(value)
    return questions.long_date(found.get("datum")) or str(found.get("langFormaat") or "")


def full_name(value: Any) -> str:
    naam = _dict(value)
    return str(naam.get("volledigeNaam") or " ".join(
        str(part) for part in (naam.get("voornamen"), naam.get("voorvoegsel"), naam.get("geslachtsnaam")) if part))


def relative(person: Any) -> str:
    """'Jan Bakker, geboren 1 januari 1979'."""
    found = _dict(person)
    name = full_name(found.get("naam")) or "Naam niet bekend"
    born = date_text(_dict(found.get("geboorte")).get("datum"))
    return f"{name}, geboren {born}" if born else name


def _birth_place(geboorte: dict[str, Any]) -> str:
    place = _dict(geboorte.get("plaats")).get("omschrijving")
    land = _dict(geboorte.get("land")).get("omschrijving")
    parts = [str(place)] if place else []
    if land and (land != "Nederland" or not place):
        parts.append(str(land))
    return ", ".join(parts)


def _nationality(item: Any) -> str:
    found = _dict(item)
    named = _dict(found.get("nationaliteit")).get("omschrijving")
    return str(named or NATIONALITY_TYPES.get(str(found.get("type")), ""))


def residence(place: dict[str, Any]) -> str:
    """Where the person lives: a Dutch address, a description of a location, or an address abroad."""
    address = _dict(place.get("verblijfadres"))
    if place.get("type") == "Adres" or address.get("officieleStraatnaam"):
        return questions.address_line({
            "straat": address.get("officieleStraatnaam") or address.get("korteStraatnaam"),
            "huisnummer": address.get("huisnummer"), "huisletter": address.get("huisletter"),
            "huisnummertoevoeging": address.get("huisnummertoevoeging"), "postcode": address.get("postcode"),
            "woonplaats": address.get("woonplaats")})
    if address.get("locatiebeschrijving"):
        return str(address["locatiebeschrijving"])
    lines = [str(address[key]) for key in ("regel1", "regel2", "regel3") if address.get(key)]
    land = _dict(address.get("land")).get("omschrijving")
    return ", ".join([*lines, *([str(land)] if land else [])])


# --- registration on first use --------------------------------------------------------------------------------


async def ensure_registered(session: AsyncSession) -> None:
    """Make sure Plein's own processing exists: organisation `plein`, client `plein-mijn-gegevens`, activity
    `inzage-eigen-gegevens` and a read grant on the shown fields without municipality restriction.

    Idempotent and safe when requests race: every row has a unique key (the grant a fixed id derived from its
    fields), so an insert that loses a race fails, is rolled back, and the winner's row is used. A grant an
    administrator revoked is not issued again: reading then stops, as the administrator meant."""
    if await _granted(session):
        return
    organisation_id = await _organisation(session)
    client_id = await _client(session)
    activity_id = await _activity(session, organisation_id)
    grant = Grant(id=GRANT_ID, client_id=client_id, register=REGISTER, fields=list(FIELDS), access="read",
                  activity_id=activity_id, municipality=None, created_by=GRANTED_BY)
    session.add(grant)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()  # the same grant was issued by a request that ran at the same time


async def _granted(session: AsyncSession) -> bool:
    """Whether a grant covering every shown field exists for the activity (live, or revoked by an administrator)."""
    if await registry.find_client(session, CLIENT) is None:
        return False
    grants = await exchange.list_grants(session, SYSTEM, client=CLIENT)
    return any(grant.activity.code == ACTIVITY and grant.register == REGISTER and grant.access == "read"
               and not exchange.ungranted(FIELDS, grant.fields or []) for grant in grants)


async def _organisation(session: AsyncSession) -> uuid.UUID:
    """The id of organisation `plein`, made when missing (a fresh installation, or a test, has none)."""
    for _ in range(ATTEMPTS):
        try:
            return (await organisations.get_by_code(session, ORGANISATION)).id
        except organisations.UnknownOrganisation:
            pass
        try:
            made = await organisations.create_organisation(session, ORGANISATION, ORGANISATION_NAME,
                                                           kind="cooperation")
            return made.id
        except IntegrityError:
            await session.rollback()  # made by another request just now: use theirs
    raise RuntimeError(f"organisation '{ORGANISATION}' could not be made")


async def _client(session: AsyncSession) -> uuid.UUID:
    """The row id of the client, made when missing."""
    for _ in range(ATTEMPTS):
        found = await registry.find_client(session, CLIENT)
        if found is not None:
            return found.id
        try:
            made, _secret = await exchange.create_api_client(session, SYSTEM, CLIENT, organisation=ORGANISATION)
            return made.id
        except Conflict:
            continue  # made by another request just now (create_api_client rolled back)
    raise RuntimeError(f"client '{CLIENT}' could not be made")


async def _activity(session: AsyncSession, organisation_id: uuid.UUID) -> uuid.UUID:
    """The id of the processing activity in organisation `plein`'s register, added when missing."""
    for _ in range(ATTEMPTS):
        found = await exchange.find_activity(session, organisation_id, ACTIVITY)
        if found is not None:
            return found.id
        try:
            made = await exchange.create_activity(session, SYSTEM, ORGANISATION, ACTIVITY, ACTIVITY_NAME, PURPOSE,
                                                  LEGAL_BASIS)
            return made.id
        except Conflict:
            continue
        except IntegrityError:
            await session.rollback()
    raise RuntimeError(f"processing activity '{ACTIVITY}' could not be made")
