"""Who calls a ZGW API and what they may do: the client's JWT, its applicatie's autorisaties, scope checks.

A client authenticates with the HS256 JWT of the one client registry (plein.auth). A client registered with all
rights (`plein clients create … --all-rights`) may do everything, as may the clients of an applicatie with
heeftAlleAutorisaties; otherwise the applicatie's autorisaties say which scopes hold on which component and, for
zaken, documenten and besluiten, for which type up to which confidentiality.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth import service as auth
from plein.auth.models import ApiClient
from plein.driver import Ready
from plein.errors import Forbidden, NotAuthenticated
from plein.organisations.models import Organisation
from plein.zgw.autorisaties.models import Applicatie, ApplicatieClient, Autorisatie
from plein.zgw.catalogi.models import Catalogus

VERTROUWELIJKHEID = (
    "openbaar", "beperkt_openbaar", "intern", "zaakvertrouwelijk", "vertrouwelijk", "confidentieel", "geheim",
    "zeer_geheim",
)
SCOPE_COMPONENTS = {
    "catalogi": "ztc", "zaken": "zrc", "documenten": "drc", "besluiten": "brc", "autorisaties": "ac",
    "notificaties": "nrc",
}


def scope_component(scope: str, default: str) -> str:
    """The component an autorisatie must name for a scope: `zaken.lezen` lives on zrc; `audittrails.*` on the API's."""
    return SCOPE_COMPONENTS.get(scope.split(".", 1)[0], default)


def confidentiality_rank(value: str | None) -> int:
    """Position in the standard's order (openbaar = 0 … zeer_geheim = 7); unknown counts as the strictest."""
    return VERTROUWELIJKHEID.index(value) if value in VERTROUWELIJKHEID else len(VERTROUWELIJKHEID) - 1


@dataclass(frozen=True)
class Grant:
    """One autorisatie: scopes on a component, for zrc/drc/brc limited to a type (its URL) and confidentiality."""

    component: str
    scopes: frozenset[str]
    type_url: str | None = None
    max_vertrouwelijkheid: str | None = None


@dataclass(frozen=True)
class ZgwCaller:
    """The client behind a ZGW request, with the end user it acts for (for the audit trail)."""

    client_id: str
    all_rights: bool
    grants: tuple[Grant, ...] = ()
    organisation: str | None = None
    user_id: str = ""
    user_representation: str = ""
    applicatie_id: uuid.UUID | None = field(default=None)
    applicatie_label: str = ""
    rsin: str | None = None  # the RSIN of the organisation the client acts for

    def may_act_for(self, rsin: str, zaaktype_rsin: str | None) -> bool:
        """Whether the client may create a resource with this bronorganisatie: its own organisation's RSIN; a
        client of no organisation only the RSIN of the catalogus whose type it uses; a client with all rights and
        no organisation (Plein itself, a platform-wide system) any."""
        if self.rsin is not None:
            return rsin == self.rsin
        if self.platform_wide:
            return True
        return zaaktype_rsin is not None and rsin == zaaktype_rsin

    @property
    def platform_wide(self) -> bool:
        """Plein itself or an all-rights client of no organisation: it may act for any organisation."""
        return self.rsin is None and self.organisation is None and self.all_rights

    @property
    def label(self) -> str:
        """How the audit trail shows the application: its label in the Autorisaties API, else the client id."""
        return self.applicatie_label or self.client_id

    def may(self, component: str, scopes: frozenset[str]) -> bool:
        """True when any autorisatie on the component holds any of the scopes (no scopes needed: True)."""
        if self.all_rights or not scopes:
            return True
        return any(
            grant.component == scope_component(scope, component) and scope in grant.scopes
            for grant in self.grants for scope in scopes
        )

    def require(self, component: str, scopes: frozenset[str]) -> None:
        if not self.may(component, scopes):
            raise Forbidden(f"this client lacks the scope for this operation (one of: {', '.join(sorted(scopes))})")

    def types(self, component: str, scopes: frozenset[str]) -> dict[str, int] | None:
        """For a typed component: type URL → highest confidentiality rank allowed; None when unrestricted."""
        if self.all_rights:
            return None
        allowed: dict[str, int] = {}
        for grant in self.grants:
            if grant.component != component or not grant.scopes & scopes or grant.type_url is None:
                continue
            rank = confidentiality_rank(grant.max_vertrouwelijkheid) if component != "brc" else len(VERTROUWELIJKHEID)
            allowed[grant.type_url] = max(rank, allowed.get(grant.type_url, -1))
        return allowed

    def may_on(self, component: str, scopes: frozenset[str], type_url: str, vertrouwelijkheid: str | None) -> bool:
        """True when the scopes hold for an object of this type and confidentiality."""
        allowed = self.types(component, scopes)
        if allowed is None:
            return True
        if type_url not in allowed:
            return False
        return component == "brc" or confidentiality_rank(vertrouwelijkheid) <= allowed[type_url]

    def require_on(self, component: str, scopes: frozenset[str], type_url: str, vertrouwelijkheid: str | None) -> None:
        if not self.may_on(component, scopes, type_url, vertrouwelijkheid):
            raise Forbidden("this client has no autorisatie for this type at this confidentiality "
                            f"(scopes: {', '.join(sorted(scopes))})")


async def caller(request: Request, session: AsyncSession) -> ZgwCaller:
    """The caller of this request, from its Bearer JWT; 401 when it is missing or not valid.

    One query reads the client's secret and its autorisaties together (never cached, so a new secret, a removed
    client or a change in the Autorisaties API counts from the next request)."""
    cached = getattr(request.state, "zgw_caller", None)
    if isinstance(cached, ZgwCaller):
        return cached
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticated("send a client JWT: 'Authorization: Bearer <JWT>'")
    try:
        claims = auth.token_claims(token)
        client_id = auth.client_id_of(claims)
        rows = await _RIGHTS.rows(session, {"client_id": client_id})
        if not rows:
            raise auth.AuthError("unknown client_id")
        secret, roles, all_rights, organisation, rsin = rows[0][:5]
        principal = auth.verify_client_token(token, auth.ClientKey(client_id, auth.open_secret(session, secret),
                                                                   roles, all_rights,
                                                                   organisation))
    except auth.AuthError as exc:
        raise NotAuthenticated(str(exc)) from exc
    result = _from_rows(client_id, principal.all_rights, [(row[3], *row[5:]) for row in rows],
                        str(claims.get("user_id") or ""), str(claims.get("user_representation") or ""))
    result = dataclasses.replace(result, rsin=rsin)
    request.state.zgw_caller = result
    return result


_RIGHTS = Ready(
    select(ApiClient.secret, ApiClient.roles, ApiClient.all_rights, Organisation.code, Organisation.rsin,
           Applicatie.id,
           Applicatie.label, Applicatie.heeft_alle_autorisaties, Autorisatie.component, Autorisatie.scopes,
           Autorisatie.type_url, Autorisatie.max_vertrouwelijkheidaanduiding)
    .select_from(ApiClient)
    .outerjoin(Organisation, Organisation.id == ApiClient.organisation_id)
    .outerjoin(ApplicatieClient, ApplicatieClient.client_id == ApiClient.client_id)
    .outerjoin(Applicatie, Applicatie.id == ApplicatieClient.applicatie_id)
    .outerjoin(Autorisatie, Autorisatie.applicatie_id == Applicatie.id)
    .where(ApiClient.client_id == bindparam("client_id"))
    .order_by(Autorisatie.position)
)


def _from_rows(client_id: str, all_rights: bool, rows: list[Any], user_id: str = "",
               user_representation: str = "") -> ZgwCaller:
    """A caller from (organisation, applicatie id, label, all autorisaties, component, scopes, type, maximum) rows."""
    if not rows or rows[0][1] is None:
        return ZgwCaller(client_id, all_rights, organisation=rows[0][0] if rows else None, user_id=user_id,
                         user_representation=user_representation)
    organisation, applicatie_id, label, everything = rows[0][:4]
    grants = tuple(Grant(component, frozenset(scopes), type_url, maximum)
                   for *_, component, scopes, type_url, maximum in rows if component is not None)
    return ZgwCaller(client_id, all_rights or everything, grants, organisation, user_id, user_representation,
                     applicatie_id, label)


_READERS = (
    select(ApiClient.client_id, Organisation.code, Applicatie.id, Applicatie.label,
           Applicatie.heeft_alle_autorisaties, Autorisatie.component, Autorisatie.scopes, Autorisatie.type_url,
           Autorisatie.max_vertrouwelijkheidaanduiding, ApiClient.all_rights)
    .select_from(ApiClient)
    .outerjoin(Organisation, Organisation.id == ApiClient.organisation_id)
    .outerjoin(ApplicatieClient, ApplicatieClient.client_id == ApiClient.client_id)
    .outerjoin(Applicatie, Applicatie.id == ApplicatieClient.applicatie_id)
    .outerjoin(Autorisatie, Autorisatie.applicatie_id == Applicatie.id)
    .order_by(ApiClient.client_id, Autorisatie.position)
)


def readers(component: str, scope: str, type_url: str,
            vertrouwelijkheid: str | None) -> Callable[[AsyncSession, set[str]], Awaitable[set[str]]]:
    """For notifications.publish: which of some clients may read a resource of this type and confidentiality (with
    the scope, e.g. zaken.lezen), as their autorisaties say now; one query for all of them."""

    async def may_read(session: AsyncSession, clients: set[str]) -> set[str]:
        if not clients:
            return set()
        rows = (await session.execute(_READERS.where(ApiClient.client_id.in_(sorted(clients))))).all()
        by_client: dict[str, list[Any]] = {}
        for row in rows:
            by_client.setdefault(row[0], []).append(row)
        allowed = set()
        for client_id, found in by_client.items():
            caller = _from_rows(client_id, bool(found[0][-1]), [tuple(row[1:-1]) for row in found])
            if caller.may(component, frozenset({scope})) and caller.may_on(component, frozenset({scope}), type_url,
                                                                           vertrouwelijkheid):
                allowed.add(client_id)
        return allowed

    return may_read


async def require_acts_for(session: AsyncSession, caller: ZgwCaller, rsin: str, field: str,
                           catalogus_id: uuid.UUID) -> None:
    """403 unless the caller may create a resource for this organisation (ZgwCaller.may_act_for); the RSIN of the
    type's catalogus is read only for a client of no organisation that is not platform-wide."""
    if caller.rsin is None and not caller.platform_wide:
        catalogus_rsin = await session.scalar(select(Catalogus.rsin).where(Catalogus.id == catalogus_id))
    else:
        catalogus_rsin = None
    if not caller.may_act_for(rsin, catalogus_rsin):
        raise Forbidden(f"{field}: this client may only create resources for the organisation it acts for "
                        f"(RSIN {caller.rsin or catalogus_rsin})")
