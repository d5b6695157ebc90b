"""Output shapes of Plein's notifications admin API (camelCase JSON); subscriber secrets are masked."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from plein.notifications.models import Abonnement, Attempt, Delivery, Message
from plein.notifications.service import masked


class Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class KanaalFilterOut(Schema):
    naam: str
    filters: dict[str, str]


class SubscriptionOut(Schema):
    id: uuid.UUID
    callback_url: str
    auth: str = Field(description="The Authorization header Plein sends, masked: it is the subscriber's secret.")
    format: str = Field(description="zgw (the ZGW notificatie) or cloudevents (NL GOV profile, structured mode).")
    owner: str | None = Field(description="client_id of the client that made the abonnement.")
    kanalen: list[KanaalFilterOut]
    created_at: dt.datetime
    deleted_at: dt.datetime | None

    @classmethod
    def of(cls, abonnement: Abonnement) -> SubscriptionOut:
        return cls(id=abonnement.id, callback_url=abonnement.callback_url, auth=masked(abonnement.auth),
                   format=abonnement.format, owner=abonnement.owner, created_at=abonnement.created_at,
                   deleted_at=abonnement.deleted_at,
                   kanalen=[KanaalFilterOut(naam=g.kanaal.naam, filters=g.filters) for g in abonnement.kanalen])


class MessageOut(Schema):
    id: int
    idempotency_key: uuid.UUID = Field(description="Sent as Idempotency-Key (and CloudEvent id) on every attempt.")
    kanaal: str
    hoofd_object: str
    resource: str
    resource_url: str
    actie: str
    aanmaakdatum: dt.datetime
    kenmerken: dict[str, Any]
    source_oin: str | None
    created_at: dt.datetime
    deliveries: dict[str, int] = Field(description="How many of its deliveries have each status.")

    @classmethod
    def of(cls, message: Message, counts: dict[str, int]) -> MessageOut:
        return cls(id=message.id, idempotency_key=message.uuid, kanaal=message.kanaal,
                   hoofd_object=message.hoofd_object, resource=message.resource, resource_url=message.resource_url,
                   actie=message.actie, aanmaakdatum=message.aanmaakdatum, kenmerken=message.kenmerken,
                   source_oin=message.source_oin, created_at=message.created_at, deliveries=counts)


class DeliveryOut(Schema):
    id: int
    message_id: int
    idempotency_key: uuid.UUID
    kanaal: str
    resource: str
    actie: str
    subscription_id: uuid.UUID
    callback_url: str
    format: str
    status: str = Field(description="pending, delivering, delivered or parked.")
    attempts: int = Field(description="Attempts made, over all rounds (a resend starts a new round).")
    next_attempt_at: dt.datetime | None
    last_error: str | None
    last_status_code: int | None
    locked_by: str | None = Field(description="The worker sending it now (status delivering).")
    locked_until: dt.datetime | None
    delivered_at: dt.datetime | None
    parked_at: dt.datetime | None
    created_at: dt.datetime

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryOut:
        message, abonnement = delivery.message, delivery.abonnement
        waiting = delivery.status in ("pending", "delivering")
        return cls(
            id=delivery.id, message_id=message.id, idempotency_key=message.uuid, kanaal=message.kanaal,
            resource=message.resource, actie=message.actie, subscription_id=abonnement.id,
            callback_url=abonnement.callback_url, format=abonnement.format, status=delivery.status,
            attempts=delivery.attempts, next_attempt_at=delivery.next_attempt_at if waiting else None,
            last_error=delivery.last_error, last_status_code=delivery.last_status_code, locked_by=delivery.locked_by,
            locked_until=delivery.locked_until, delivered_at=delivery.delivered_at, parked_at=delivery.parked_at,
            created_at=delivery.created_at)


class AttemptOut(Schema):
    number: int
    at: dt.datetime
    worker: str
    status_code: int | None = Field(description="The subscriber's HTTP status; empty when no answer came.")
    error: str | None
    duration_ms: int

    @classmethod
    def of(cls, attempt: Attempt) -> AttemptOut:
        return cls(number=attempt.number, at=attempt.at, worker=attempt.worker, status_code=attempt.status_code,
                   error=attempt.error, duration_ms=attempt.duration_ms)


class DeliveryDetail(DeliveryOut):
    history: list[AttemptOut] = Field(description="Every attempt, oldest first.")


class MessageDetail(MessageOut):
    delivery_list: list[DeliveryOut]


class DeliveryPage(Schema):
    results: list[DeliveryOut]
    next: str | None = Field(description="The next page's URL (keyset pagination); empty on the last page.")


class MessagePage(Schema):
    results: list[MessageOut]
    next: str | None = Field(description="The next page's URL (keyset pagination); empty on the last page.")
