"""What a subscriber receives: the ZGW notificatie, or a CloudEvent 1.0 in the NL GOV profile (structured mode)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

ZGW_CONTENT_TYPE = "application/json"
CLOUDEVENTS_CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
IDEMPOTENCY_HEADER = "Idempotency-Key"
ACTIE_WORDS = {
    "create": "aangemaakt", "update": "gewijzigd", "partial_update": "gewijzigd", "destroy": "verwijderd",
}


@dataclass(frozen=True)
class Notification:
    """The parts of an outbox message that a subscriber sees."""

    uuid: str
    seq: int
    kanaal: str
    hoofd_object: str
    resource: str
    resource_url: str
    actie: str
    aanmaakdatum: dt.datetime
    kenmerken: dict[str, Any]
    source_oin: str | None


def timestamp(value: dt.datetime) -> str:
    """RFC 3339 in UTC with a Z, as both formats want it."""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def zgw_body(note: Notification) -> dict[str, Any]:
    """The notificatie as Notificaties API 1.0.0 routes it to abonnementen."""
    return {
        "kanaal": note.kanaal, "hoofdObject": note.hoofd_object, "resource": note.resource,
        "resourceUrl": note.resource_url, "actie": note.actie, "aanmaakdatum": timestamp(note.aanmaakdatum),
        "kenmerken": note.kenmerken,
    }


def event_type(kanaal: str, resource: str, actie: str) -> str:
    """`nl.plein.zaken.zaak-aangemaakt`: reverse-DNS prefix, kanaal, resource and the actie as a Dutch verb."""
    word = ACTIE_WORDS.get(actie, actie)
    return f"nl.plein.{_token(kanaal)}.{_token(resource)}-{_token(word)}"


def _token(text: str) -> str:
    return "".join(c if c.isascii() and c.isalnum() else "-" for c in text.lower()).strip("-") or "onbekend"


def source(oin: str) -> str:
    return f"urn:nld:oin:{oin}:systeem:plein"


def cloudevent(note: Notification, default_oin: str) -> dict[str, Any]:
    """A CloudEvent in the NL GOV profile: id, source (URN with the OIN), type, time, subject, dataref, sequence.

    The data is the ZGW notificatie, so a subscriber can switch formats without losing anything; it stays
    information-poor (URLs and kenmerken only), `dataref` points to the resource itself.
    """
    return {
        "specversion": "1.0",
        "id": note.uuid,
        "source": source(note.source_oin or default_oin),
        "type": event_type(note.kanaal, note.resource, note.actie),
        "time": timestamp(note.aanmaakdatum),
        "subject": _last_segment(note.hoofd_object),
        "dataref": note.resource_url,
        "sequence": str(note.seq),
        "sequencetype": "Integer",
        "datacontenttype": "application/json",
        "data": zgw_body(note),
    }


def _last_segment(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1] or url


def request_for(note: Notification, format_: str, auth: str, default_oin: str) -> tuple[bytes, dict[str, str]]:
    """The body and headers of the POST to a subscriber (the Idempotency-Key is the same on every attempt)."""
    if format_ == "cloudevents":
        body, content_type = cloudevent(note, default_oin), CLOUDEVENTS_CONTENT_TYPE
    else:
        body, content_type = zgw_body(note), ZGW_CONTENT_TYPE
    headers = {"Content-Type": content_type, IDEMPOTENCY_HEADER: note.uuid}
    if auth:
        headers["Authorization"] = auth
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(), headers
