"""Adoptions: a municipality takes an app into use with its own options, activates, upgrades and ends it.

Activating a service app issues its grants and provides its zaaktypen in the municipality's catalogus; an upgrade
replaces the grants and provides the new release's zaaktypen; ending revokes the grants and ends the zaaktypen. Each
change commits once, with all of that, or not at all.
"""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

import semver
from jsonschema import Draft202012Validator
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plein import logic
from plein.auth.service import Principal
from plein.db import utcnow
from plein.errors import Conflict, Forbidden, InvalidInput, InvalidParam, NotFound
from plein.exchange import service as exchange
from plein.organisations import service as organisations
from plein.organisations.models import Organisation
from plein.settings import Settings
from plein.store.models import Adoption, AdoptionEvent, App, Release
from plein.store.service import get_app
from plein.store.yamldoc import json_path_to_dotted
from plein.zgw.catalogi import provisioning

TRANSITIONS = {"planned": {"active", "ended"}, "active": {"ended"}, "ended": set()}
DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
FROM_OPTIONS = {"doorlooptijd": "duration", "servicenorm": "duration", "verantwoordelijke": "text"}
# The address in the URLs of provided zaaktypen (in their notifications) when a caller names none.
DEFAULT_BASE_URL: str = Settings.model_fields["base_url"].default


def options_schema(release: Release) -> dict[str, Any]:
    schema = (release.manifest or {}).get("options")
    return schema if isinstance(schema, dict) else {"type": "object", "properties": {}}


def apply_defaults(schema: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """The options with every missing property that has a default filled in (one level deep, as forms have)."""
    filled = copy.deepcopy(options)
    for name, prop in (schema.get("properties") or {}).items():
        if name not in filled and isinstance(prop, dict) and "default" in prop:
            filled[name] = copy.deepcopy(prop["default"])
    return filled


def validate_options(schema: dict[str, Any], options: Any) -> dict[str, Any]:
    """Validate options with defaults applied; raise InvalidInput naming each option and the rule it breaks."""
    if not isinstance(options, dict):
        raise InvalidInput("options must be an object", [InvalidParam("options", "type", "must be an object")])
    filled = apply_defaults(schema, options)
    problems = []
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for error in sorted(validator.iter_errors(filled), key=lambda e: list(map(str, e.path))):
        name = json_path_to_dotted(["options", *error.absolute_path])
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            name = f"options.{missing}" if missing else name
        problems.append(InvalidParam(name, str(error.validator), _reason(error.message, error.validator)))
    if problems:
        raise InvalidInput("the options are not valid for this release", problems)
    return filled


def _reason(message: str, rule: Any) -> str:
    return f"{message} (rule: {rule})"


async def managed_municipality(session: AsyncSession, code: str, actor: Principal) -> Organisation:
    """The municipality with this code, when the actor is its functioneel beheerder (NotFound, Forbidden)."""
    try:
        organisation = await organisations.get_by_code(session, code)
    except organisations.UnknownOrganisation as exc:
        raise NotFound(str(exc)) from exc
    if not actor.has_role(code, "beheerder"):
        raise Forbidden(f"you may not manage the apps of {organisation.name}: the beheerder role for {code} is needed")
    return organisation


async def _accepted_release(session: AsyncSession, app: App, version: str | None) -> Release:
    query = select(Release).where(Release.app_id == app.id, Release.status == "accepted",
                                  Release.withdrawn_at.is_(None))  # a withdrawn release is no longer offered
    if version is None:
        if app.latest_release_id is None:
            raise Conflict(f"app '{app.slug}' has no admitted release to adopt")
        query = query.where(Release.id == app.latest_release_id)
    else:
        query = query.where(Release.version == version)
    release = await session.scalar(query)
    if release is None:
        raise InvalidInput(f"app '{app.slug}' has no admitted release {version}",
                           [InvalidParam("version", "unknown", f"no admitted release {version}")])
    return release


def _event(adoption: Adoption, action: str, actor: Principal) -> AdoptionEvent:
    return AdoptionEvent(adoption_id=adoption.id, action=action, version=adoption.release.version,
                         options=adoption.options, actor=actor.id)


async def adopt(
    session: AsyncSession, code: str, app_slug: str, options: Any, actor: Principal,
    version: str | None = None, activate: bool = False, base_url: str = DEFAULT_BASE_URL,
) -> Adoption:
    """Adopt an app for a municipality: options validated with defaults applied; status planned (or active).

    `base_url` is Plein's address as the caller sees it; the URLs of provided zaaktypen are made with it."""
    organisation = await managed_municipality(session, code, actor)
    if organisation.ended_on is not None:
        raise Conflict(f"{organisation.name} ended on {organisation.ended_on.isoformat()} and can no longer adopt "
                       "apps", [InvalidParam("code", "municipality-ended", "this municipality no longer exists")])
    app = await get_app(session, app_slug)
    release = await _accepted_release(session, app, version)
    filled = validate_options(options_schema(release), options if options is not None else {})
    adoption = Adoption(organisation_id=organisation.id, app_id=app.id, release_id=release.id, options=filled,
                        status="planned", created_by=actor.id)
    adoption.release, adoption.app, adoption.organisation = release, app, organisation
    session.add(adoption)
    names = organisation.name, app.slug
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(f"{names[0]} already has an open adoption of '{names[1]}'; "
                       "upgrade or end that one first", [InvalidParam("app", "already-adopted", "end the open "
                                                                      "adoption or upgrade it")]) from exc
    session.add(_event(adoption, "planned", actor))
    if activate:
        try:
            await _set_status(session, adoption, "active", actor, base_url)
        except BaseException:
            await session.rollback()
            raise
    await session.commit()
    return adoption


async def get_adoption(session: AsyncSession, code: str, adoption_id: str, actor: Principal | None) -> Adoption:
    """One adoption of a municipality (reading is public: everyone can see who uses what)."""
    try:
        key = uuid.UUID(adoption_id)
    except ValueError as exc:
        raise NotFound(f"no adoption '{adoption_id}'") from exc
    adoption = await session.get(Adoption, key)
    if adoption is None or adoption.organisation.code != code:
        raise NotFound(f"municipality {code} has no adoption '{adoption_id}'")
    return adoption


async def change_adoption(
    session: AsyncSession, code: str, adoption_id: str, actor: Principal, *,
    status: str | None = None, version: str | None = None, options: Any = None, base_url: str = DEFAULT_BASE_URL,
) -> Adoption:
    """Configure (new options), upgrade (newer release, options re-validated) or change status, in one step.

    Any refusal or failure rolls the whole step back: the adoption, its grants and zaaktypen stay as they were."""
    await managed_municipality(session, code, actor)
    adoption = await get_adoption(session, code, adoption_id, actor)
    if adoption.status == "ended":
        raise Conflict("this adoption has ended; adopt the app again to use it")
    try:
        if version is not None and version != adoption.release.version:
            await _upgrade(session, adoption, version, options, actor, base_url)
        elif options is not None:
            adoption.options = validate_options(options_schema(adoption.release), options)
            session.add(_event(adoption, "configured", actor))
            if adoption.status == "active" and _is_service(adoption.release):  # options shape its zaaktypen
                await _provide(session, adoption, base_url)
        if status is not None and status != adoption.status:
            await _set_status(session, adoption, status, actor, base_url)
    except BaseException:
        await session.rollback()
        raise
    await session.commit()
    return adoption


def _is_service(release: Release) -> bool:
    return (release.manifest or {}).get("kind") == "service"


async def _upgrade(session: AsyncSession, adoption: Adoption, version: str, options: Any, actor: Principal,
                   base_url: str) -> None:
    release = await _accepted_release(session, adoption.app, version)
    if semver.Version.parse(release.version) <= semver.Version.parse(adoption.release.version):
        raise InvalidInput(f"{version} is not newer than the adopted release {adoption.release.version}",
                           [InvalidParam("version", "not-newer", "an upgrade needs a higher version")])
    try:
        filled = validate_options(options_schema(release), options if options is not None else adoption.options)
    except InvalidInput as exc:
        raise Conflict(
            f"the upgrade to {version} is blocked: the options no longer fit the new release; "
            "change them in the same request", exc.invalid_params,
        ) from exc
    was_service = _is_service(adoption.release)
    adoption.release_id = release.id
    adoption.release = release
    adoption.options = filled
    session.add(_event(adoption, "upgraded", actor))
    if adoption.status == "active":
        code = adoption.organisation.code
        await exchange.revoke_for_adoption(session, adoption.id)
        await exchange.grant_for_adoption(session, adoption.id, code, release.manifest)
        if _is_service(release):
            await _provide(session, adoption, base_url)
        elif was_service:
            await provisioning.end(session, base_url, code, adoption.app.slug)


async def _set_status(session: AsyncSession, adoption: Adoption, status: str, actor: Principal,
                      base_url: str) -> None:
    if status not in TRANSITIONS:
        raise InvalidInput(f"status '{status}' is not known",
                           [InvalidParam("status", "enum", "must be one of planned, active, ended")])
    if status not in TRANSITIONS[adoption.status]:
        raise Conflict(f"an adoption cannot go from {adoption.status} to {status}",
                       [InvalidParam("status", "transition", f"allowed from {adoption.status}: "
                                     f"{', '.join(sorted(TRANSITIONS[adoption.status])) or 'none'}")])
    was_active = adoption.status == "active"
    adoption.status = status
    code, manifest = adoption.organisation.code, adoption.release.manifest
    if status == "active":
        adoption.activated_at = utcnow()
        await exchange.grant_for_adoption(session, adoption.id, code, manifest)
        if _is_service(adoption.release):
            await _provide(session, adoption, base_url)
    if status == "ended":
        adoption.ended_at = utcnow()
        await exchange.revoke_for_adoption(session, adoption.id)
        if was_active and _is_service(adoption.release):
            await provisioning.end(session, base_url, code, adoption.app.slug)
    session.add(_event(adoption, "activated" if status == "active" else status, actor))
    await session.flush()
    await refresh_adoption_count(session, adoption.app_id)


async def _provide(session: AsyncSession, adoption: Adoption, base_url: str) -> None:
    """Provide the release's zaaktypen in the municipality's catalogus, shaped by the adoption's options."""
    manifest = provided_manifest(adoption.release.manifest or {}, adoption.options)
    await provisioning.provide(session, base_url, adoption.organisation.code, adoption.app.slug, adoption.id, manifest)


def provided_manifest(manifest: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """The manifest with each zaaktype's `fromOptions` worked out over the municipality's options and put in the
    fields it names (e.g. the doorlooptijd from behandeltermijnDagen). Raises Conflict naming the option's field
    when an expression gives no valid value."""
    zaaktypen, problems = [], []
    for index, item in enumerate(manifest.get("zaaktypen") or []):
        derived = item.get("fromOptions") if isinstance(item, dict) else None
        if not isinstance(derived, dict):
            zaaktypen.append(item)
            continue
        applied = {key: value for key, value in item.items() if key != "fromOptions"}
        for name, expression in derived.items():
            value = logic.evaluate(expression, {"opties": options})
            if _valid_derived(name, value):
                applied[name] = value
            else:
                problems.append(InvalidParam(f"zaaktypen[{index}].fromOptions.{name}", "invalid-value",
                                             f"the options give {value!r}, which is not a valid {name}"))
        zaaktypen.append(applied)
    if problems:
        raise Conflict("the options do not give valid zaaktype fields", problems)
    return {**manifest, "zaaktypen": zaaktypen} if "zaaktypen" in manifest else manifest


def _valid_derived(name: str, value: Any) -> bool:
    if FROM_OPTIONS.get(name) == "duration":
        return isinstance(value, str) and bool(DURATION.match(value))
    return isinstance(value, str) and 0 < len(value) <= 50


async def active_adoption(session: AsyncSession, code: str, app_slug: str) -> Adoption | None:
    """The municipality's active adoption of the app, if it has one (the service engine runs only these)."""
    statement = (select(Adoption).join(App, App.id == Adoption.app_id)
                 .join(Organisation, Organisation.id == Adoption.organisation_id)
                 .where(Organisation.code == code, App.slug == app_slug, Adoption.status == "active"))
    return await session.scalar(statement)


async def latest_adoption(session: AsyncSession, code: str, app_slug: str) -> Adoption | None:
    """The municipality's newest adoption of the app, whatever its status (cases of an ended adoption finish)."""
    statement = (select(Adoption).join(App, App.id == Adoption.app_id)
                 .join(Organisation, Organisation.id == Adoption.organisation_id)
                 .where(Organisation.code == code, App.slug == app_slug)
                 .order_by(Adoption.created_at.desc()).limit(1))
    return await session.scalar(statement)


async def active_service_adoptions(session: AsyncSession, code: str) -> list[Adoption]:
    """The municipality's active adoptions of service apps, by app name."""
    statement = (select(Adoption).join(App, App.id == Adoption.app_id)
                 .join(Organisation, Organisation.id == Adoption.organisation_id)
                 .where(Organisation.code == code, Adoption.status == "active", App.kind == "service")
                 .order_by(App.name))
    return list((await session.scalars(statement)).all())


async def refresh_adoption_count(session: AsyncSession, app_id: uuid.UUID) -> None:
    """Keep App.adoption_count (municipalities actively using the app) in step, for sorting."""
    active = select(func.count()).where(Adoption.app_id == app_id, Adoption.status == "active").scalar_subquery()
    await session.execute(update(App).where(App.id == app_id).values(adoption_count=active))


async def municipality_adoptions(session: AsyncSession, code: str, include_ended: bool = True) -> list[Adoption]:
    try:
        organisation = await organisations.get_by_code(session, code)
    except organisations.UnknownOrganisation as exc:
        raise NotFound(str(exc)) from exc
    query = select(Adoption).where(Adoption.organisation_id == organisation.id)
    if not include_ended:
        query = query.where(Adoption.status != "ended")
    return list((await session.scalars(query.order_by(Adoption.created_at.desc()))).all())


async def adoption_history(session: AsyncSession, adoption: Adoption) -> list[AdoptionEvent]:
    query = select(AdoptionEvent).where(AdoptionEvent.adoption_id == adoption.id).order_by(AdoptionEvent.at)
    return list((await session.scalars(query)).all())
