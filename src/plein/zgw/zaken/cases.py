"""The internal Python API for Plein's own services: register and move cases without going over HTTP.

Bodies have the shape of the Zaken API's request bodies and pass the same checks (the standard's schema and
rules), so a service and an outside client are held to one standard. `register_zaak` makes a zaak with its rollen,
first status and resultaat in one transaction: either everything is stored, with its audit records and
notifications, or nothing is (a failure halfway rolls the whole registration back).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from plein.zgw import validation
from plein.zgw.auth import ZgwCaller
from plein.zgw.zaken import parts
from plein.zgw.zaken.models import Rol, Status, Zaak
from plein.zgw.zaken.service import Scope, create_zaak

PLATFORM = ZgwCaller("plein", all_rights=True, applicatie_label="Plein")


@dataclass
class Registration:
    """What one registration made."""

    zaak: Zaak
    rollen: list[Rol] = field(default_factory=list)
    status: Status | None = None


def _checked(schema: str, body: dict[str, Any]) -> dict[str, Any]:
    return validation.check_body("zaken", schema, body)


async def register_zaak(session: AsyncSession, base_url: str, zaak: dict[str, Any],
                        rollen: Sequence[dict[str, Any]] = (), status: dict[str, Any] | None = None,
                        resultaat: dict[str, Any] | None = None, caller: ZgwCaller = PLATFORM) -> Registration:
    """Register a zaak with its rollen, a status and optionally a resultaat, atomically, and commit.

    `rollen`, `status` and `resultaat` are bodies without the `zaak` field; it is filled in here. Any error (a bad
    field, a type that does not belong to the zaaktype, a missing autorisatie) rolls everything back and is raised.
    """
    scope = Scope(session, caller, base_url.rstrip("/"))
    try:
        made = Registration(await create_zaak(scope, _checked("Zaak", zaak)))
        url = scope.urls.zaak(made.zaak.id)
        for body in rollen:
            rol, _ = await parts.create_rol(scope, _checked("Rol", {**body, "zaak": url}))
            made.rollen.append(rol)
        if resultaat is not None:
            await parts.save_resultaat(scope, _checked("Resultaat", {**resultaat, "zaak": url}))
        if status is not None:
            made.status = await parts.create_status(scope, _checked("Status", {**status, "zaak": url}))
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return made


async def set_status(session: AsyncSession, base_url: str, zaak: Zaak, status: dict[str, Any],
                     caller: ZgwCaller = PLATFORM) -> Status:
    """Give a zaak its next status (closing it when it is the eindstatus) and commit."""
    scope = Scope(session, caller, base_url.rstrip("/"))
    try:
        made = await parts.create_status(scope, _checked("Status", {**status, "zaak": scope.urls.zaak(zaak.id)}))
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return made
