"""The transactional outbox: a notification commits and rolls back with its change; deliveries follow the filters."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import InvalidInput
from plein.identifiers import oin_for_rsin
from plein.notifications import service
from plein.notifications.models import Delivery, Kanaal, Message
from plein.organisations.models import Organisation
from tests.notifications.helpers import RSIN, deliveries, publish_zaak, subscribe


async def count(session: AsyncSession, model: type[Message] | type[Delivery]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_rolled_back_change_never_notifies(session: AsyncSession) -> None:
    await subscribe(session, "http://127.0.0.1:9/a")
    session.add(Organisation(code="x-rollback", name="Rolled back", slug="rolled-back", oin="1" * 20, rsin="1" * 9,
                             kind="vendor"))
    await publish_zaak(session)
    await session.rollback()
    assert await count(session, Message) == 0
    assert await count(session, Delivery) == 0
    assert await session.scalar(select(Organisation).where(Organisation.code == "x-rollback")) is None


async def test_a_committed_change_has_its_message_and_deliveries(session: AsyncSession) -> None:
    first = await subscribe(session, "http://127.0.0.1:9/a")
    second = await subscribe(session, "http://127.0.0.1:9/b", format="cloudevents")
    session.add(Organisation(code="x-commit", name="Committed", slug="committed", oin="2" * 20, rsin="2" * 9,
                             kind="vendor"))
    message = await publish_zaak(session)
    await session.commit()
    assert await count(session, Message) == 1
    rows = await deliveries(session)
    assert {row.abonnement_id for row in rows} == {first.id, second.id}
    assert {row.status for row in rows} == {"pending"} and all(row.attempts == 0 for row in rows)
    assert message.source_oin == oin_for_rsin(RSIN)
    assert message.aanmaakdatum.tzinfo is not None


async def test_standard_kanalen_are_registered_on_first_use(session: AsyncSession) -> None:
    await publish_zaak(session)
    await session.commit()
    kanaal = await session.scalar(select(Kanaal).where(Kanaal.naam == "zaken"))
    assert kanaal is not None
    assert kanaal.filters == ["bronorganisatie", "zaaktype", "vertrouwelijkheidaanduiding"]
    names = [k.naam for k in await service.list_kanalen(session)]
    assert {"zaken", "documenten", "besluiten", "autorisaties"} <= set(names)


async def test_filters_choose_the_abonnementen(session: AsyncSession) -> None:
    openbaar = await subscribe(session, "http://127.0.0.1:9/o", filters={"vertrouwelijkheidaanduiding": "openbaar"})
    anything = await subscribe(session, "http://127.0.0.1:9/s", filters={"vertrouwelijkheidaanduiding": "*"})
    other_org = await subscribe(session, "http://127.0.0.1:9/x", filters={"bronorganisatie": "123456782"})
    elsewhere = await subscribe(session, "http://127.0.0.1:9/d", kanaal="documenten")
    gone = await subscribe(session, "http://127.0.0.1:9/g")
    await service.delete_abonnement(session, gone)
    await publish_zaak(session, 1, vertrouwelijkheidaanduiding="openbaar")
    await publish_zaak(session, 2, vertrouwelijkheidaanduiding="geheim")
    await session.commit()
    by_message: dict[int, set[object]] = {}
    for row in await deliveries(session):
        by_message.setdefault(row.message_id, set()).add(row.abonnement_id)
    first, second = sorted(by_message)
    assert by_message[first] == {openbaar.id, anything.id}
    assert by_message[second] == {anything.id}
    assert other_org.id not in by_message[first] | by_message[second]
    assert elsewhere.id not in by_message[first] | by_message[second]


async def test_bad_notifications_are_refused_naming_the_field(session: AsyncSession) -> None:
    with pytest.raises(InvalidInput) as caught:
        await service.publish(session, kanaal="nergens", hoofd_object="niet-een-url", resource="",
                              resource_url="ftp://x/y", actie="create", kenmerken={"a": ""},
                              aanmaakdatum=dt.datetime(2026, 1, 1))
    names = {param.name for param in caught.value.invalid_params}
    assert names == {"hoofdObject", "resource", "resourceUrl", "aanmaakdatum", "kenmerken.a"}
    with pytest.raises(InvalidInput) as unknown:
        await service.publish(session, kanaal="nergens", hoofd_object="http://x/1", resource="zaak",
                              resource_url="http://x/1", actie="create", kenmerken={})
    assert [param.name for param in unknown.value.invalid_params] == ["kanaal"]


async def test_abonnement_input_is_checked(session: AsyncSession) -> None:
    with pytest.raises(InvalidInput) as caught:
        await service.create_abonnement(
            session, callback_url="javascript:alert(1)", auth="", format="xml",
            kanalen=[service.KanaalFilter("zaken", {"kleur": "rood"}), service.KanaalFilter("bestaat-niet")])
    names = {param.name for param in caught.value.invalid_params}
    assert names == {"callbackUrl", "auth", "format"}
    with pytest.raises(InvalidInput) as kanalen:
        await service.create_abonnement(
            session, callback_url="https://ontvanger.example/notificaties", auth="Bearer x",
            kanalen=[service.KanaalFilter("zaken", {"kleur": "rood"}), service.KanaalFilter("bestaat-niet")])
    assert {param.name for param in kanalen.value.invalid_params} == {"kanalen.0.filters.kleur", "kanalen.1.naam"}


async def test_kanalen_have_unique_names(session: AsyncSession) -> None:
    kanaal = await service.create_kanaal(session, "adopties", "https://plein.example/docs/adopties", ["gemeente"])
    assert kanaal.filters == ["gemeente"]
    with pytest.raises(InvalidInput) as caught:
        await service.create_kanaal(session, "adopties")
    assert [param.name for param in caught.value.invalid_params] == ["naam"]
    with pytest.raises(InvalidInput) as bad:
        await service.create_kanaal(session, "x" * 51, "geen-url", ["a", "a", ""])
    assert {param.name for param in bad.value.invalid_params} == {"naam", "documentatieLink", "filters.2", "filters"}
