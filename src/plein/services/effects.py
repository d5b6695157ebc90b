"""The effects of a positive decision, from a fixed vocabulary that Plein implements (an app only names them and
gives their values as JSON Logic): each register change goes through a write grant of the handling municipality
and the processing log, and is announced on the `brp` kanaal, in the decision's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from plein import logic
from plein.errors import Conflict, InvalidInput, InvalidParam
from plein.exchange import service as exchange
from plein.notifications import service as notifications
from plein.registers.brp import service as brp
from plein.services.run import Run
from plein.store.checks.service import EFFECT_WRITES

Effect = Callable[[AsyncSession, Run, dict[str, Any], str, str], Awaitable[list[dict[str, Any]]]]


def _write_activity(run: Run, register: str, mutation: str) -> str:
    """The processing activity of the app's write grant for this change (requires.writes)."""
    for item in (run.offer.manifest.get("requires") or {}).get("writes") or []:
        if item.get("register") == register and item.get("mutation") == mutation:
            return str(item["activity"])
    raise Conflict(f"the app asks no write grant for {register} {mutation}")


def _bad(effect: str, name: str, reason: str) -> InvalidInput:
    return InvalidInput(f"effect {effect}: {name} {reason}", [InvalidParam(f"{effect}.{name}", "invalid", reason)])


async def _verhuizing(session: AsyncSession, run: Run, spec: dict[str, Any], base_url: str,
                      trace_id: str) -> list[dict[str, Any]]:
    """brp.verhuizing: every person moves to the BAG address on the date (register_move, under the write grant)."""
    data = run.data()
    persons = [str(bsn) for bsn in logic.evaluate(spec["personen"], data) or [] if bsn]
    address = logic.evaluate(spec["adres"], data)
    day = logic.evaluate(spec["datum"], data)
    if not persons:
        raise _bad("brp.verhuizing", "personen", "gives no persons")
    if not isinstance(address, str) or not address:
        raise _bad("brp.verhuizing", "adres", "gives no nummeraanduiding")
    try:
        moment = dt.date.fromisoformat(str(day))
    except ValueError as exc:
        raise _bad("brp.verhuizing", "datum", "gives no date") from exc
    register, mutation = EFFECT_WRITES["brp.verhuizing"]
    permit = await exchange.authorize_write(session, exchange.platform_client_id(run.offer.code), register, mutation,
                                            _write_activity(run, register, mutation), trace_id)
    cause = brp.Cause(f"{run.definition.title} ({run.aanvraag.zaak_identificatie})", run.aanvraag.zaak_url or "")
    residence = brp.NewResidence(datum=moment.strftime("%Y%m%d"), nummeraanduiding=address)
    moved = await brp.write_moves(session, permit, [(bsn, residence) for bsn in dict.fromkeys(persons)], cause)
    for item in moved:
        await notifications.publish(
            session, kanaal="brp", hoofd_object=run.aanvraag.zaak_url or "", resource="ingeschrevenpersoon",
            resource_url=f"{base_url.rstrip('/')}/haalcentraal/api/brp/personen", actie="update",
            kenmerken={"gemeente": item.residence.gemeente_van_inschrijving or "",
                       "vorigeGemeente": item.previous_gemeente or "", "soort": "verhuizing",
                       "burgerservicenummer": item.bsn},
            source_oin=run.offer.organisation.oin)
    return [{"type": "brp.verhuizing", "burgerservicenummer": item.bsn,
             "gemeente": item.residence.gemeente_van_inschrijving, "vorigeGemeente": item.previous_gemeente,
             "datum": moment.isoformat()} for item in moved]


EFFECTS: dict[str, Effect] = {"brp.verhuizing": _verhuizing}
assert set(EFFECTS) == set(EFFECT_WRITES), "every effect the store admits is implemented, and no other"


async def apply(session: AsyncSession, run: Run, base_url: str, trace_id: str) -> list[dict[str, Any]]:
    """Run the definition's effects in order, in the caller's transaction; what each changed, for the aanvraag."""
    done: list[dict[str, Any]] = []
    for spec in run.definition.effects:
        done += await EFFECTS[spec["type"]](session, run, spec, base_url, trace_id)
    return done
