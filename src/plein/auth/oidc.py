"""Logging in with DigiD and eHerkenning through an OpenID Connect broker, with Authlib: the authorization code flow
with PKCE, state and nonce, the id_token checked against the broker's keys, and its claims turned into a login."""

from __future__ import annotations

import json
import logging
import warnings
from dataclasses import dataclass, field
from typing import Any

import authlib.deprecate
import httpx
from joserfc.errors import JoseError
from starlette.requests import Request

from plein.auth import assurance, logins
from plein.settings import Settings

with warnings.catch_warnings():
    # Authlib would rather use the httpx2 package and warns when it falls back to httpx, which Plein uses throughout
    # and Authlib still supports. (authlib.deprecate, imported above, adds an "always" filter that this one precedes.)
    warnings.filterwarnings("ignore", "The httpx module is deprecated", authlib.deprecate.AuthlibDeprecationWarning)
    from authlib.integrations.starlette_client import OAuth, OAuthError

logger = logging.getLogger("plein.auth")
TIMEOUT = 10.0  # seconds for each request to the broker (discovery, keys, token)
LABELS = {assurance.DIGID: "DigiD", assurance.EHERKENNING: "eHerkenning"}


@dataclass(frozen=True)
class Broker:
    """The broker through which citizens (scheme digid) or businesses (scheme eherkenning) log in."""

    scheme: assurance.Scheme
    issuer: str
    client_id: str
    client_secret: str
    scope: str
    service_claim: str = ""  # eHerkenning: the claim naming the service (dienst) of the login; empty: none
    services: dict[str, str] = field(default_factory=dict)  # eHerkenning: the broker's service id → Plein app id

    @property
    def label(self) -> str:
        return LABELS[self.scheme]

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


@dataclass(frozen=True)
class Pending:
    """What a login in progress came for: where to go afterwards, the level it must have at least and, for
    eHerkenning, the service (an app id) it is for."""

    next_path: str
    required: str | None
    service: str | None = None


def broker(settings: Settings, scheme: assurance.Scheme) -> Broker | None:
    """The configured broker for a scheme, or None when logging in with it is off (no issuer set)."""
    issuer: str = getattr(settings, f"{scheme}_issuer")
    if not issuer:
        return None
    scopes = str(getattr(settings, f"{scheme}_scope")).split()
    if "openid" not in scopes:
        scopes.insert(0, "openid")
    secret = getattr(settings, f"{scheme}_client_secret").get_secret_value()
    client_id = getattr(settings, f"{scheme}_client_id")
    if scheme == assurance.EHERKENNING:
        return Broker(scheme, issuer, client_id, secret, " ".join(scopes), settings.eherkenning_service_claim.strip(),
                      dict(settings.eherkenning_services))
    return Broker(scheme, issuer, client_id, secret, " ".join(scopes))


def broker_service_id(services: dict[str, str], app: str) -> str:
    """The broker's id of a Plein service: the first one PLEIN_EHERKENNING_SERVICES maps to the app, else the app id
    itself (a broker configured with Plein's app ids)."""
    return next((service for service, mapped in services.items() if mapped == app), app)


def mandates(claims: dict[str, Any], claim: str, services: dict[str, str]) -> frozenset[str]:
    """The services (app ids) a broker's service claim names: each value (a string, or a list of them) through the
    mapping, or taken as it is when it is an app id itself; other values are left out (and logged)."""
    value = claims.get(claim) if claim else None
    values = value if isinstance(value, list) else [] if value is None else [value]
    found = set()
    for item in values:
        text = item.strip() if isinstance(item, str) else ""
        app = services.get(text) or (text if logins.is_service_id(text) else None)
        if app is None:
            logger.warning("eHerkenning service %r in claim %s is not one of Plein's services", item, claim)
            continue
        found.add(app)
    return logins.service_ids(found)


def redirect_uri(settings: Settings, scheme: assurance.Scheme) -> str:
    """Where the broker sends the browser back to; register this address at the broker."""
    return f"{settings.base_url.rstrip('/')}/inloggen/{scheme}/callback"


def _client(request: Request, broker: Broker) -> Any:
    """Authlib's client for the broker, made once per app: it keeps the discovery document and the keys it read."""
    registry: OAuth | None = getattr(request.app.state, "oidc", None)
    if registry is None:
        registry = request.app.state.oidc = OAuth()
    client = registry.create_client(broker.scheme)
    if client is None:
        client = registry.register(
            broker.scheme, client_id=broker.client_id, client_secret=broker.client_secret,
            server_metadata_url=broker.discovery_url,
            client_kwargs={"scope": broker.scope, "code_challenge_method": "S256", "timeout": TIMEOUT})
    return client


def _unreachable(broker: Broker) -> logins.LoginRefused:
    return logins.LoginRefused(f"{broker.label} is nu niet bereikbaar. U bent niet ingelogd. Probeer het later nog "
                               "eens.")


async def authorization_url(request: Request, broker: Broker, back_to: str, pending: Pending) -> str:
    """The broker's address to send the browser to. State, nonce and the PKCE verifier are kept in the session
    (signed cookie) until the answer comes back; a required level is asked for with acr_values."""
    client = _client(request, broker)
    extra = {"acr_values": assurance.acr_value(pending.required)} if pending.required else {}
    if pending.service and broker.service_claim:
        # OpenID Connect Core 5.5: ask for the service claim with the service's value, so that the broker asks for
        # (and checks) the machtiging for this service; Plein reads what comes back, whatever was asked.
        wanted = {"essential": True, "value": broker_service_id(broker.services, pending.service)}
        extra["claims"] = json.dumps({"id_token": {broker.service_claim: wanted}}, separators=(",", ":"))
    try:
        found = await client.create_authorization_url(back_to, **extra)
    except (httpx.HTTPError, ValueError, KeyError, RuntimeError) as exc:
        logger.warning("%s broker: no authorization URL: %s", broker.label, exc)
        raise _unreachable(broker) from exc
    url = str(found.pop("url"))
    await client.save_authorize_data(request, redirect_uri=back_to, next=pending.next_path, niveau=pending.required,
                                     dienst=pending.service, **found)
    return url


async def pending(request: Request, broker: Broker) -> Pending:
    """The login in progress that the broker's answer belongs to (by its state); LoginRefused when there is none:
    expired, already used, or not started in this browser."""
    state = request.query_params.get("state", "")
    data = await _client(request, broker).framework.get_state_data(request.session, state) if state else None
    if not data:
        raise logins.LoginRefused("Deze inlogpoging is verlopen of is niet op deze site begonnen. U bent niet "
                                  "ingelogd. Probeer het opnieuw.")
    required = assurance.parse_level(data.get("niveau"), broker.scheme)
    service = data.get("dienst")
    return Pending(str(data.get("next") or "/"), required, service if logins.is_service_id(service) else None)


async def checked_claims(request: Request, broker: Broker) -> dict[str, Any]:
    """The claims of the broker's id_token after exchanging the code (with the PKCE verifier): signed with a key of
    the broker's JWKS, from the configured issuer, for this client, with this login's nonce, not expired."""
    client = _client(request, broker)
    if request.query_params.get("error"):
        await client.framework.clear_state_data(request.session, request.query_params.get("state", ""))
        logger.info("%s login not completed: %s", broker.label, request.query_params.get("error"))
        raise logins.LoginRefused(f"Inloggen met {broker.label} is afgebroken of niet gelukt. U bent niet ingelogd.")
    options = {"iss": {"essential": True, "value": broker.issuer},
               "aud": {"essential": True, "value": broker.client_id}}
    try:
        token = await client.authorize_access_token(request, claims_options=options)
    except (OAuthError, JoseError) as exc:
        logger.warning("%s login refused: %s", broker.label, exc)
        raise logins.LoginRefused(f"Het antwoord van {broker.label} klopt niet en is geweigerd. U bent niet "
                                  "ingelogd. Probeer het opnieuw.") from exc
    except (httpx.HTTPError, ValueError, KeyError, RuntimeError) as exc:
        logger.warning("%s broker: the code could not be exchanged: %s", broker.label, exc)
        raise _unreachable(broker) from exc
    claims = token.get("userinfo")
    if not claims:
        logger.warning("%s broker answered without an id_token", broker.label)
        raise logins.LoginRefused(f"{broker.label} gaf niet door wie er inlogde. U bent niet ingelogd.")
    return dict(claims)


def _text(value: object) -> str:
    """A claim's value as text: a string or number, or the only element of a list."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def _level(claims: dict[str, Any], claim: str, scheme: assurance.Scheme) -> str | None:
    value = claims.get(claim)
    level = assurance.parse_level(_text(value), scheme)
    if value is not None and level is None:
        logger.warning("unknown level of assurance in claim %s: %r", claim, value)
    return level


def citizen_login(claims: dict[str, Any], settings: Settings) -> logins.NewLogin:
    """A citizen's login from a DigiD broker's claims (BSN passing the 11-check, DigiD level)."""
    bsn = _text(claims.get(settings.digid_bsn_claim))
    if not bsn:
        raise logins.LoginRefused("DigiD gaf geen burgerservicenummer door. U bent niet ingelogd.")
    name = _text(claims.get("name")) or None
    return logins.citizen(bsn, _level(claims, settings.digid_loa_claim, assurance.DIGID), "digid", name)


def business_login(claims: dict[str, Any], settings: Settings) -> logins.NewLogin:
    """A business's login from an eHerkenning broker's claims (KvK number, branch, acting person, level, and the
    machtigingen: the services the service claim names)."""
    kvk = _text(claims.get(settings.eherkenning_kvk_claim))
    if not kvk:
        raise logins.LoginRefused("eHerkenning gaf geen KvK-nummer door. U bent niet ingelogd.")
    found = mandates(claims, settings.eherkenning_service_claim.strip(), settings.eherkenning_services)
    return logins.business(kvk, _text(claims.get(settings.eherkenning_branch_claim)) or None,
                           _text(claims.get(settings.eherkenning_acting_person_claim)) or None,
                           _level(claims, settings.eherkenning_loa_claim, assurance.EHERKENNING), "eherkenning",
                           mandates=found)
