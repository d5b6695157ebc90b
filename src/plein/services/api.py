"""The services API (/api/diensten/v1): the same engine as the pages, for municipal websites and apps. A citizen
submits an aanvraag with all answers at once (a citizen token); a case worker (an API client or staff with the
role behandelaar for the municipality) decides it."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import jwt
from fastapi import Depends, FastAPI, Header, Path, Request
from fastapi.responses import JSONResponse

from plein.auth.service import Principal
from plein.errors import Conflict, Forbidden, InvalidInput, InvalidParam, NotAuthenticated, NotFound
from plein.exchange import insight
from plein.exchange.api import TraceId
from plein.http import PrefixRouter, SessionDep, bearer_token, current_principal
from plein.openapi import API_DOCUMENTS, api_document
from plein.payments.service import Payment
from plein.services import decisions, fees, tasks
from plein.services import service as engine
from plein.services.models import Aanvraag
from plein.services.run import Offer, Run
from plein.services.schemas import AanvraagIn, AanvraagOut, BesluitIn, Betaling, Dienst, answers_schema

router = PrefixRouter(prefix="/api/diensten/v1", tags=["diensten"])
Gemeente = Annotated[str, Path(pattern=r"^[0-9]{4}$", description="CBS code of the municipality, e.g. 0363.")]
DienstId = Annotated[str, Path(max_length=100, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
                               description="The service: the id of its app in the store.")]
AanvraagId = Annotated[uuid.UUID, Path(alias="aanvraagId", description="The aanvraag's id.")]
IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", max_length=200,
    description="Any unique text per submission: a retried call with the same key gets the aanvraag the first "
    "call made, and no second zaak.")]


async def caller(request: Request, session: SessionDep) -> Principal | None:
    """A citizen by a citizen token (kind=citizen, signed by Plein), else an API client by its JWT or a staff user
    by the session cookie, else nobody."""
    token = bearer_token(request)
    if token is not None and _is_citizen_token(token):
        settings = request.app.state.settings
        try:
            claims = insight.citizen_claims(token, settings.secret_key.get_secret_value())
        except insight.CitizenTokenError as exc:
            raise NotAuthenticated(str(exc)) from exc
        loa = claims.get("loa") if isinstance(claims.get("loa"), str) else None
        return Principal("citizen", str(claims["sub"]), str(claims["sub"]), frozenset(), loa=loa)
    return await current_principal(request, session)


def _is_citizen_token(token: str) -> bool:
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return False
    return isinstance(claims, dict) and claims.get("kind") == "citizen"


Caller = Annotated[Principal | None, Depends(caller)]


def _dienst(offer: Offer) -> Dienst:
    return Dienst(dienst=offer.app, gemeente=offer.code, titel=offer.definition.title,
                  samenvatting=offer.definition.summary, doelgroep=offer.definition.audience,
                  betrouwbaarheidsniveau=offer.definition.assurance, versie=offer.adoption.release.version,
                  antwoorden=answers_schema(offer))


@router.get("/gemeenten/{gemeente}/diensten", summary="The services a municipality runs",
            operation_id="listDiensten")
async def list_diensten(session: SessionDep, gemeente: Gemeente) -> list[Dienst]:
    """Each service with the JSON Schema of its answers, with this municipality's options applied. Public."""
    return [_dienst(offer) for offer in await engine.offers(session, gemeente)]


@router.get("/gemeenten/{gemeente}/diensten/{dienst}", summary="One service of a municipality",
            operation_id="getDienst")
async def get_dienst(session: SessionDep, gemeente: Gemeente, dienst: DienstId) -> Dienst:
    return _dienst(await engine.require_offer(session, gemeente, dienst))


@router.post("/aanvragen", status_code=201, summary="Submit an aanvraag", operation_id="createAanvraag",
             responses={200: {"description": "The same Idempotency-Key was sent before: the aanvraag it made"}})
async def create_aanvraag(request: Request, body: AanvraagIn, session: SessionDep, principal: Caller,
                          trace: TraceId, idempotency_key: IdempotencyKey = None) -> Any:
    """A citizen (Authorization: Bearer <citizen token>) submits every answer at once. The answers are checked as
    the pages check them (register data read at the source and logged; addresses in the BAG; co-movers against the
    BRP), and the zaak with its documents and notifications is made in one transaction. A service whose rule
    holds is decided by Plein at once after the response (follow `status`)."""
    if principal is None:
        raise NotAuthenticated("send a citizen token: 'Authorization: Bearer <token>'")
    offer = await engine.require_offer(session, body.gemeente, body.dienst)
    aanvraag, run = await engine.submit_new(session, offer, principal, body.antwoorden,
                                            request.app.state.settings.base_url, trace, request.app.state.storage,
                                            idempotency_key)
    payment = None
    if run is not None:
        tasks.nudge(request.app)
        payment = await _start_payment(request, session, aanvraag, run)
    shown = await _shown(session, aanvraag, principal, run, payment)
    return JSONResponse(shown.model_dump(mode="json", by_alias=True, exclude_none=True),
                        status_code=200 if run is None else 201)


@router.get("/aanvragen", summary="My aanvragen", operation_id="listAanvragen")
async def list_aanvragen(session: SessionDep, principal: Caller) -> list[AanvraagOut]:
    """The caller's own submitted aanvragen (citizen token), newest first."""
    if principal is None or principal.kind not in ("citizen", "business"):
        raise NotAuthenticated("send a citizen token: 'Authorization: Bearer <token>'")
    return [AanvraagOut.of(item) for item in await engine.submitted_by(session, principal)]


@router.get("/aanvragen/{aanvraagId}", summary="One aanvraag", operation_id="getAanvraag",
            response_model_exclude_none=True)
async def get_aanvraag(session: SessionDep, principal: Caller, aanvraag_id: AanvraagId) -> AanvraagOut:
    """For its applicant (with the answers), or for a behandelaar of the municipality that handles it."""
    if principal is None:
        raise NotAuthenticated("send a citizen token or a client JWT")
    aanvraag = await _readable(session, principal, aanvraag_id)
    return await _shown(session, aanvraag, principal)


@router.post("/aanvragen/{aanvraagId}/besluit", summary="Decide an aanvraag", operation_id="decideAanvraag",
             response_model_exclude_none=True)
async def decide_aanvraag(request: Request, body: BesluitIn, session: SessionDep, principal: Caller,
                          trace: TraceId, aanvraag_id: AanvraagId) -> AanvraagOut:
    """A behandelaar of the handling municipality grants (the zaak is closed and the effects change the registers,
    in one transaction) or rejects with a reason the applicant reads."""
    if principal is None:
        raise NotAuthenticated("send a client JWT or log in as a case worker")
    aanvraag = await session.get(Aanvraag, aanvraag_id)
    if aanvraag is None or aanvraag.status == "concept":
        raise NotFound(f"there is no aanvraag {aanvraag_id}")
    if not decisions.may_decide(principal, aanvraag):
        raise Forbidden("only a behandelaar of the municipality that handles the aanvraag decides it",
                        [InvalidParam("aanvraagId", "not-yours", "another municipality's aanvraag")])
    if body.besluit == "afgewezen" and not body.reden.strip():
        raise InvalidInput("reden: a rejection needs a reason; the applicant reads it",
                           [InvalidParam("reden", "required", "required when besluit is afgewezen")])
    decided = await decisions.decide(session, aanvraag, body.besluit == "toegekend", body.reden, principal,
                                     request.app.state.settings.base_url, trace, request.app.state.storage)
    return await _shown(session, decided, principal)


@router.post("/aanvragen/{aanvraagId}/betaling", summary="Pay (again) for an aanvraag", operation_id="payAanvraag",
             response_model_exclude_none=True)
async def pay_aanvraag(request: Request, session: SessionDep, principal: Caller, aanvraag_id: AanvraagId
                       ) -> AanvraagOut:
    """The applicant starts a new payment for a submitted aanvraag whose payment was cancelled, failed or expired
    (an open or paid one is returned as it is); pay at `betaling.betaalUrl`."""
    if principal is None:
        raise NotAuthenticated("send a citizen token: 'Authorization: Bearer <token>'")
    aanvraag = await _readable(session, principal, aanvraag_id)
    if (aanvraag.subject_kind, aanvraag.subject) != (principal.kind, principal.id):
        raise Forbidden("only the applicant pays for an aanvraag")
    if aanvraag.status != "ingediend":
        raise Conflict(f"the aanvraag is {aanvraag.status} already; there is nothing to pay")
    await _start_payment(request, session, aanvraag)
    return await _shown(session, aanvraag, principal)


async def _start_payment(request: Request, session: SessionDep, aanvraag: Aanvraag, run: Run | None = None
                         ) -> Payment | None:
    """Start the aanvraag's payment when it has a fee (the applicant returns to their own case page); the payment to
    pay. `run`: the aanvraag's run when the caller has it (a submission just made), else it is read."""
    run = run or await decisions.decision_run(session, aanvraag)
    if not fees.amount_cents(run):
        return None
    own = "/zakelijk/zaken/" if aanvraag.subject_kind == "business" else "/mijn/zaken/"
    payment = await fees.start_payment(session, run, request.app.state.settings, f"{own}{aanvraag.id}")
    await session.commit()
    return payment


async def _readable(session: SessionDep, principal: Principal, aanvraag_id: uuid.UUID) -> Aanvraag:
    aanvraag = await session.get(Aanvraag, aanvraag_id)
    own = aanvraag is not None and (aanvraag.subject_kind, aanvraag.subject) == (principal.kind, principal.id)
    if aanvraag is None or aanvraag.status == "concept" or not (own or decisions.may_decide(principal, aanvraag)):
        raise NotFound(f"there is no aanvraag {aanvraag_id} for you")
    return aanvraag


async def _shown(session: SessionDep, aanvraag: Aanvraag, principal: Principal, run: Run | None = None,
                 payment: Payment | None = None) -> AanvraagOut:
    """The aanvraag as the API shows it; `run` as for _start_payment (its consent requests are the pending ones),
    `payment` the one just started (else the aanvraag's payment is read)."""
    own = (aanvraag.subject_kind, aanvraag.subject) == (principal.kind, principal.id)
    if aanvraag.status != "ingediend":
        pending = False
    elif run is not None:
        pending = bool(run.consents)
    else:
        pending = bool(await decisions.pending_consent(session, aanvraag))
    return AanvraagOut.of(aanvraag, pending, with_answers=own,
                          betaling=await _betaling(session, aanvraag, own, run, payment))


async def _betaling(session: SessionDep, aanvraag: Aanvraag, own: bool, run: Run | None = None,
                    payment: Payment | None = None) -> Betaling | None:
    cents = fees.amount_cents(run or await decisions.decision_run(session, aanvraag))
    if not cents:
        return None
    payment = payment or await fees.payment_of(session, aanvraag)
    status = payment.status if payment is not None else "niet-gestart"
    url = payment.checkout_url if own and payment is not None and payment.status == "open" else None
    return Betaling(bedrag=f"{cents / 100:.2f}", status=status, betaal_url=url)


@router.get("/openapi.json", summary="This API's OpenAPI document", operation_id="getDienstenOpenapi")
async def diensten_openapi(request: Request) -> dict[str, Any]:
    return api_document(request.app, next(api for api in API_DOCUMENTS if api.name == "diensten"))


def include(app: FastAPI) -> None:
    app.include_router(router)
