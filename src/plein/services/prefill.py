"""Register data for a service, read at the source through the exchange layer under the handling municipality's own
grants (the platform client `plein-<CBS code>` that activating the app gave them): the prefill entries of the
definition, the persons who live at an address, and BAG addresses. Every person read is in the processing log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.auth.service import Principal
from plein.exchange import service as exchange
from plein.registers.bag import service as bag
from plein.registers.brp import schemas as brp_schemas
from plein.registers.brp import service as brp

HUISGENOTEN = "huisgenoten"
AANVRAGER = "aanvrager"
HISTORIE = "verblijfplaatshistorie"  # not a field of a person: Haal Centraal's own API (BRP Historie) reads it
EVER = dt.date(1800, 1, 1)  # the history asked for is all of it: from before anyone living was registered
RELATIONS = ("partners", "kinderen")
OCCUPANT_SEARCH_FIELDS = ("burgerservicenummer", "leeftijd")
OCCUPANT_FIELDS = ("burgerservicenummer", "naam", "leeftijd", "verblijfplaats")


def client(code: str) -> Principal:
    """The platform client of a municipality, as the exchange layer knows it."""
    client_id = exchange.platform_client_id(code)
    return Principal("client", client_id, client_id, frozenset())


async def persons(session: AsyncSession, code: str, activity: str, bsns: Sequence[str], fields: Sequence[str],
                  trace_id: str) -> list[dict[str, Any]]:
    """Persons by BSN (Haal Centraal's Raadpleeg), the granted fields only; logged before they are returned."""
    wanted = list(dict.fromkeys(bsn for bsn in bsns if bsn))
    if not wanted:
        return []
    query = brp_schemas.parse_query({"type": "RaadpleegMetBurgerservicenummer", "burgerservicenummer": wanted,
                                     "fields": list(fields)})
    result = await brp.read_personen(session, client(code), query, activity, trace_id)
    return result.personen


async def entry(session: AsyncSession, code: str, spec: dict[str, Any], subject: str | None,
                known: dict[str, Any], trace_id: str) -> Any:
    """One prefill entry: a person (about aanvrager, or about the BSN an answer holds) or the applicant's housemates
    (a list). The field verblijfplaatshistorie adds the person's residences of the past (BRP Historie). `known` is
    the prefill read so far (housemates need the applicant's record). None when there is nobody to read (no BSN
    yet, or no such person)."""
    about = spec["about"]
    if about == HUISGENOTEN:
        return await housemates(session, code, spec, known.get(AANVRAGER), trace_id)
    if not subject:
        return None
    fields = [field for field in spec["fields"] if field != HISTORIE]
    found: dict[str, Any] | None = {"burgerservicenummer": subject}
    if fields:
        read = await persons(session, code, spec["activity"], [subject], fields, trace_id)
        found = read[0] if read else None
    if HISTORIE in spec["fields"] and found is not None:
        found = {**found, HISTORIE: await brp.read_verblijfplaatshistorie(
            session, client(code), subject, spec["activity"], trace_id, van=EVER, tot=clock.today() + dt.timedelta(1))}
    return found


async def housemates(session: AsyncSession, code: str, spec: dict[str, Any], applicant: Any,
                     trace_id: str) -> list[dict[str, Any]]:
    """The applicant's partners and children who live at the applicant's address today (the same addresseerbaar
    object), read at the source: they are who may move along. Others read to check this are logged too."""
    if not isinstance(applicant, dict):
        return []
    home = address_object(applicant)
    related = [person.get("burgerservicenummer") for relation in RELATIONS
               for person in applicant.get(relation) or [] if isinstance(person, dict)]
    found = await persons(session, code, spec["activity"], [bsn for bsn in related if bsn], spec["fields"], trace_id)
    return [person for person in found if home and address_object(person) == home]


def address_object(person: dict[str, Any]) -> str | None:
    """The adresseerbaar object a person lives at, from a Haal Centraal verblijfplaats."""
    place = person.get("verblijfplaats")
    value = place.get("adresseerbaarObjectIdentificatie") if isinstance(place, dict) else None
    return str(value) if value else None


async def occupants(session: AsyncSession, code: str, activity: str, address_object_id: str,
                    trace_id: str) -> list[dict[str, Any]]:
    """Everyone registered at an adresseerbaar object today, with name, age and residence (for the main occupant's
    consent): a search for who lives there, then their records."""
    query = brp_schemas.parse_query({"type": "ZoekMetAdresseerbaarObjectIdentificatie",
                                     "adresseerbaarObjectIdentificatie": address_object_id,
                                     "fields": list(OCCUPANT_SEARCH_FIELDS)})
    found = await brp.read_personen(session, client(code), query, activity, trace_id)
    bsns = [str(person["burgerservicenummer"]) for person in found.personen if person.get("burgerservicenummer")]
    return await persons(session, code, activity, bsns, OCCUPANT_FIELDS, trace_id)


async def addresses(session: AsyncSession, code: str, activity: str, trace_id: str, postcode: str, huisnummer: int,
                    huisletter: str | None, huisnummertoevoeging: str | None) -> list[dict[str, Any]]:
    """BAG addresses at a postcode and number, under the municipality's grant on register bag."""
    return await bag.read_addresses(session, client(code), activity, trace_id, postcode, huisnummer, huisletter,
                                    huisnummertoevoeging)
