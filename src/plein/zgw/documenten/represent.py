"""The Documenten resources in the standard's shapes, and the plain fields of a document version as the API names
them (request bodies are checked against the standard's schemas before their values reach these columns)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from plein.zgw.documenten.common import Links, iso_datetime, parse_date
from plein.zgw.documenten.models import (
    BestandsDeel,
    Gebruiksrechten,
    Informatieobject,
    InformatieobjectVersie,
    ObjectInformatieobject,
    Verzending,
)

# (API name, column, kind): kind "date" is an ISO date, "list" a JSON list (null shown as []), "str" a text
# (null stored as ""), "plain" anything else stored as given.
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("identificatie", "identificatie", "str"), ("bronorganisatie", "bronorganisatie", "str"),
    ("creatiedatum", "creatiedatum", "date"), ("titel", "titel", "str"),
    ("vertrouwelijkheidaanduiding", "vertrouwelijkheidaanduiding", "str"), ("auteur", "auteur", "str"),
    ("status", "status", "str"), ("formaat", "formaat", "str"), ("taal", "taal", "str"),
    ("bestandsnaam", "bestandsnaam", "str"), ("link", "link", "str"), ("beschrijving", "beschrijving", "str"),
    ("ontvangstdatum", "ontvangstdatum", "date"), ("verzenddatum", "verzenddatum", "date"),
    ("indicatieGebruiksrecht", "indicatie_gebruiksrecht", "plain"), ("verschijningsvorm", "verschijningsvorm", "str"),
    ("ondertekening", "ondertekening", "plain"), ("integriteit", "integriteit", "plain"),
    ("trefwoorden", "trefwoorden", "list"),
)
VERZENDING_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("betrokkene", "betrokkene", "str"), ("aardRelatie", "aard_relatie", "str"), ("toelichting", "toelichting", "str"),
    ("ontvangstdatum", "ontvangstdatum", "date"), ("verzenddatum", "verzenddatum", "date"),
    ("contactPersoon", "contact_persoon", "str"), ("contactpersoonnaam", "contactpersoonnaam", "str"),
    ("binnenlandsCorrespondentieadres", "binnenlands_correspondentieadres", "plain"),
    ("buitenlandsCorrespondentieadres", "buitenlands_correspondentieadres", "plain"),
    ("correspondentiePostadres", "correspondentie_postadres", "plain"), ("faxnummer", "faxnummer", "plain"),
    ("emailadres", "emailadres", "plain"), ("mijnOverheid", "mijn_overheid", "plain"),
    ("telefoonnummer", "telefoonnummer", "plain"),
)


def to_column(kind: str, value: Any) -> Any:
    if kind == "date":
        return parse_date(value)
    if kind == "list":
        return list(value or [])
    if kind == "str":
        return value if value is not None else ""
    return value


def to_api(kind: str, value: Any) -> Any:
    if kind == "date":
        return value.isoformat() if value is not None else None
    if kind == "list":
        return list(value or [])
    return value


def assign(row: Any, fields: Sequence[tuple[str, str, str]], data: dict[str, Any]) -> None:
    """Copy the fields a checked body has onto a row."""
    for api, attr, kind in fields:
        if api in data:
            setattr(row, attr, to_column(kind, data[api]))


def bestandsdeel(links: Links, part: BestandsDeel, lock: str | None = None) -> dict[str, Any]:
    shown: dict[str, Any] = {"url": links.url("bestandsdelen", part.id), "volgnummer": part.volgnummer,
                             "omvang": part.omvang, "voltooid": part.inhoud_key is not None}
    if lock is not None:
        shown["lock"] = lock
    return shown


def document(links: Links, canonical: Informatieobject, versie: InformatieobjectVersie,
             parts: Sequence[BestandsDeel] = (), lock: str | None = None) -> dict[str, Any]:
    """An enkelvoudiginformatieobject version; the bestandsdelen of an upload in progress show on the current one.
    `lock` is given only in the answer to the client that just took it (create with bestandsomvang)."""
    url = links.document(canonical.id)
    values = {api: to_api(kind, getattr(versie, attr)) for api, attr, kind in FIELDS}
    current = versie.versie == canonical.versie
    shown = {"url": url, **{name: values[name] for name in (
        "identificatie", "bronorganisatie", "creatiedatum", "titel", "vertrouwelijkheidaanduiding", "auteur",
        "status", "formaat", "taal")}}
    shown.update({
        "versie": versie.versie, "beginRegistratie": iso_datetime(versie.begin_registratie),
        "bestandsnaam": values["bestandsnaam"],
        "inhoud": f"{url}/download?versie={versie.versie}" if versie.inhoud_key else None,
        "bestandsomvang": versie.bestandsomvang,
    })
    shown.update({name: values[name] for name in (
        "link", "beschrijving", "ontvangstdatum", "verzenddatum", "indicatieGebruiksrecht", "verschijningsvorm",
        "ondertekening", "integriteit")})
    shown.update({
        "informatieobjecttype": links.informatieobjecttype(versie.informatieobjecttype_id),
        "locked": bool(canonical.lock),
        "bestandsdelen": [bestandsdeel(links, part, lock) for part in parts] if current else [],
        "trefwoorden": values["trefwoorden"],
    })
    if lock is not None:
        shown["lock"] = lock
    return shown


def gebruiksrechten(links: Links, row: Gebruiksrechten) -> dict[str, Any]:
    return {"url": links.url("gebruiksrechten", row.id), "informatieobject": links.document(row.informatieobject_id),
            "startdatum": iso_datetime(row.startdatum), "einddatum": iso_datetime(row.einddatum),
            "omschrijvingVoorwaarden": row.omschrijving_voorwaarden}


def objectinformatieobject(links: Links, row: ObjectInformatieobject) -> dict[str, Any]:
    return {"url": links.url("objectinformatieobjecten", row.id),
            "informatieobject": links.document(row.informatieobject_id), "object": row.object,
            "objectType": row.object_type}


def verzending(links: Links, row: Verzending) -> dict[str, Any]:
    shown: dict[str, Any] = {"url": links.url("verzendingen", row.id)}
    values = {api: to_api(kind, getattr(row, attr)) for api, attr, kind in VERZENDING_FIELDS}
    shown["betrokkene"] = values.pop("betrokkene")
    shown["informatieobject"] = links.document(row.informatieobject_id)
    return shown | values


def weergave(versie: InformatieobjectVersie) -> str:
    """How the audit trail names a document."""
    return f"{versie.identificatie} - {versie.titel}"[:200]
