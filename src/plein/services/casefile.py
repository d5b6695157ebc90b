"""The zaak of an aanvraag under the ZGW standards, through the zgw domain's Python API: made at submission (rollen,
first status, eigenschappen from the answers, the uploaded documents) and closed by the decision (resultaat and
eindstatus). Everything is written in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein import logic
from plein.db import utcnow
from plein.errors import Conflict
from plein.services import fees
from plein.services.definition import Question
from plein.services.models import Aanvraag, Bestand
from plein.services.questions import nested
from plein.services.run import Run
from plein.zgw.zaken import cases
from plein.zgw.zaken.models import Zaak

OMSCHRIJVING_LIMIT = 80
TOELICHTING_LIMIT = 1000


async def case_type(session: AsyncSession, run: Run, base_url: str) -> cases.CaseType:
    """The handling municipality's zaaktype in force today for the service's case; Conflict when there is none (the
    adoption ended, or its zaaktype was ended through the Catalogi API)."""
    found = await cases.case_type(session, base_url, run.offer.organisation, run.definition.case["zaaktype"],
                                  run.day)
    if found is None:
        raise Conflict(f"{run.offer.organisation.name} has no zaaktype {run.definition.case['zaaktype']} in force "
                       "today, so no zaak can be made; the municipality's beheerder must activate the app again")
    return found


async def open_case(session: AsyncSession, run: Run, base_url: str, files: Sequence[Bestand]) -> cases.Registration:
    """Make the zaak of a submitted aanvraag; the aanvraag is given the zaak's URL and identificatie."""
    kind = await case_type(session, run, base_url)
    aanvraag, data = run.aanvraag, run.data()
    start = run.day
    zaak: dict[str, Any] = {
        "zaaktype": kind.zaaktype, "bronorganisatie": kind.rsin, "verantwoordelijkeOrganisatie": kind.rsin,
        "startdatum": start.isoformat(), "registratiedatum": start.isoformat(),
        "omschrijving": _text(run.definition.case.get("omschrijving"), data, OMSCHRIJVING_LIMIT)
        or run.definition.title[:OMSCHRIJVING_LIMIT],
        "toelichting": _text(run.definition.case.get("toelichting"), data, TOELICHTING_LIMIT),
        "kenmerken": [{"kenmerk": str(aanvraag.id), "bron": "Plein"}],
        **({"betalingsindicatie": "nog_niet"} if fees.amount_cents(run) else {}),
    }
    deadline = _deadline(run, data) or cases.due_date(start, kind.doorlooptijd)
    if deadline is not None:
        zaak["uiterlijkeEinddatumAfdoening"] = deadline.isoformat()
    status = {"statustype": kind.statustypen[0], "datumStatusGezet": utcnow().isoformat(),
              "statustoelichting": "Ontvangen via Plein"}
    made = await cases.add_case(session, base_url, zaak, _rollen(run, kind), status, _eigenschappen(run, data),
                                _documents(run, kind, files))
    for bestand, key in zip(files, made.documents, strict=True):
        bestand.document_id = key
    aanvraag.due_on = deadline  # after the zaak's flush: written with the aanvraag's other changes
    aanvraag.zaak_id = made.zaak.id
    aanvraag.zaak_url = f"{base_url.rstrip('/')}/zaken/api/v1/zaken/{made.zaak.id}"
    aanvraag.zaak_identificatie = made.zaak.identificatie
    return made


def _deadline(run: Run, data: dict[str, Any]) -> dt.date | None:
    """The definition's own uiterlijke einddatum (case.uiterlijkeEinddatum), when it gives a date."""
    expression = run.definition.case.get("uiterlijkeEinddatum")
    value = logic.evaluate(expression, data) if expression is not None else None
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _text(expression: Any, data: dict[str, Any], limit: int) -> str:
    value = expression if isinstance(expression, str) else logic.evaluate(expression, data)
    return str(value or "")[:limit]


def _rollen(run: Run, kind: cases.CaseType) -> list[dict[str, Any]]:
    aanvraag = run.aanvraag
    initiator = kind.roltypen.get("initiator")
    if initiator is None:
        raise Conflict("the zaaktype has no roltype initiator for the applicant")
    rollen = [{"roltype": initiator, "roltoelichting": "Aanvrager", **_applicant_rol(run)}]
    for item in run.definition.case.get("betrokkenen") or []:
        roltype = kind.roltypen.get(item["roltype"])
        if roltype is None:
            raise Conflict(f"the zaaktype has no roltype {item['roltype']!r}")
        people = {str(person.get("burgerservicenummer")): person for person in _people(aanvraag.prefill)}
        for bsn in logic.evaluate(item["personen"], run.data()) or []:
            rollen.append({"roltype": roltype, "roltoelichting": item["roltype"],
                           "betrokkeneType": "natuurlijk_persoon",
                           "betrokkeneIdentificatie": _natuurlijk_persoon(str(bsn), people.get(str(bsn)))})
    return rollen


def _applicant_rol(run: Run) -> dict[str, Any]:
    aanvraag = run.aanvraag
    if aanvraag.subject_kind == "citizen":
        record = (aanvraag.prefill or {}).get("aanvrager")
        return {"betrokkeneType": "natuurlijk_persoon",
                "betrokkeneIdentificatie": _natuurlijk_persoon(aanvraag.subject, record)}
    if aanvraag.branch:
        return {"betrokkeneType": "vestiging", "betrokkeneIdentificatie": {
            "vestigingsNummer": aanvraag.branch, "handelsnaam": [aanvraag.display_name[:625]]}}
    return {"betrokkeneType": "niet_natuurlijk_persoon", "betrokkeneIdentificatie": {
        "annIdentificatie": aanvraag.subject, "statutaireNaam": aanvraag.display_name[:500]}}


def _people(prefill: dict[str, Any] | None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for value in (prefill or {}).values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and item.get("burgerservicenummer"):
                found.append(item)
    return found


def _natuurlijk_persoon(bsn: str, record: Any) -> dict[str, Any]:
    naam = nested(record, "naam") or {}
    identificatie = {"inpBsn": bsn}
    for source, target, limit in (("geslachtsnaam", "geslachtsnaam", 200), ("voorvoegsel", "voorvoegselGeslachtsnaam",
                                                                            80), ("voornamen", "voornamen", 200)):
        if naam.get(source):
            identificatie[target] = str(naam[source])[:limit]
    return identificatie


def _eigenschappen(run: Run, data: dict[str, Any]) -> dict[str, str]:
    formats = {item["naam"]: item["formaat"] for item in run.offer.zaaktype().get("eigenschappen") or []}
    found = {}
    for naam, expression in (run.definition.case.get("eigenschappen") or {}).items():
        value = logic.evaluate(expression, data)
        if value not in (None, "", []):
            found[naam] = eigenschap_waarde(value, formats.get(naam, "tekst"))
    return found


def eigenschap_waarde(value: Any, formaat: str) -> str:
    """A value as a zaakeigenschap holds it: dates as YYYYMMDD (ztc-015), numbers with a comma, booleans ja/nee."""
    if formaat == "datum":
        return str(value)[:10].replace("-", "")
    if formaat == "datum_tijd":
        return "".join(ch for ch in str(value)[:19] if ch.isdigit())
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float):
        return (str(int(value)) if value == int(value) else str(value)).replace(".", ",")
    return str(value)


def _documents(run: Run, kind: cases.CaseType, files: Sequence[Bestand]) -> list[cases.CaseDocument]:
    made = []
    for bestand in files:
        question: Question = run.definition.questions[bestand.question]
        informatieobjecttype = kind.informatieobjecttypen.get(question.spec["informatieobjecttype"])
        if informatieobjecttype is None:
            raise Conflict(f"the zaaktype has no informatieobjecttype {question.spec['informatieobjecttype']!r}")
        data = {"bronorganisatie": kind.rsin, "creatiedatum": run.day.isoformat(),
                "titel": f"{question.label}"[:200], "auteur": (run.aanvraag.display_name or "Aanvrager")[:200],
                "taal": "nld", "informatieobjecttype": informatieobjecttype, "bestandsnaam": bestand.filename[:255],
                "formaat": bestand.formaat, "ontvangstdatum": run.day.isoformat(), "indicatieGebruiksrecht": False}
        made.append(cases.CaseDocument(data, bestand.storage_key, bestand.size))
    return made


async def files_of(session: AsyncSession, aanvraag: Aanvraag) -> list[Bestand]:
    """The uploads that the aanvraag's answers name (earlier uploads that were replaced are left out)."""
    wanted = {str(value["bestand"]) for value in aanvraag.answers.values()
              if isinstance(value, dict) and value.get("bestand")}
    rows = await session.scalars(select(Bestand).where(Bestand.aanvraag_id == aanvraag.id)
                                 .order_by(Bestand.created_at))
    return [row for row in rows if str(row.id) in wanted]


async def close(session: AsyncSession, run: Run, base_url: str, granted: bool, reason: str
                ) -> tuple[Zaak, cases.CaseType]:
    """Give the zaak the outcome's resultaat and its eindstatus (of the zaak's own zaaktype), with the text the
    citizen reads; the zaak and its case type, for the effects that add to it."""
    aanvraag = run.aanvraag
    outcome = run.definition.decision["toegekend" if granted else "afgewezen"]
    assert aanvraag.zaak_id is not None
    zaak, kind = await cases.zaak_with_type(session, base_url, aanvraag.zaak_id)
    resultaattype = kind.resultaattypen.get(outcome["resultaattype"])
    if resultaattype is None:
        raise Conflict(f"the zaak cannot be closed: its zaaktype has no resultaattype {outcome['resultaattype']!r}")
    text = outcome["statustekst"] + (f" {reason}" if reason else "")
    await cases.close_case(session, base_url, zaak, {"resultaattype": resultaattype, "toelichting": text[:1000]},
                           {"statustype": kind.statustypen[-1], "datumStatusGezet": utcnow().isoformat(),
                            "statustoelichting": text[:1000]})
    return zaak, kind
