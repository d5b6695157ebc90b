"""Registers test helpers: valid BSNs, a small world of persons and addresses, and clients with grants."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
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


# ---------------------------------------------------------------------------------------------- reference error cases

BAD_REQUEST = ("https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.1",
               "Een of meerdere parameters zijn niet correct.", "paramsValidation")


def reference_cases(path: Path) -> list[dict[str, Any]]:
    """The error scenarios of a data file (data/*_reference_errors.yaml), a scenario with `each: {key: values}`
    made into one case per value (the key set in the headers when the scenario sends them, else in the body)."""
    cases: list[dict[str, Any]] = []
    for case in yaml.safe_load(path.read_text(encoding="utf-8")):
        [(key, values)] = case.pop("each", {"": [None]}).items()
        for value in values:
            if not key:
                cases.append(case)
                continue
            target = "headers" if key in case.get("headers", {}) else "body"
            cases.append({**case, "scenario": f"{case['scenario']} [{value}]", target: {**case[target], key: value}})
    return cases


def _expanded(value: Any) -> Any:
    """{repeat: v, times: n} as a list of n times v (or one string, with `join`), also as an item of a list."""
    if isinstance(value, list):
        return [_expanded(item) for item in value]
    if isinstance(value, dict) and "repeat" in value:
        items = [value["repeat"]] * value["times"]
        return value["join"].join(items) if "join" in value else items
    return value


async def send_case(client: httpx.AsyncClient, url: str, headers: dict[str, str],
                    case: dict[str, Any]) -> httpx.Response:
    """The request of a scenario: another method, raw content, or its JSON body."""
    sent = {**headers, **case.get("headers", {})}
    if "method" in case:
        return await client.request(case["method"], url, headers=sent)
    if "content" in case:
        return await client.post(url, headers=sent, content=case["content"].encode())
    return await client.post(url, headers=sent, json={key: _expanded(value) for key, value in case["body"].items()})


def assert_reference_problem(response: httpx.Response, url: str, case: dict[str, Any]) -> None:
    """The answer is the scenario's problem field for field: status, type/title/code, detail, invalidParams."""
    problem = response.json()
    status = case.get("status", 400)
    assert response.status_code == status, problem
    assert response.headers["content-type"] == "application/problem+json"
    assert problem["status"] == status and problem["instance"] == url
    if status == 400:
        assert (problem["type"], problem["title"], problem["code"]) == BAD_REQUEST
    else:
        assert (problem["title"], problem["code"]) == (case["title"], case["code"])
    if "detail" in case:
        assert problem["detail"] == case["detail"]
    expected = [{"code": code, "name": name, "reason": reason} for code, name, reason in case.get("invalidParams", [])]
    assert problem.get("invalidParams", []) == expected
