"""The filters of `GET /zaken` and `POST /zaken/_zoek`, turned into SQL, and the authorisation filter (zrc-006):
a client sees only zaken of its zaaktypen up to the confidentiality its autorisatie allows."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true

from plein.errors import InvalidInput, InvalidParam
from plein.zgw.auth import ZgwCaller, confidentiality_rank
from plein.zgw.catalogi.models import RolType
from plein.zgw.http import parse_resource_url
from plein.zgw.zaken.models import Rol, RolIdentificatie, Zaak

DATE_FIELDS = {
    "archiefactiedatum": Zaak.archiefactiedatum, "startdatum": Zaak.startdatum,
    "registratiedatum": Zaak.registratiedatum, "einddatum": Zaak.einddatum,
    "einddatumGepland": Zaak.einddatum_gepland, "uiterlijkeEinddatumAfdoening": Zaak.uiterlijke_einddatum_afdoening,
}
TEXT_FIELDS = {"identificatie": Zaak.identificatie, "bronorganisatie": Zaak.bronorganisatie,
               "archiefnominatie": Zaak.archiefnominatie, "archiefstatus": Zaak.archiefstatus}
ORDERING = {
    "startdatum": Zaak.startdatum, "einddatum": Zaak.einddatum, "publicatiedatum": Zaak.publicatiedatum,
    "archiefactiedatum": Zaak.archiefactiedatum, "registratiedatum": Zaak.registratiedatum,
    "identificatie": Zaak.identificatie,
}
OPERATORS: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "": lambda column, value: column == value, "__gt": lambda column, value: column > value,
    "__gte": lambda column, value: column >= value, "__lt": lambda column, value: column < value,
    "__lte": lambda column, value: column <= value,
}
ROL_PREFIX = "rol__betrokkeneIdentificatie__"


def _date(name: str, raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError as exc:
        problem = InvalidParam(name, "invalid", "expected a date (YYYY-MM-DD)")
        raise InvalidInput(f"{name}: not a date", [problem]) from exc


def _as_list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [part for part in str(value).split(",") if part]


def conditions(params: dict[str, Any], base_url: str) -> list[ColumnElement[bool]]:
    """SQL conditions for the filters given (query string values or a _zoek body)."""
    found: list[ColumnElement[bool]] = []
    for name, value in params.items():
        condition = _condition(name, value, base_url)
        if condition is not None:
            found.append(condition)
    return found


def _condition(name: str, value: Any, base_url: str) -> ColumnElement[bool] | None:  # noqa: C901, PLR0911
    field, _, suffix = name.partition("__")
    operator = f"__{suffix}" if suffix else ""
    if field in TEXT_FIELDS and operator == "":
        equal: ColumnElement[bool] = TEXT_FIELDS[field] == value
        return equal
    if field in TEXT_FIELDS and operator == "__in":
        return TEXT_FIELDS[field].in_(_as_list(value))
    if field in DATE_FIELDS and operator == "__isnull":
        is_null = str(value).lower() in ("true", "1")
        return DATE_FIELDS[field].is_(None) if is_null else DATE_FIELDS[field].is_not(None)
    if field in DATE_FIELDS and operator in OPERATORS:
        return OPERATORS[operator](DATE_FIELDS[field], _date(name, str(value)))
    if name == "zaaktype":
        return Zaak.zaaktype_id == parse_resource_url(base_url, value, "catalogi", "zaaktypen", name)
    if name == "zaaktype__in":
        return Zaak.zaaktype_id.in_([parse_resource_url(base_url, v, "catalogi", "zaaktypen", name)
                                     for v in _as_list(value)])
    if name == "uuid__in":
        return Zaak.id.in_([uuid.UUID(v) for v in _as_list(value)])
    if name == "maximaleVertrouwelijkheidaanduiding":
        return Zaak.vertrouwelijkheid <= confidentiality_rank(value)
    if name.startswith(ROL_PREFIX):
        identifier = name.removeprefix(ROL_PREFIX)
        return Zaak.id.in_(select(RolIdentificatie.zaak_id).where(RolIdentificatie.name == identifier,
                                                                  RolIdentificatie.value == value))
    if name == "rol__betrokkeneType":
        return Zaak.id.in_(select(Rol.zaak_id).where(Rol.betrokkene_type == value))
    if name == "rol__betrokkene":
        return Zaak.id.in_(select(Rol.zaak_id).where(Rol.betrokkene == value))
    if name == "rol__omschrijvingGeneriek":
        return Zaak.id.in_(select(Rol.zaak_id).join(RolType, RolType.id == Rol.roltype_id)
                           .where(RolType.omschrijving_generiek == value))
    return None


def visible(caller: ZgwCaller, base_url: str, scopes: frozenset[str], zaaktype: Any = Zaak.zaaktype_id,
            vertrouwelijkheid: Any = Zaak.vertrouwelijkheid) -> ColumnElement[bool]:
    """Only zaken whose zaaktype the caller is authorised for, up to its maximum confidentiality (zrc-006).

    The columns default to the zaak's; the counts table (ZaakTelling) has the same two.
    """
    allowed = caller.types("zrc", scopes)
    if allowed is None:
        return true()
    clauses: list[ColumnElement[bool]] = []
    for type_url, rank in allowed.items():
        try:
            key = parse_resource_url(base_url, type_url, "catalogi", "zaaktypen", "zaaktype")
        except InvalidInput:
            continue  # an autorisatie for a zaaktype elsewhere: none of its zaken live here
        clauses.append(and_(zaaktype == key, vertrouwelijkheid <= rank))
    return or_(*clauses) if clauses else false()


def ordered(query: Select[Any], ordering: str | list[str] | None) -> Select[Any]:
    """The standard's `ordering` (a field, `-field` for descending, several separated by commas)."""
    columns: list[Any] = []
    for item in _as_list(ordering or []):
        column = ORDERING.get(item.lstrip("-"))
        if column is None:
            raise InvalidInput(f"ordering: unknown field {item!r}",
                               [InvalidParam("ordering", "invalid_choice", f"cannot order by {item!r}")])
        columns.append(column.desc() if item.startswith("-") else column.asc())
    return query.order_by(*columns, Zaak.created_at, Zaak.id)


def rol_identification(params: dict[str, str]) -> list[ColumnElement[bool]]:
    """`betrokkeneIdentificatie__natuurlijkPersoon__inpBsn=…` and its siblings on GET /rollen."""
    prefix = "betrokkeneIdentificatie__"
    return [Rol.id.in_(select(RolIdentificatie.rol_id).where(RolIdentificatie.name == name.removeprefix(prefix),
                                                             RolIdentificatie.value == value))
            for name, value in params.items() if name.startswith(prefix)]
