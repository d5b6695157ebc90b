"""The quick check of ZGW request bodies (fastjsonschema) never lets through a body that jsonschema refuses.

Bodies are drawn near the schema: every required field gets a value that fits its type, format, pattern or enum,
and then a few fields are replaced by arbitrary JSON or dropped, so both sides of each rule are tried.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plein.zgw import validation

SCHEMAS = [
    ("zaken", "Zaak"), ("zaken", "Status"), ("zaken", "Rol"), ("zaken", "ZaakEigenschap"), ("zaken", "ZaakObject"),
    ("zaken", "Resultaat"), ("documenten", "EnkelvoudigInformatieObject"), ("documenten", "Gebruiksrechten"),
    ("besluiten", "Besluit"), ("catalogi", "ZaakType"), ("catalogi", "Eigenschap"), ("catalogi", "ResultaatType"),
    ("autorisaties", "Applicatie"), ("notificaties", "Abonnement"), ("notificaties", "Message"),
]
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30) | st.sampled_from(["", " ", "2026-13-45", "2026-02-01", "2026-02-01T10:00:00Z", "http://",
                                             "http://example.com/api/x", "P1D", "ja", "openbaar", "0", "1.5"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)


def _near(node: Any, definitions: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values that fit a JSON Schema node (mostly), for building bodies close to valid ones."""
    if depth > 4:
        return st.none()
    if "$ref" in node:
        return _near(definitions[node["$ref"].rsplit("/", 1)[-1]], definitions, depth + 1)
    combined = node.get("anyOf") or node.get("oneOf") or node.get("allOf")
    if combined:
        return st.one_of([_near(part, definitions, depth + 1) for part in combined])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    return _typed(node, definitions, depth)


def _typed(node: dict[str, Any], definitions: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    kind = node.get("type")
    if kind == "array":
        return st.lists(_near(node.get("items", {}), definitions, depth + 1), max_size=2)
    if kind == "object" or "properties" in node:
        return _object(node, definitions, depth)
    return _scalar(node, kind)


def _object(node: dict[str, Any], definitions: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    properties = node.get("properties", {})
    required = [name for name in node.get("required", []) if name in properties]
    optional = {name: _near(prop, definitions, depth + 1) for name, prop in properties.items() if name not in required}
    return st.fixed_dictionaries({name: _near(properties[name], definitions, depth + 1) for name in required},
                                 optional=optional)


def _scalar(node: dict[str, Any], kind: str | None) -> st.SearchStrategy[Any]:
    scalars: dict[str | None, st.SearchStrategy[Any]] = {
        "integer": st.integers(node.get("minimum", -(10**6)), node.get("maximum", 10**6)),
        "number": st.floats(node.get("minimum", -1e6), node.get("maximum", 1e6)),
        "boolean": st.booleans(), "null": st.none(),
    }
    if kind == "string":
        return _text(node)
    return scalars.get(kind, ANY_JSON)


FORMATTED: dict[str, st.SearchStrategy[str]] = {
    "date": st.dates().map(dt.date.isoformat),
    "date-time": st.datetimes(timezones=st.just(dt.UTC)).map(lambda moment: moment.isoformat().replace("+00:00", "Z")),
    "uri": st.sampled_from(["", "http://example.com/api/v1/x", "https://plein.example/zaken/api/v1/zaken/1"]),
    "uuid": st.uuids().map(str),
    "duration": st.sampled_from(["P1D", "P2Y3M", "PT4H"]),
}


def _text(node: dict[str, Any]) -> st.SearchStrategy[str]:
    if node.get("format") in FORMATTED:
        return FORMATTED[node["format"]]
    low, high = node.get("minLength", 0), node.get("maxLength", 40)
    if "pattern" in node:
        return st.from_regex(node["pattern"], fullmatch=True).filter(lambda text: low <= len(text) <= high)
    return st.text(min_size=low, max_size=min(high, 40))


@st.composite
def _bodies(draw: st.DrawFn, api: str, schema: str) -> Any:
    root = validation._root(api, schema, True)
    body = draw(_near(root, root["definitions"]))
    if isinstance(body, dict) and body:
        for name in draw(st.lists(st.sampled_from(sorted(body)), max_size=3, unique=True)):
            if draw(st.booleans()):
                body[name] = draw(ANY_JSON)
            else:
                del body[name]
    return body


@pytest.mark.parametrize(("api", "schema"), SCHEMAS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_the_quick_check_never_passes_a_body_that_jsonschema_refuses(api: str, schema: str, data: st.DataObject
                                                                     ) -> None:
    body = data.draw(_bodies(api, schema))
    full = list(validation._validator(api, schema, True).iter_errors(body))
    if validation._passes_quick_check(api, schema, True, body):
        assert full == [], f"the quick check passed a body jsonschema refuses: {[e.message for e in full]}"


def test_bodies_are_drawn_on_both_sides_of_the_rules() -> None:
    """The draws above are not all refused (nor all accepted): both paths of the check are exercised."""
    seen = set()

    @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def draw(data: st.DataObject) -> None:
        seen.add(validation._passes_quick_check("zaken", "Zaak", True, data.draw(_bodies("zaken", "Zaak"))))

    draw()
    assert seen == {True, False}


def test_errors_still_lists_every_problem_of_a_refused_body() -> None:
    problems = validation.errors("zaken", "Zaak", {"zaaktype": 5, "startdatum": "gisteren"})
    names = {problem.name for problem in problems}
    assert {"zaaktype", "startdatum", "bronorganisatie", "verantwoordelijkeOrganisatie"} <= names
