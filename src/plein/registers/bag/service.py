"""BAG register logic: look up addresses (by postcode and number, by identifier; `read_addresses` through the exchange
layer, for Plein's own services) and add the addresses others need."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from plein.auth.service import Principal
from plein.registers.bag.models import Address
from plein.registers.keys import prefix_end, search_key

POSTCODE = re.compile(r"^[1-9][0-9]{3} ?[A-Za-z]{2}$")
IDENTIFICATIE = re.compile(r"^(?!0{16})[0-9]{16}$")


@dataclass(frozen=True)
class AddressData:
    """An address to add to the register (the BAG's own data; the importer and tests make these)."""

    openbare_ruimte: str
    huisnummer: int | None
    gemeentecode: str
    postcode: str | None = None
    huisletter: str | None = None
    huisnummertoevoeging: str | None = None
    woonplaats: str | None = None
    nummeraanduiding: str | None = None
    adresseerbaar_object: str | None = None
    korte_naam: str | None = None


def normalise_postcode(value: str) -> str:
    """'1234 ab' -> '1234AB'."""
    return value.replace(" ", "").upper()


def _same_text(column: InstrumentedAttribute[str | None], value: str | None) -> ColumnElement[bool]:
    """Case-insensitive equality, or 'no value' when value is None."""
    if value is None:
        return column.is_(None)
    return func.lower(column) == value.lower()


def at_number(postcode: str, huisnummer: int, huisletter: str | None = None,
              huisnummertoevoeging: str | None = None) -> list[ColumnElement[bool]]:
    """Conditions for the addresses at a postcode and number (ix_bag_addresses_postcode_huisnummer)."""
    conditions = [Address.postcode == normalise_postcode(postcode), Address.huisnummer == huisnummer]
    if huisletter is not None:
        conditions.append(_same_text(Address.huisletter, huisletter))
    if huisnummertoevoeging is not None:
        conditions.append(_same_text(Address.huisnummertoevoeging, huisnummertoevoeging))
    return conditions


def at_number_with_parameters(huisletter: bool, huisnummertoevoeging: bool) -> list[ColumnElement[bool]]:
    """at_number with bound parameters instead of values (for statements built once; at_number_parameters gives the
    values): postcode, huisnummer and, when asked for, huisletter and huisnummertoevoeging."""
    conditions = [Address.postcode == bindparam("postcode"), Address.huisnummer == bindparam("huisnummer")]
    if huisletter:
        conditions.append(func.lower(Address.huisletter) == bindparam("huisletter"))
    if huisnummertoevoeging:
        conditions.append(func.lower(Address.huisnummertoevoeging) == bindparam("huisnummertoevoeging"))
    return conditions


def at_number_parameters(postcode: str, huisnummer: int, huisletter: str | None = None,
                         huisnummertoevoeging: str | None = None) -> dict[str, Any]:
    """The parameters of at_number_with_parameters."""
    return {"postcode": normalise_postcode(postcode), "huisnummer": huisnummer,
            "huisletter": (huisletter or "").lower(), "huisnummertoevoeging": (huisnummertoevoeging or "").lower()}


def street_condition(straat: str) -> ColumnElement[bool]:
    """A street name, exact or with a wildcard at the end (index range) or at the start (filter on a small range)."""
    if straat.endswith("*"):
        prefix = search_key(straat[:-1])
        return (Address.openbare_ruimte_key >= prefix) & (Address.openbare_ruimte_key < prefix_end(prefix))
    if straat.startswith("*"):
        return Address.openbare_ruimte_key.endswith(search_key(straat[1:]), autoescape=True)
    return Address.openbare_ruimte_key == search_key(straat)


def address_ids(conditions: list[ColumnElement[bool]]) -> Select[int]:
    """A sub-select of address ids for the BRP's address searches (one statement, index-driven)."""
    return select(Address.id).where(*conditions)


def in_street(gemeentecode: str, straat: str, huisnummer: int, huisletter: str | None = None,
              huisnummertoevoeging: str | None = None) -> list[ColumnElement[bool]]:
    """Conditions for a street and number in a municipality.

    ix_bag_addresses_gemeente_straat_huisnummer answers an exact street or one ending in *; a street starting
    with * is filtered inside ix_bag_addresses_gemeente_huisnummer_straat.
    """
    conditions = [Address.gemeentecode == gemeentecode, Address.huisnummer == huisnummer, street_condition(straat)]
    if huisletter is not None:
        conditions.append(_same_text(Address.huisletter, huisletter))
    if huisnummertoevoeging is not None:
        conditions.append(_same_text(Address.huisnummertoevoeging, huisnummertoevoeging))
    return conditions


async def find_addresses(
    session: AsyncSession, postcode: str, huisnummer: int, huisletter: str | None = None,
    huisnummertoevoeging: str | None = None, municipalities: Collection[str] | None = None,
) -> list[Address]:
    """BAG addresses at a postcode and number (optionally letter and addition), in BAG order."""
    statement = select(Address).where(
        *at_number(postcode, huisnummer, huisletter, huisnummertoevoeging), Address.nummeraanduiding.is_not(None))
    if municipalities is not None:
        statement = statement.where(Address.gemeentecode.in_(sorted(municipalities)))
    statement = statement.order_by(Address.huisletter.nulls_first(), Address.huisnummertoevoeging.nulls_first(),
                                   Address.nummeraanduiding)
    return list((await session.scalars(statement)).all())


async def get_address(session: AsyncSession, nummeraanduiding: str) -> Address | None:
    return await session.scalar(select(Address).where(Address.nummeraanduiding == nummeraanduiding))


async def _existing(session: AsyncSession, data: AddressData) -> Address | None:
    """The address already registered for this data: by identifier, else by postcode and number, else by street."""
    if data.nummeraanduiding:
        return await get_address(session, data.nummeraanduiding)
    same_addition = [_same_text(Address.huisletter, data.huisletter),
                     _same_text(Address.huisnummertoevoeging, data.huisnummertoevoeging)]
    if data.postcode and data.huisnummer is not None:
        conditions = [Address.postcode == normalise_postcode(data.postcode), Address.huisnummer == data.huisnummer]
    else:
        number = Address.huisnummer.is_(None) if data.huisnummer is None else Address.huisnummer == data.huisnummer
        conditions = [Address.gemeentecode == data.gemeentecode,
                      Address.openbare_ruimte_key == search_key(data.openbare_ruimte), number]
    conditions += same_addition
    statement = select(Address).where(*conditions).order_by(Address.nummeraanduiding.is_(None), Address.id).limit(1)
    return await session.scalar(statement)


def _new(data: AddressData) -> Address:
    return Address(
        nummeraanduiding=data.nummeraanduiding, adresseerbaar_object=data.adresseerbaar_object,
        openbare_ruimte=data.openbare_ruimte, korte_naam=data.korte_naam,
        openbare_ruimte_key=search_key(data.openbare_ruimte), huisnummer=data.huisnummer, huisletter=data.huisletter,
        huisnummertoevoeging=data.huisnummertoevoeging,
        postcode=normalise_postcode(data.postcode) if data.postcode else None, woonplaats=data.woonplaats,
        gemeentecode=data.gemeentecode,
    )


async def ensure_address(session: AsyncSession, data: AddressData) -> tuple[Address, bool]:
    """The registered address for this data, added when missing; (address, created). Existing data is kept."""
    found = await _existing(session, data)
    if found is not None:
        return found, False
    address = _new(data)
    session.add(address)
    await session.flush()
    return address, True


def _number_key(data: AddressData) -> tuple[str | None, int | None, str, str]:
    return (normalise_postcode(data.postcode) if data.postcode else None, data.huisnummer,
            (data.huisletter or "").lower(), (data.huisnummertoevoeging or "").lower())


def _street_key(data: AddressData) -> tuple[object, ...]:
    return (data.gemeentecode, search_key(data.openbare_ruimte), data.huisnummer, (data.huisletter or "").lower(),
            (data.huisnummertoevoeging or "").lower())


async def ensure_addresses(session: AsyncSession, items: Iterable[AddressData],
                           ) -> tuple[dict[AddressData, Address], int]:
    """ensure_address for many at once (an import): one query per 500 identifiers and one flush.

    An address without BAG identifiers is the BAG address at the same postcode and number when there is one.
    Returns each data's address and how many were added.
    """
    wanted = list(dict.fromkeys(items))
    result: dict[AddressData, Address] = {}
    by_number: dict[tuple[str | None, int | None, str, str], Address] = {}
    others: dict[tuple[object, ...], Address] = {}
    created = 0
    with session.no_autoflush:
        numbers = sorted({data.nummeraanduiding for data in wanted if data.nummeraanduiding})
        known: dict[str | None, Address] = {}
        for start in range(0, len(numbers), 500):
            chunk = numbers[start:start + 500]
            known |= {a.nummeraanduiding: a for a in await session.scalars(
                select(Address).where(Address.nummeraanduiding.in_(chunk)))}
        for data in (item for item in wanted if item.nummeraanduiding):
            if data.nummeraanduiding not in known:
                known[data.nummeraanduiding] = _new(data)
                session.add(known[data.nummeraanduiding])
                created += 1
            result[data] = known[data.nummeraanduiding]
            by_number.setdefault(_number_key(data), result[data])
            others.setdefault(_street_key(data), result[data])
        without = [item for item in wanted if not item.nummeraanduiding]
        postcodes = sorted({normalise_postcode(item.postcode) for item in without if item.postcode})
        for start in range(0, len(postcodes), 500):
            for address in await session.scalars(select(Address).where(
                    Address.postcode.in_(postcodes[start:start + 500])).order_by(Address.nummeraanduiding.is_(None))):
                by_number.setdefault((address.postcode, address.huisnummer, (address.huisletter or "").lower(),
                                      (address.huisnummertoevoeging or "").lower()), address)
        for data in without:
            key = _street_key(data)
            found = (by_number.get(_number_key(data)) if data.postcode else None) or others.get(key)
            if found is None and not data.postcode:
                found = await _existing(session, data)
            if found is None:
                found = _new(data)
                session.add(found)
                created += 1
            result[data] = others[key] = found
            if data.postcode:
                by_number.setdefault(_number_key(data), found)
    await session.flush()
    return result, created


def address_fields(address: Address) -> dict[str, Any]:
    """The BAG API representation (camelCase), without empty values."""
    values = {
        "nummeraanduidingIdentificatie": address.nummeraanduiding,
        "adresseerbaarObjectIdentificatie": address.adresseerbaar_object,
        "openbareRuimte": address.openbare_ruimte, "huisnummer": address.huisnummer,
        "huisletter": address.huisletter, "huisnummertoevoeging": address.huisnummertoevoeging,
        "postcode": address.postcode, "woonplaats": address.woonplaats, "gemeentecode": address.gemeentecode,
    }
    return {name: value for name, value in values.items() if value is not None}


async def read_addresses(session: AsyncSession, principal: Principal, activity: str, trace_id: str, postcode: str,
                         huisnummer: int, huisletter: str | None = None,
                         huisnummertoevoeging: str | None = None) -> list[dict[str, Any]]:
    """The addresses at a postcode and number as the BAG API gives them, read under the client's grant on register
    bag for the activity (only granted fields; within the grant's municipalities). Addresses have no data subject,
    so nothing is logged (as in the BAG API)."""
    from plein.exchange import service as exchange
    from plein.registers.fields import BAG_FIELDS

    permit = await exchange.authorize_read(session, principal, "bag", sorted(BAG_FIELDS), activity, trace_id)
    found = await find_addresses(session, postcode, huisnummer, huisletter, huisnummertoevoeging,
                                 permit.municipalities)
    return [{name: value for name, value in address_fields(address).items() if name in permit.fields}
            for address in found]
