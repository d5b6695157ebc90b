"""The BAG API (/api/bag/v1): does this address exist? By postcode and number, or by nummeraanduiding.

Addresses are not personal data, but every register read passes the exchange layer: the client needs a grant on
register `bag` for the fields it reads (and names its processing activity). No processing-log record is written:
an address has no data subject.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header, Path, Query, Request

from plein.errors import InvalidInput, InvalidParam, NotFound
from plein.exchange import service as exchange
from plein.http import OptionalPrincipal, PrefixRouter, SessionDep
from plein.openapi import API_DOCUMENTS, api_document
from plein.registers.bag import service
from plein.registers.bag.schemas import Adres, Adressen
from plein.registers.fields import BAG_FIELDS

router = PrefixRouter(prefix="/api/bag/v1", tags=["bag"])
REGISTER = "bag"
QUERY = {"postcode", "huisnummer", "huisletter", "huisnummertoevoeging", "fields"}

Activity = Annotated[str | None, Header(
    alias=exchange.ACTIVITY_HEADER, description="Id of the processing activity for which this read is done.")]
Fields = Annotated[str | None, Query(
    description="Comma-separated fields to return (default: all); the grant must cover them.", max_length=500)]
GRANTED: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not authenticated: send an API client JWT (problem+json)"},
    403: {"description": "Not allowed: no live grant on register bag for these fields (problem+json)"},
}


def _trace(request: Request) -> str:
    value = getattr(request.state, "trace_id", None)
    return value if isinstance(value, str) else exchange.new_trace_id()


def _fields(value: str | None) -> list[str]:
    if value is None:
        return sorted(BAG_FIELDS)
    return [part.strip() for part in value.split(",") if part.strip()]


def _shape(address: Any, fields: frozenset[str]) -> Adres:
    values = {name: value for name, value in service.address_fields(address).items() if name in fields}
    return Adres.model_validate(values)


def _no_unknown_parameters(request: Request) -> None:
    unknown = [name for name in request.query_params if name not in QUERY]
    if unknown:
        raise InvalidInput("unknown query parameters", [
            InvalidParam(name, "unknown-parameter", f"known parameters: {', '.join(sorted(QUERY))}")
            for name in unknown])


@router.get("/adressen", summary="Addresses at a postcode and house number", operation_id="listAdressen",
            response_model_exclude_none=True, responses=GRANTED)
async def list_adressen(
    request: Request, session: SessionDep, principal: OptionalPrincipal,
    postcode: Annotated[str, Query(pattern=r"^[1-9][0-9]{3} ?[A-Za-z]{2}$", description="E.g. 1015CJ.")],
    huisnummer: Annotated[int, Query(ge=1, le=99999)],
    huisletter: Annotated[str | None, Query(pattern=r"^[a-zA-Z]$")] = None,
    huisnummertoevoeging: Annotated[str | None, Query(pattern=r"^[a-zA-Z0-9 \-]{1,4}$")] = None,
    fields: Fields = None, activity: Activity = None,
) -> Adressen:
    """The check a form makes: which addresses exist at this postcode and number (optionally letter, addition)."""
    _no_unknown_parameters(request)
    permit = await exchange.authorize_read(session, principal, REGISTER, _fields(fields), activity, _trace(request))
    found = await service.find_addresses(session, postcode, huisnummer, huisletter, huisnummertoevoeging,
                                         permit.municipalities)
    return Adressen(adressen=[_shape(address, permit.fields) for address in found])


@router.get("/adressen/{nummeraanduidingIdentificatie}", summary="One address", operation_id="getAdres",
            response_model_exclude_none=True, responses=GRANTED)
async def get_adres(
    request: Request, session: SessionDep, principal: OptionalPrincipal,
    identificatie: Annotated[str, Path(alias="nummeraanduidingIdentificatie", pattern=r"^[0-9]{16}$",
                                       description="The nummeraanduiding identificatie (16 digits).")],
    fields: Fields = None, activity: Activity = None,
) -> Adres:
    permit = await exchange.authorize_read(session, principal, REGISTER, _fields(fields), activity, _trace(request))
    address = await service.get_address(session, identificatie)
    if address is None or not permit.allows_municipality(address.gemeentecode):
        raise NotFound(f"no address with nummeraanduiding {identificatie}")
    return _shape(address, permit.fields)


@router.get("/openapi.json", summary="This API's OpenAPI document", operation_id="getBagOpenapi")
async def get_openapi_document(request: Request) -> dict[str, Any]:
    return api_document(request.app, next(api for api in API_DOCUMENTS if api.name == REGISTER))
