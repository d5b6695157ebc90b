"""Bad input gets a clear problem in the specification's shape: never data, never a 500."""

from __future__ import annotations

import string
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plein.errors import InvalidInput
from plein.registers.brp.schemas import (
    PERSOON,
    PERSOON_BEPERKT,
    ParamError,
    allowed_fields,
    check_bsn,
    check_field,
    is_automatic,
    parse_query,
)
from plein.registers.brp.spec import schema_paths
from tests.registers import spec
from tests.registers.helpers import URL, bsn, query, reader

RAADPLEEG = "RaadpleegMetBurgerservicenummer"
VALID = bsn("valid")
BAD: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [  # body, expected (name, code) of invalidParams
    ({"type": RAADPLEEG, "burgerservicenummer": [VALID]}, [("fields", "required")]),
    ({"type": RAADPLEEG, "fields": ["naam"]}, [("burgerservicenummer", "required")]),
    ({"fields": ["naam"]}, [("type", "required")]),
    ({"type": "ZoekMetIets", "fields": ["naam"]}, [("type", "value")]),
    (query(RAADPLEEG, burgerservicenummer=["12345678", VALID, "abcdefghi"]),
     [("burgerservicenummer[0]", "pattern"), ("burgerservicenummer[2]", "pattern")]),
    (query(RAADPLEEG, burgerservicenummer=[VALID] * 21), [("burgerservicenummer", "maxItems")]),
    (query(RAADPLEEG, burgerservicenummer=[]), [("burgerservicenummer", "minItems")]),
    (query(RAADPLEEG, burgerservicenummer=VALID), [("burgerservicenummer", "array")]),
    (query(RAADPLEEG, burgerservicenummer=[999999990]), [("burgerservicenummer[0]", "pattern")]),
    (query(RAADPLEEG, ["naam", "bestaatniet", "naam.voornamen.x"], burgerservicenummer=[VALID]),
     [("fields[1]", "fields"), ("fields[2]", "fields")]),
    (query(RAADPLEEG, ["geheimhoudingPersoonsgegevens", "naam.inOnderzoek"], burgerservicenummer=[VALID]),
     [("fields[0]", "fields"), ("fields[1]", "fields")]),
    (query(RAADPLEEG, ["a*nummer"], burgerservicenummer=[VALID]), [("fields[0]", "pattern")]),
    ({"type": RAADPLEEG, "fields": "naam,geslacht", "burgerservicenummer": [VALID]}, [("fields", "array")]),
    ({"type": RAADPLEEG, "fields": [], "burgerservicenummer": [VALID]}, [("fields", "minItems")]),
    ({"type": RAADPLEEG, "fields": ["naam"] * 131, "burgerservicenummer": [VALID]}, [("fields", "maxItems")]),
    (query("ZoekMetGeslachtsnaamEnGeboortedatum", ["aNummer"], geslachtsnaam="Vries", geboortedatum="1980-05-12"),
     [("fields[0]", "fields")]),
    (query(RAADPLEEG, burgerservicenummer=[VALID], voornamen="Jan", inclusiefOverledenPersonen=True),
     [("voornamen", "unknownParam"), ("inclusiefOverledenPersonen", "unknownParam")]),
    (query("ZoekMetGeslachtsnaamEnGeboortedatum", geslachtsnaam="*", geboortedatum="1980-05-12"),
     [("geslachtsnaam", "pattern")]),
    (query("ZoekMetGeslachtsnaamEnGeboortedatum", geslachtsnaam="Vr*", geboortedatum="1980-05-12"),
     [("geslachtsnaam", "pattern")]),
    (query("ZoekMetGeslachtsnaamEnGeboortedatum", geslachtsnaam="V*ries", geboortedatum="1980-13-12"),
     [("geboortedatum", "date"), ("geslachtsnaam", "pattern")]),
    (query("ZoekMetGeslachtsnaamEnGeboortedatum", geslachtsnaam="Vries", geboortedatum="19800512",
           geslacht="X", voornamen="*"),
     [("geboortedatum", "date"), ("geslacht", "pattern"), ("voornamen", "pattern")]),
    (query("ZoekMetNaamEnGemeenteVanInschrijving", geslachtsnaam="Vries", voornamen="Ja*",
           gemeenteVanInschrijving="363"), [("gemeenteVanInschrijving", "pattern"), ("voornamen", "pattern")]),
    (query("ZoekMetPostcodeEnHuisnummer", postcode="0123AB", huisnummer="1 "),
     [("postcode", "pattern"), ("huisnummer", "integer")]),
    (query("ZoekMetPostcodeEnHuisnummer", postcode="1012JS", huisnummer=0, huisletter="AB",
           inclusiefOverledenPersonen="true"),
     [("huisnummer", "minimum"), ("huisletter", "pattern"), ("inclusiefOverledenPersonen", "boolean")]),
    (query("ZoekMetStraatHuisnummerEnGemeenteVanInschrijving", straat="Oudegr*", huisnummer=100000,
           gemeenteVanInschrijving="0344"), [("huisnummer", "maximum"), ("straat", "pattern")]),
    (query("ZoekMetStraatHuisnummerEnGemeenteVanInschrijving", straat="Oude*gracht", huisnummer=1),
     [("gemeenteVanInschrijving", "required"), ("straat", "pattern")]),
    (query("ZoekMetNummeraanduidingIdentificatie", nummeraanduidingIdentificatie="000000000000000"),
     [("nummeraanduidingIdentificatie", "pattern")]),
    (query("ZoekMetAdresseerbaarObjectIdentificatie", adresseerbaarObjectIdentificatie=363010000000001),
     [("adresseerbaarObjectIdentificatie", "pattern")]),
]


@pytest.fixture
async def headers(session: Any) -> dict[str, str]:
    return await reader(session, ["burgerservicenummer", "naam"])


async def test_bad_queries_get_400_naming_each_parameter(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    for body, expected in BAD:
        response = await client.post(URL, headers=headers, json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert [(p["name"], p["code"]) for p in problem["invalidParams"]] == expected, body
        assert problem["code"] == "paramsValidation" and problem["instance"] == URL
        if not any(name == "adresseerbaarObjectIdentificatie" for name, _ in expected):  # 32 > the spec's 30
            assert spec.errors_but_reference_texts("BadRequestFoutbericht", problem) == [], problem


@pytest.mark.parametrize(("content", "content_type", "status"), [
    (b'{"type": "RaadpleegMetBurgerservicenummer",', "application/json", 400),
    (b"\xff\xfe", "application/json", 400),
    (b'["RaadpleegMetBurgerservicenummer"]', "application/json", 400),
    (b"null", "application/json; charset=utf-8", 400),
    (b"type=RaadpleegMetBurgerservicenummer", "application/x-www-form-urlencoded", 415),
    (b"{}", "text/plain", 415),
])
async def test_a_body_that_is_not_a_json_object_is_refused(client: httpx.AsyncClient, headers: dict[str, str],
                                                           content: bytes, content_type: str, status: int) -> None:
    response = await client.post(URL, headers={**headers, "Content-Type": content_type}, content=content)
    assert response.status_code == status, response.text
    assert spec.errors_but_reference_texts("Foutbericht", response.json()) == []


async def test_other_methods_paths_and_media_types(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    wrong_accept = await client.post(URL, headers={**headers, "Accept": "application/xml"},
                                     json=query(RAADPLEEG, burgerservicenummer=[VALID]))
    assert wrong_accept.status_code == 406
    method = await client.get(URL, headers=headers)
    assert method.status_code == 405 and method.headers["Allow"] == "POST"
    missing = await client.post("/haalcentraal/api/brp/ingeschrevenpersonen", headers=headers, json={})
    assert missing.status_code == 404
    bad_token = await client.post(URL, headers={"Authorization": "Bearer nonsense"}, json={})
    assert bad_token.status_code == 401
    for response in (wrong_accept, method, missing, bad_token):
        assert response.headers["content-type"] == "application/problem+json"
        assert spec.errors_but_reference_texts("Foutbericht", response.json()) == [], response.json()


# ---------------------------------------------------------------------------------------------- properties

digits = st.text(alphabet=string.digits, min_size=9, max_size=9)


def outcome(check: Any, *arguments: Any) -> tuple[Any, ParamError | None]:
    """What a checker returns, or the ParamError it raises."""
    try:
        return check(*arguments), None
    except ParamError as error:
        return None, error


@given(st.one_of(digits, st.text(max_size=12), st.integers(), st.none()))
def test_check_bsn_accepts_exactly_nine_digits_as_the_reference_does(value: Any) -> None:
    valid = isinstance(value, str) and len(value) == 9 and value.isascii() and value.isdigit()
    result, error = outcome(check_bsn, value)
    if valid:
        assert result == value and error is None
    else:
        assert error is not None and error.code == "pattern"


paths = st.sampled_from(sorted(schema_paths(PERSOON)))
segment = st.text(alphabet=string.ascii_letters + string.digits + "._*- ", min_size=0, max_size=30)


@given(st.one_of(paths, segment, st.lists(segment, min_size=1, max_size=4).map(".".join), st.integers()))
@settings(max_examples=300)
def test_check_field_accepts_exactly_the_allowed_paths(value: Any) -> None:
    for schema in (PERSOON, PERSOON_BEPERKT):
        result, error = outcome(check_field, value, schema)
        if value in allowed_fields(schema):
            assert result == value and error is None
            continue
        assert error is not None and error.code in {"pattern", "fields"}
        if isinstance(value, str) and value in schema_paths(schema):
            assert is_automatic(value)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(max_size=12), children, max_size=4)),
    max_leaves=12,
)
keys = st.sampled_from(["type", "fields", "burgerservicenummer", "geslachtsnaam", "geboortedatum", "voornamen",
                        "postcode", "huisnummer", "straat", "gemeenteVanInschrijving", "inclusiefOverledenPersonen",
                        "nummeraanduidingIdentificatie", "huisletter"])
types = st.sampled_from(["RaadpleegMetBurgerservicenummer", "ZoekMetPostcodeEnHuisnummer",
                         "ZoekMetGeslachtsnaamEnGeboortedatum", "ZoekMetStraatHuisnummerEnGemeenteVanInschrijving"])


@given(st.one_of(json_values, st.dictionaries(keys, json_values).flatmap(
    lambda body: types.map(lambda kind: {**body, "type": kind}))))
@settings(max_examples=300)
def test_any_body_gives_a_query_or_invalid_input_naming_parameters(body: Any) -> None:
    try:
        parsed = parse_query(body)
    except InvalidInput as error:
        problems = error.invalid_params
    else:
        assert parsed.fields and set(parsed.fields) <= allowed_fields(parsed.response_schema)
        return
    assert all(param.name and param.code and param.reason for param in problems)
