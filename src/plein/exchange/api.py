"""The exchange API (/api/exchange/v1), the citizen insight API (/api/inzage/v1) and the transaction-id middleware."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Path, Query, Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plein import clock
from plein.errors import InvalidInput, InvalidParam, NotAuthenticated
from plein.exchange import checkpoints, insight, service
from plein.exchange.schemas import (
    ActivityCreate,
    ActivityOut,
    CheckpointOut,
    CheckpointsOut,
    ClientCreate,
    ClientCreated,
    ClientOut,
    ConsistencyOut,
    GrantCreate,
    GrantOut,
    InclusionOut,
    InsightOut,
    KeyOut,
    OrganisationOut,
)
from plein.exchange.service import ACTIVITY_HEADER, TRANSACTION_HEADER
from plein.http import PrefixRouter, PrincipalDep, SessionDep, get_settings
from plein.openapi import API_DOCUMENTS, api_document
from plein.settings import Settings

router = PrefixRouter(prefix="/api/exchange/v1", tags=["exchange"])
inzage_router = PrefixRouter(prefix="/api/inzage/v1", tags=["inzage"])


def include(app: FastAPI) -> None:
    """Add the exchange and insight routes, and a transaction id on every /api response."""
    app.include_router(router)
    app.include_router(inzage_router)
    app.add_middleware(TransactionId)


class TransactionId:
    """ASGI middleware: every /api request gets a transaction (trace) id in request.state, and its response the
    X-Transaction-Id header with it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["trace_id"] = service.new_trace_id()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[TRANSACTION_HEADER] = str(state["trace_id"])
            await send(message)

        await self.app(scope, receive, send_with_id)


def trace_id(request: Request) -> str:
    """This request's transaction (trace) id, as the middleware set it and the response header carries it."""
    value = getattr(request.state, "trace_id", None)
    if not isinstance(value, str):
        value = request.state.trace_id = service.new_trace_id()
    return value


TraceId = Annotated[str, Depends(trace_id)]
ActivityHeader = Annotated[str | None, Header(
    alias=ACTIVITY_HEADER, description="Id of the processing activity (in the client organisation's processing "
    "register) for which this read is done; every register read must name it.")]


GrantId = Annotated[str, Path(alias="grantId", max_length=36, description="The grant's id (a UUID).")]


# --- clients --------------------------------------------------------------------------------------


@router.get("/clients", summary="API clients (without secrets)", operation_id="listClients")
async def list_clients(session: SessionDep, principal: PrincipalDep) -> list[ClientOut]:
    """Exchange administrators only: principals with all rights or the curator role of organisation `plein`."""
    return [ClientOut.of(client) for client in await service.list_clients(session, principal)]


@router.post("/clients", status_code=201, summary="Register an API client", operation_id="createClient")
async def create_client(body: ClientCreate, session: SessionDep, principal: PrincipalDep) -> ClientCreated:
    """The response shows the secret once. Exchange administrators only."""
    client, secret = await service.create_api_client(
        session, principal, body.client_id, secret=body.secret, organisation=body.organisation, roles=body.roles,
        all_rights=body.all_rights)
    return ClientCreated(**ClientOut.of(client).model_dump(), secret=secret)


# --- processing activities ------------------------------------------------------------------------


@router.get("/processing-activities", summary="The processing register", operation_id="listProcessingActivities")
async def list_activities(
    session: SessionDep,
    organisation: Annotated[str | None, Query(max_length=20, description="Only this organisation's.")] = None,
) -> list[ActivityOut]:
    """Why organisations process personal data through Plein: purpose, legal basis, retention. Public."""
    return [ActivityOut.of(activity) for activity in await service.list_activities(session, organisation)]


@router.post("/processing-activities", status_code=201, summary="Register a processing activity",
             operation_id="createProcessingActivity")
async def create_activity(body: ActivityCreate, session: SessionDep, principal: PrincipalDep) -> ActivityOut:
    """Exchange administrators, or the beheerder of the organisation whose register it is."""
    activity = await service.create_activity(session, principal, body.organisation, body.id, body.name,
                                             body.purpose, body.legal_basis, body.retention_period)
    return ActivityOut.of(activity)


# --- grants ---------------------------------------------------------------------------------------


@router.get("/grants", summary="Grants", operation_id="listGrants")
async def list_grants(
    session: SessionDep, principal: PrincipalDep,
    client: Annotated[str | None, Query(max_length=200, description="Only this client's grants.")] = None,
    live: Annotated[bool, Query(description="Only grants that hold now.")] = False,
) -> list[GrantOut]:
    """Exchange administrators only. Revoked and expired grants stay listed (unless `live=true`)."""
    now = dt.datetime.now(dt.UTC)
    return [GrantOut.of(grant, now) for grant in await service.list_grants(session, principal, client, live)]


@router.post("/grants", status_code=201, summary="Grant a client register fields", operation_id="createGrant")
async def create_grant(body: GrantCreate, session: SessionDep, principal: PrincipalDep) -> GrantOut:
    """Exchange administrators only. The activity must be in the client organisation's processing register."""
    request = service.GrantRequest(body.client, body.source, body.fields, body.activity, body.municipality,
                                   body.valid_from, body.valid_until)
    grant = await service.create_grant(session, principal, request)
    return GrantOut.of(grant, dt.datetime.now(dt.UTC))


@router.get("/grants/{grantId}", summary="One grant", operation_id="getGrant")
async def get_grant(grant_id: GrantId, session: SessionDep, principal: PrincipalDep) -> GrantOut:
    service.require_admin(principal)
    return GrantOut.of(await service.get_grant(session, grant_id), dt.datetime.now(dt.UTC))


@router.delete("/grants/{grantId}", summary="Revoke a grant", operation_id="revokeGrant")
async def revoke_grant(grant_id: GrantId, session: SessionDep, principal: PrincipalDep) -> GrantOut:
    """The grant is revoked (kept in the history with revokedAt); the next request relying on it is refused."""
    grant = await service.revoke_grant(session, principal, grant_id)
    return GrantOut.of(grant, dt.datetime.now(dt.UTC))


@router.get("/openapi.json", summary="This API's OpenAPI document", operation_id="getExchangeOpenapi")
async def exchange_openapi(request: Request) -> dict[str, Any]:
    return api_document(request.app, next(api for api in API_DOCUMENTS if api.name == "exchange"))


# --- citizen insight ------------------------------------------------------------------------------


def citizen(request: Request, settings: Annotated[Settings, Depends(get_settings)]) -> str:
    """The BSN of the citizen whose token the request carries (Authorization: Bearer <citizen token>)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("log in as a citizen: send 'Authorization: Bearer <citizen token>'")
    try:
        return insight.citizen_from_token(token.strip(), settings.secret_key.get_secret_value())
    except insight.CitizenTokenError as exc:
        raise NotAuthenticated(str(exc)) from exc


@inzage_router.get("/verwerkingen", summary="Who processed my personal data, and why",
                   operation_id="listVerwerkingen")
async def list_verwerkingen(
    session: SessionDep, bsn: Annotated[str, Depends(citizen)], trace: TraceId,
    start: Annotated[dt.date | None, Query(alias="from", description="First day, in Dutch time (default: a year ago).")
                     ] = None,
    end: Annotated[dt.date | None, Query(alias="to", description="Last day, in Dutch time (default: today).")] = None,
) -> InsightOut:
    """The logged-in citizen's own processing-log records, grouped by organisation and purpose, with the fields.

    The citizen is whoever the token in `Authorization: Bearer <citizen token>` names (an HS256 JWT with sub=BSN and
    kind=citizen; DigiD hands these out later). Looking is itself logged (client plein-inzage, activity
    inzage-verwerkingen), with the X-Transaction-Id of the response as trace id.
    """
    end = end or clock.today()
    start = start or end - dt.timedelta(days=365)
    if start > end:
        raise InvalidInput("'from' is after 'to'", [InvalidParam("from", "before-to", "must not be after 'to'")])
    if (end - start).days > insight.MAX_PERIOD_DAYS:
        raise InvalidInput("the period is too long", [InvalidParam("from", "max-period", "at most five years")])
    grouped = await insight.overview(session, bsn, start, end, trace)
    return InsightOut(period_start=start, period_end=end, organisations=[OrganisationOut.of(g) for g in grouped])


@inzage_router.get("/verwerkingen/{verwerkingId}/bewijs", summary="Proof that a record about me is in the log",
                   operation_id="getVerwerkingBewijs")
async def record_proof(
    session: SessionDep, bsn: Annotated[str, Depends(citizen)], settings: Annotated[Settings, Depends(get_settings)],
    record_id: Annotated[str, Path(alias="verwerkingId", max_length=36, description="The record's id (a UUID).")],
) -> InclusionOut:
    """The inclusion proof of one of the logged-in citizen's own records in the processing log's Merkle tree, up to
    a signed checkpoint (made now if the record is newer than the newest). Anyone holding Plein's published public
    key can check it without trusting Plein: see docs/processing-log.md."""
    return InclusionOut.of(await checkpoints.record_proof(session, record_id, bsn, checkpoints.signing_key(settings)))


@inzage_router.get("/checkpoints", summary="Signed checkpoints of the processing log", operation_id="listCheckpoints")
async def list_checkpoints(
    session: SessionDep, settings: Annotated[Settings, Depends(get_settings)],
    limit: Annotated[int, Query(ge=1, le=1000, description="How many, the newest first.")] = 100,
) -> CheckpointsOut:
    """Public. Each checkpoint states, signed with Plein's Ed25519 key, how many records the log had, the Merkle root
    over them and the hash of the last one. Keep them: a later log that does not agree with one was cut or
    rewritten (`plein exchange log verify --checkpoint FILE`)."""
    current, *previous = checkpoints.verifying_keys(settings)
    found = await checkpoints.listed(session, limit)
    return CheckpointsOut(public_key=checkpoints.public_key_text(current), key_id=checkpoints.key_id(current),
                          previous_keys=[KeyOut(public_key=checkpoints.public_key_text(key),
                                                key_id=checkpoints.key_id(key)) for key in previous],
                          checkpoints=[CheckpointOut.of(checkpoint) for checkpoint in found])


@inzage_router.get("/checkpoints/consistency", summary="Proof that an older checkpoint's log is the start of a newer "
                   "one's", operation_id="getConsistencyProof")
async def consistency_proof(
    session: SessionDep,
    first: Annotated[int, Query(alias="from", ge=1, description="The older tree size.")],
    second: Annotated[int, Query(alias="to", ge=1, description="The newer tree size (at most the newest "
                                 "checkpoint's).")],
) -> ConsistencyOut:
    """Public. The RFC 9162 consistency proof between the trees of the first `from` and the first `to` records."""
    try:
        proof = await checkpoints.consistency_proof(session, first, second)
    except checkpoints.ProofUnavailable as exc:
        raise InvalidInput(str(exc), [InvalidParam("to", "tree-size", str(exc))]) from exc
    return ConsistencyOut(first=first, second=second, proof=proof)


@inzage_router.get("/openapi.json", summary="This API's OpenAPI document", operation_id="getInzageOpenapi")
async def inzage_openapi(request: Request) -> dict[str, Any]:
    return api_document(request.app, next(api for api in API_DOCUMENTS if api.name == "inzage"))
