"""Zaken, documents and besluiten between municipalities: a client creates them only for the organisation it acts
for, a notification reaches only subscribers that may read the zaak, and the generated identificatie never collides
with one a client chose (of another organisation's series, or of its own)."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein import clock
from plein.notifications.models import Abonnement, Delivery, Message
from plein.organisations import service as organisations
from tests.factories import AMSTERDAM, UTRECHT, client_headers
from tests.notifications.helpers import subscribe
from tests.zgw.besluiten import helpers as besluiten
from tests.zgw.catalogi.helpers import RSIN
from tests.zgw.documenten import helpers as documenten
from tests.zgw.helpers import all_rights
from tests.zgw.zaken.helpers import BASE, CRS, published_zaaktype, zaak_body

AUTORISATIES = "/autorisaties/api/v1"


async def rsin(session: AsyncSession, code: str) -> str:
    return (await organisations.get_by_code(session, code)).rsin


async def create(client: httpx.AsyncClient, headers: dict[str, str], zaaktype: str, bron: str,
                 **extra: str) -> httpx.Response:
    body = zaak_body(zaaktype, bronorganisatie=bron, verantwoordelijkeOrganisatie=bron, **extra)
    return await client.post(f"{BASE}/zaken", json=body, headers=headers | CRS)


async def test_a_client_creates_zaken_only_for_its_own_organisation(client: httpx.AsyncClient,
                                                                   session: AsyncSession) -> None:
    admin = await all_rights(session)
    zaaktype = await published_zaaktype(client, admin)
    amsterdam, utrecht = await rsin(session, AMSTERDAM), await rsin(session, UTRECHT)
    of_utrecht = await client_headers(session, "utrecht-zaken", UTRECHT, [], all_rights=True)
    refused = await create(client, of_utrecht, zaaktype.url, amsterdam)
    assert refused.status_code == 403 and "bronorganisatie" in refused.json()["detail"]
    assert (await create(client, of_utrecht, zaaktype.url, utrecht)).status_code == 201


async def test_a_client_of_no_organisation_creates_zaken_for_the_zaaktypes_catalogus(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await all_rights(session)
    zaaktype = await published_zaaktype(client, admin)  # in a catalogus of RSIN
    allowed = {"clientIds": ["alleen-zt1"], "label": "Alleen ZT-1", "heeftAlleAutorisaties": False,
               "autorisaties": [{"component": "zrc", "scopes": ["zaken.aanmaken", "zaken.lezen"],
                                 "zaaktype": zaaktype.url, "maxVertrouwelijkheidaanduiding": "geheim"}]}
    assert (await client.post(f"{AUTORISATIES}/applicaties", json=allowed, headers=admin)).status_code == 201
    limited = await client_headers(session, "alleen-zt1", None, [])
    refused = await create(client, limited, zaaktype.url, await rsin(session, AMSTERDAM))
    assert refused.status_code == 403
    assert (await create(client, limited, zaaktype.url, RSIN)).status_code == 201


async def test_the_generator_skips_identificaties_a_client_chose(client: httpx.AsyncClient,
                                                                 session: AsyncSession) -> None:
    admin = await all_rights(session)
    zaaktype = await published_zaaktype(client, admin)
    amsterdam = await rsin(session, AMSTERDAM)
    of_amsterdam = await client_headers(session, "amsterdam-zaken", AMSTERDAM, [], all_rights=True)
    year = clock.today().year
    for number in (1, 3):
        chosen = await create(client, of_amsterdam, zaaktype.url, amsterdam, identificatie=f"ZAAK-{year}-{number:010d}")
        assert chosen.status_code == 201, chosen.text
    generated = await create(client, of_amsterdam, zaaktype.url, amsterdam)
    assert generated.status_code == 201, generated.text
    assert generated.json()["identificatie"] == f"ZAAK-{year}-0000000004"


async def test_a_notification_reaches_only_subscribers_that_may_read_the_zaak(client: httpx.AsyncClient,
                                                                             session: AsyncSession) -> None:
    admin = await all_rights(session)
    zaaktype = await published_zaaktype(client, admin)
    readers = {"clientIds": ["leest-zt1"], "label": "Leest ZT-1", "heeftAlleAutorisaties": False,
               "autorisaties": [{"component": "zrc", "scopes": ["zaken.lezen"], "zaaktype": zaaktype.url,
                                 "maxVertrouwelijkheidaanduiding": "zaakvertrouwelijk"}]}
    assert (await client.post(f"{AUTORISATIES}/applicaties", json=readers, headers=admin)).status_code == 201
    for owner in ("leest-zt1", "leest-niets"):
        await client_headers(session, owner, AMSTERDAM, [])
        await subscribe(session, f"https://{owner}.example/callback", owner=owner)
    await session.commit()
    for level in ("openbaar", "geheim"):
        made = await create(client, admin, zaaktype.url, RSIN, vertrouwelijkheidaanduiding=level)
        assert made.status_code == 201, made.text
    session.expire_all()
    delivered = (await session.execute(
        select(Abonnement.owner, Message.kenmerken).join(Delivery, Delivery.abonnement_id == Abonnement.id)
        .join(Message, Message.id == Delivery.message_id))).all()
    assert [(owner, kenmerken["vertrouwelijkheidaanduiding"]) for owner, kenmerken in delivered] == [
        ("leest-zt1", "openbaar")]


async def test_documents_and_besluiten_too_only_for_the_clients_organisation(client: httpx.AsyncClient,
                                                                            session: AsyncSession) -> None:
    types = await besluiten.setup(client, session)
    amsterdam, utrecht = await rsin(session, AMSTERDAM), await rsin(session, UTRECHT)
    of_utrecht = await client_headers(session, "utrecht-alles", UTRECHT, [], all_rights=True)
    for bron, status in ((amsterdam, 403), (utrecht, 201)):
        made = await client.post("/documenten/api/v1/enkelvoudiginformatieobjecten",
                                 json=documenten.document_body(types.iot, bronorganisatie=bron), headers=of_utrecht)
        assert made.status_code == status, made.text
        decided = await client.post("/besluiten/api/v1/besluiten", headers=of_utrecht | CRS,
                                    json=besluiten.besluit_body(types.besluittype, verantwoordelijkeOrganisatie=bron))
        assert decided.status_code == status, decided.text
