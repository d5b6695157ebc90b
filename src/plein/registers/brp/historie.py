"""Haal Centraal BRP Historie 2.0 (Bevragen Verblijfplaatshistorie): the query, a person's residences in a period
or on a day from the register's versioned rows, and each in the API's shape (newest first).

`parse_query(body)` checks a request body (RaadpleegMetPeriode: datumVan and datumTot; RaadpleegMetPeildatum:
peildatum) and raises InvalidInput whose invalidParams name every wrong parameter (an empty value is missing), as
schemas.parse_query does for BRP Personen. `residences` reads every version of a person's residence; `in_period`
keeps those the person may have lived at in the period, by the API's rules: a period is [datumVan, datumTot), a
peildatum the one day; a start that is partly unknown counts from the first day it may be (and not before the day
after the previous start); a version that was replaced on the day it began (a correction) is never delivered.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import InvalidInput, InvalidParam, NotFound
from plein.registers.bag.models import Address
from plein.registers.brp import adressering, lo3, onderzoek, present
from plein.registers.brp.lo3 import NOT_DELIVERED
from plein.registers.brp.models import Person, Residence
from plein.registers.brp.schemas import ISO_DATE, ParamError, check_bsn, foutieve_parameters, html_encoded

Json = dict[str, Any]
Row = tuple[Residence, Address | None]
PEILDATUM, PERIODE = "RaadpleegMetPeildatum", "RaadpleegMetPeriode"
QUERY_TYPES = {PEILDATUM: ("peildatum",), PERIODE: ("datumVan", "datumTot")}
DAY = dt.timedelta(days=1)
# The fields of each kind of voorkomen that its inOnderzoek may name (datumIngangGeldigheid is not delivered here).
ONDERZOEK_FIELDS = {soort: fields - {"datumIngangGeldigheid"}
                    for soort, fields in onderzoek.VERBLIJFPLAATS_FIELDS.items()}


@dataclass(frozen=True)
class HistorieQuery:
    """A checked query: the person and the period [van, tot); a peildatum is the period of that one day."""

    type: str
    burgerservicenummer: str
    van: dt.date
    tot: dt.date

    def arguments(self) -> dict[str, dt.date]:
        """The query as service.read_verblijfplaatshistorie's keyword arguments."""
        return {"peildatum": self.van} if self.type == PEILDATUM else {"van": self.van, "tot": self.tot}


def _problem(name: str, code: str, reason: str) -> InvalidInput:
    return foutieve_parameters([InvalidParam(name, code, reason)])


def _date(value: Any) -> dt.date:
    """A date as the API writes it (yyyy-mm-dd, a day that exists)."""
    if not isinstance(value, str) or not ISO_DATE.match(value):
        raise ParamError("date", "Waarde is geen geldige datum.")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ParamError("date", "Waarde is geen geldige datum.") from exc


def _query_type(body: dict[str, Any]) -> str:
    if "type" not in body:
        raise _problem("type", "required", "Parameter is verplicht.")
    if not isinstance(body["type"], str) or body["type"] not in QUERY_TYPES:
        raise _problem("type", "value", "Waarde is geen geldig zoek type.")
    return str(body["type"])


def parse_query(body: Any) -> HistorieQuery:
    """Check a request body; raise InvalidInput naming every wrong parameter, or return the query."""
    if not isinstance(body, dict):
        raise InvalidInput("Het request body is geen JSON object.")
    kind = _query_type(body)
    known = ("burgerservicenummer", *QUERY_TYPES[kind])
    problems = [InvalidParam(html_encoded(key), "unknownParam", "Parameter is niet verwacht.")
                for key in body if key not in (*known, "type")]
    given = {key: body[key] for key in known if key in body and body[key] != ""}
    problems += [InvalidParam(key, "required", "Parameter is verplicht.") for key in known if key not in given]
    values: dict[str, Any] = {}
    for key in known:
        if key in given:
            try:
                values[key] = check_bsn(given[key]) if key == "burgerservicenummer" else _date(given[key])
            except ParamError as error:
                problems.append(InvalidParam(key, error.code, error.reason))
    if kind == PERIODE and {"datumVan", "datumTot"} <= values.keys() and values["datumTot"] <= values["datumVan"]:
        problems.append(InvalidParam("datumTot", "date", "datumTot moet na datumVan liggen."))
    if problems:
        raise foutieve_parameters(problems)
    van = values.get("peildatum") or values["datumVan"]
    tot = van + DAY if kind == PEILDATUM else values["datumTot"]
    return HistorieQuery(kind, values["burgerservicenummer"], van, tot)


def query_for(bsn: str, *, van: dt.date | str | None = None, tot: dt.date | str | None = None,
              peildatum: dt.date | str | None = None) -> HistorieQuery:
    """The query of a Python caller, checked by the same rules: a peildatum, or a period from van until tot."""
    given = {"peildatum": peildatum} if peildatum is not None else {}
    given |= {key: value for key, value in (("datumVan", van), ("datumTot", tot)) if value is not None}
    body: Json = {"type": PEILDATUM if peildatum is not None else PERIODE, "burgerservicenummer": bsn}
    body |= {key: value.isoformat() if isinstance(value, dt.date) else value for key, value in given.items()}
    return parse_query(body)


# ---------------------------------------------------------------------------------------------- the rows


async def residences(session: AsyncSession, bsn: str) -> list[Row]:
    """Every version of the person's residence with its BAG address, oldest first (see `history`); NotFound when the
    register has no such person or does not deliver them (suspended for 'fout' or 'wissen')."""
    person = await session.get(Person, bsn)
    if person is None or person.opschorting_reden in NOT_DELIVERED:
        raise NotFound(f"De persoon met burgerservicenummer {bsn} is niet gevonden.")
    statement = (select(Residence, Address).outerjoin(Address, Address.id == Residence.address_id)
                 .where(Residence.bsn == bsn))
    return history([(residence, address) for residence, address in (await session.execute(statement)).all()])


def _replaced_at_once(residence: Residence) -> bool:
    """Closed on the very day it began: corrected (e.g. a move registered again that day), so never lived at."""
    return residence.valid_to == residence.valid_from and lo3.to_date(residence.valid_from) is not None


def history(rows: Sequence[Row]) -> list[Row]:
    """The versions in the order they followed each other, oldest first, without those replaced the day they began.

    The order follows the periods back from the current version (each version ends the day the next begins), not the
    dates as text: a start that is entirely unknown (00000000) cannot be placed by its value."""
    current = [row for row in rows if row[0].valid_to is None]
    ending: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row[0].valid_to is not None:
            ending[row[0].valid_to].append(row)
    chain = current[:1] or sorted(rows, key=lambda row: row[0].valid_to or "")[-1:]
    if not chain:
        return []
    while earlier := ending.get(chain[-1][0].valid_from):
        # one that began on the day it ended lies between; of the others, the one that began last
        earlier.sort(key=lambda row: (row[0].valid_from == row[0].valid_to, row[0].valid_from, row[0].id))
        chain.append(earlier.pop())
    return [row for row in reversed(chain) if not _replaced_at_once(row[0])]


def _first_day(value: str) -> dt.date | None:
    """The first day an LO3 date may be (a year or month that is known, from its start); None: entirely unknown."""
    year, month, day = int(value[:4]), int(value[4:6]), int(value[6:])
    return dt.date(year, month or 1, day or 1) if year else None


def _starts(rows: Sequence[Row]) -> list[dt.date | None]:
    """The first day each version may have begun: its own date, and at least the day after the previous began."""
    starts: list[dt.date | None] = []
    for residence, _ in rows:
        own, previous = _first_day(residence.valid_from), starts[-1] if starts else None
        after_previous = previous + DAY if previous is not None else None
        starts.append(max(own, after_previous) if own and after_previous else own or after_previous)
    return starts


def in_period(rows: Sequence[Row], query: HistorieQuery) -> list[Json]:
    """The versions (oldest first, from `history`) the person may have lived at in the query's period, newest first,
    in the API's shape: one begins before the period ends and the next begins after the period begins."""
    starts = _starts(rows)
    found = []
    for index, (residence, address) in enumerate(rows):
        following = rows[index + 1][0] if index + 1 < len(rows) else None
        start, next_start = starts[index], starts[index + 1] if following is not None else None
        begins = start is None or start < query.tot
        lasts = following is None or (next_start is not None and next_start > query.van)
        if begins and lasts:
            found.append(voorkomen(residence, address, following.valid_from if following is not None else None))
    return found[::-1]


# ---------------------------------------------------------------------------------------------- the shape


def _in_onderzoek(residence: Residence) -> Json | None:
    """The residence's own fields in onderzoek, and the municipality (delivered with every kind of residence)."""
    return onderzoek.merge(
        onderzoek.group(residence.onderzoek, residence.onderzoek_datum, "08", onderzoek.VERBLIJFPLAATS,
                        ONDERZOEK_FIELDS[residence.soort]),
        onderzoek.group(residence.onderzoek, residence.onderzoek_datum, "08", onderzoek.GEMEENTE,
                        ("gemeenteVanInschrijving",)))


def _adressering(residence: Residence, address: Address | None) -> Json | None:
    """The address lines, with inOnderzoek about those lines only; None when there are none (unknown residence)."""
    lines = {key: value for key, value in adressering.adresregels(residence, address).items() if value}
    if not lines:
        return None
    in_onderzoek = onderzoek.group(residence.onderzoek, residence.onderzoek_datum, "08",
                                   onderzoek.ADRESSERING_VERBLIJFPLAATS, lines)
    return lines | ({"inOnderzoek": in_onderzoek} if in_onderzoek else {})


def voorkomen(residence: Residence, address: Address | None, tot: str | None) -> Json:
    """One version of a residence as an AdresVoorkomen, LocatieVoorkomen, VerblijfplaatsBuitenlandVoorkomen or
    VerblijfplaatsOnbekendVoorkomen; `tot` is the day the next one began (LO3), None for the current one."""
    shown = present.verblijfplaats(residence, address) or {}
    values = {key: value for key, value in shown.items() if key not in ("datumIngangGeldigheid", "inOnderzoek")}
    values |= {"gemeenteVanInschrijving": lo3.gemeente(residence.gemeente_van_inschrijving)}
    values |= {"datumTot": lo3.datum(tot) if tot else None, "adressering": _adressering(residence, address),
               "inOnderzoek": _in_onderzoek(residence)}
    return {key: value for key, value in values.items() if value is not None}


def current_gemeente(rows: Sequence[Row]) -> str | None:
    """The municipality the person is registered in now (of the current version), None without one."""
    current = [residence for residence, _ in rows if residence.valid_to is None]
    return current[0].gemeente_van_inschrijving if current else None
