"""Applicaties and their autorisaties: the rules ac-001 (a client id belongs to one applicatie), ac-002 (all or
listed autorisaties) and ac-003 (required fields per component), and the representation the standard gives."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.models import ApiClient
from plein.errors import InvalidInput, InvalidParam, NotFound
from plein.zgw.autorisaties.models import Applicatie, ApplicatieClient, Autorisatie

COMPONENT_NAMES = {
    "ac": "Autorisatiecomponent", "nrc": "Notificatierouteringcomponent", "zrc": "Zaakregistratiecomponent",
    "ztc": "Zaaktypecatalogus", "drc": "Documentregistratiecomponent", "brc": "Besluitregistratiecomponent",
}
TYPE_FIELD = {"zrc": "zaaktype", "drc": "informatieobjecttype", "brc": "besluittype"}
SCOPE_PREFIX = {"zrc": "zaken.", "drc": "documenten.", "brc": "besluiten."}
UrlOf = Callable[[uuid.UUID], str]


def represent(applicatie: Applicatie, url_of: UrlOf) -> dict[str, Any]:
    """An applicatie in the shape of the standard's Applicatie schema."""
    return {
        "url": url_of(applicatie.id),
        "clientIds": [client.client_id for client in applicatie.clients],
        "label": applicatie.label,
        "heeftAlleAutorisaties": applicatie.heeft_alle_autorisaties,
        "autorisaties": [_autorisatie(a) for a in applicatie.autorisaties],
    }


def _autorisatie(autorisatie: Autorisatie) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "component": autorisatie.component,
        "componentWeergave": COMPONENT_NAMES.get(autorisatie.component, autorisatie.component),
        "scopes": list(autorisatie.scopes),
    }
    type_field = TYPE_FIELD.get(autorisatie.component)
    if type_field:
        shown[type_field] = autorisatie.type_url or ""
    if autorisatie.component in ("zrc", "drc"):
        shown["maxVertrouwelijkheidaanduiding"] = autorisatie.max_vertrouwelijkheidaanduiding or ""
    return shown


async def adopt_all_rights_clients(session: AsyncSession) -> None:
    """Give each client registered with all rights (`plein clients create … --all-rights`) that no applicatie names
    an applicatie of its own with heeftAlleAutorisaties, so that the Autorisaties API shows it like any other (as the
    reference's clients expect: a test suite looks its own client up at /applicaties/consumer). Run before each
    read of this API; one query when there is nothing to do."""
    missing = list(await session.scalars(select(ApiClient.client_id).where(
        ApiClient.all_rights.is_(True),
        ~exists().where(ApplicatieClient.client_id == ApiClient.client_id)).order_by(ApiClient.client_id)))
    if not missing:
        return
    for client_id in missing:
        session.add(Applicatie(label=client_id[:100], heeft_alle_autorisaties=True,
                               clients=[ApplicatieClient(client_id=client_id, position=0)], autorisaties=[]))
    try:
        await session.commit()
    except IntegrityError:  # another request adopted them at the same moment
        await session.rollback()


async def list_applicaties(session: AsyncSession, client_ids: list[str] | None, page: int,
                           size: int) -> tuple[int, list[Applicatie]]:
    """One page of applicaties (oldest first), optionally only those with one of the client ids."""
    await adopt_all_rights_clients(session)
    query = select(Applicatie)
    if client_ids:
        query = query.where(Applicatie.id.in_(
            select(ApplicatieClient.applicatie_id).where(ApplicatieClient.client_id.in_(client_ids))))
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(query.order_by(Applicatie.created_at, Applicatie.id)
                                 .offset((page - 1) * size).limit(size))
    return total, list(rows)


async def get_applicatie(session: AsyncSession, key: uuid.UUID) -> Applicatie:
    await adopt_all_rights_clients(session)
    applicatie = await session.get(Applicatie, key)
    if applicatie is None:
        raise NotFound(f"there is no applicatie {key}")
    return applicatie


async def applicatie_for_client(session: AsyncSession, client_id: str) -> Applicatie:
    await adopt_all_rights_clients(session)
    applicatie = await session.scalar(
        select(Applicatie).join(ApplicatieClient).where(ApplicatieClient.client_id == client_id))
    if applicatie is None:
        raise NotFound(f"there is no applicatie with client id {client_id!r}")
    return applicatie


async def save_applicatie(session: AsyncSession, data: dict[str, Any], existing: Applicatie | None = None,
                          partial: bool = False) -> Applicatie:
    """Create or change an applicatie from a checked body; commits, or changes nothing when a rule is broken."""
    merged = _merged(existing, data) if partial and existing is not None else data
    problems = await _problems(session, merged, existing)
    if problems:
        raise InvalidInput("; ".join(f"{p.name}: {p.reason}" for p in problems), problems)
    applicatie = existing or Applicatie()
    applicatie.label = merged["label"]
    applicatie.heeft_alle_autorisaties = bool(merged.get("heeftAlleAutorisaties", False))
    if existing is not None and "clientIds" in merged:
        applicatie.clients.clear()
        await session.flush()
    applicatie.clients = [ApplicatieClient(client_id=c, position=i) for i, c in enumerate(merged["clientIds"])]
    applicatie.autorisaties = [_new_autorisatie(a, i) for i, a in enumerate(merged.get("autorisaties") or [])]
    session.add(applicatie)
    await session.commit()
    return await get_applicatie(session, applicatie.id)


def _merged(existing: Applicatie, data: dict[str, Any]) -> dict[str, Any]:
    current = {
        "label": existing.label, "heeftAlleAutorisaties": existing.heeft_alle_autorisaties,
        "clientIds": [c.client_id for c in existing.clients],
        "autorisaties": [_autorisatie(a) for a in existing.autorisaties],
    }
    return {**current, **data}


def _new_autorisatie(data: dict[str, Any], position: int) -> Autorisatie:
    component = data["component"]
    type_field = TYPE_FIELD.get(component)
    return Autorisatie(
        position=position, component=component, scopes=list(dict.fromkeys(data["scopes"])),
        type_url=(data.get(type_field) or None) if type_field else None,
        max_vertrouwelijkheidaanduiding=(data.get("maxVertrouwelijkheidaanduiding") or None)
        if component in ("zrc", "drc") else None,
    )


async def _problems(session: AsyncSession, data: dict[str, Any], existing: Applicatie | None) -> list[InvalidParam]:
    problems: list[InvalidParam] = []
    client_ids: list[str] = data.get("clientIds") or []
    if len(set(client_ids)) != len(client_ids):
        problems.append(InvalidParam("clientIds", "unique", "a client id is listed twice"))
    others = select(ApplicatieClient.client_id).where(ApplicatieClient.client_id.in_(client_ids))
    if existing is not None:
        others = others.where(ApplicatieClient.applicatie_id != existing.id)
    taken = await session.scalars(others)
    for client_id in sorted(set(taken)):
        problems.append(InvalidParam("clientIds", "clientId-exists",
                                     f"client id {client_id!r} already belongs to another applicatie (ac-001)"))
    autorisaties = data.get("autorisaties") or []
    if data.get("heeftAlleAutorisaties") and autorisaties:
        problems.append(InvalidParam("nonFieldErrors", "ambiguous-authorizations-specified",
                                     "give either heeftAlleAutorisaties true or autorisaties, not both (ac-002)"))
    if not data.get("heeftAlleAutorisaties") and not autorisaties:
        problems.append(InvalidParam("nonFieldErrors", "missing-authorizations",
                                     "give heeftAlleAutorisaties true or at least one autorisatie (ac-002)"))
    for index, autorisatie in enumerate(autorisaties):
        problems.extend(_required_fields(index, autorisatie))
    return problems


def _required_fields(index: int, autorisatie: dict[str, Any]) -> list[InvalidParam]:
    """ac-003: scopes on zaken/documenten need the type and maximum confidentiality; on besluiten the type."""
    component = autorisatie.get("component", "")
    prefix = SCOPE_PREFIX.get(component)
    if prefix is None or not any(scope.startswith(prefix) for scope in autorisatie.get("scopes", [])):
        return []
    needed = [TYPE_FIELD[component]] + (["maxVertrouwelijkheidaanduiding"] if component != "brc" else [])
    return [InvalidParam(f"autorisaties.{index}.{name}", "required",
                         f"required for {prefix}* scopes on component {component} (ac-003)")
            for name in needed if not autorisatie.get(name)]


async def delete_applicatie(session: AsyncSession, applicatie: Applicatie) -> None:
    await session.delete(applicatie)
    await session.commit()
