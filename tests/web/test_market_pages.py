"""The store's marketplace pages over HTTP, without JavaScript: what an app costs the beheerder's municipality, the
review form with its refusals and errors, the advisory banner with the upgrade to the fixed version, and the
publish form for advisories."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from plein.db import utcnow
from plein.store import adoptions, advisories
from plein.store.models import Adoption
from tests.factories import AMSTERDAM, UTRECHT, make_package
from tests.store.helpers import SYSTEM, publish_built_in, publish_folder
from tests.web.test_pages import log_in

APP = "verhuizing-doorgeven"
VECTOR = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:L/A:N"


async def per_inhabitant_app(session: AsyncSession, tmp_path: Path) -> None:
    await publish_folder(session, make_package(tmp_path, manifest={"pricing": {"model": "per-inhabitant",
                                                                               "amountEur": 0.25}}))


async def test_the_app_page_shows_the_beheerder_what_it_costs(client: httpx.AsyncClient, session: AsyncSession,
                                                              tmp_path: Path) -> None:
    await per_inhabitant_app(session, tmp_path)
    anonymous = (await client.get(f"/apps/{APP}")).text
    assert "Wat deze app uw gemeente kost" not in anonymous
    token = await log_in(client, session, "beheerder.amsterdam", [(AMSTERDAM, "beheerder")])
    response = await client.post(f"/gemeenten/{AMSTERDAM}/inwoners",
                                 data={"inhabitants": "931.298", "csrf_token": token})
    assert response.status_code == 303
    page = html.unescape((await client.get(f"/apps/{APP}")).text)
    assert "Wat deze app uw gemeente kost" in page
    assert "€ 232.824,50" in page  # 931,298 x 0.25
    assert "931.298 inwoners, vastgesteld door de gemeente" in page


async def test_the_apps_page_totals_the_year_and_the_inhabitant_form_names_its_error(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    await per_inhabitant_app(session, tmp_path)
    await adoptions.adopt(session, AMSTERDAM, APP, {}, SYSTEM)
    token = await log_in(client, session, "beheerder.amsterdam", [(AMSTERDAM, "beheerder")])
    bad = await client.post(f"/gemeenten/{AMSTERDAM}/inwoners", data={"inhabitants": "veel", "csrf_token": token})
    assert bad.status_code == 400
    assert 'id="inhabitants-error"' in bad.text and 'aria-invalid="true"' in bad.text
    await client.post(f"/gemeenten/{AMSTERDAM}/inwoners", data={"inhabitants": "1000", "csrf_token": token})
    page = html.unescape((await client.get(f"/gemeenten/{AMSTERDAM}/apps")).text)
    assert "Per jaar, alle apps samen" in page and "€ 250,00" in page


async def test_a_review_through_the_form(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_built_in(session, APP)
    adoption = await adoptions.adopt(session, UTRECHT, APP, {}, SYSTEM, activate=True)
    token = await log_in(client, session, "beheerder.utrecht", [(UTRECHT, "beheerder")])
    early = html.unescape((await client.get(f"/apps/{APP}")).text)
    assert "Utrecht kan deze app beoordelen vanaf" in early and 'action="/apps/verhuizing-doorgeven/beoordel' \
        not in early
    await session.execute(update(Adoption).where(Adoption.id == adoption.id)
                          .values(activated_at=utcnow() - dt.timedelta(days=40)))
    await session.commit()
    missing = await client.post(f"/apps/{APP}/beoordelingen/{UTRECHT}", data={"text": "Goed", "csrf_token": token})
    assert missing.status_code == 400
    assert 'id="rating-0344-error"' in missing.text and "Goed</textarea>" in missing.text
    saved = await client.post(f"/apps/{APP}/beoordelingen/{UTRECHT}",
                              data={"rating": "4", "text": "Inwoners vinden het makkelijk.", "csrf_token": token})
    assert saved.status_code == 303
    page = html.unescape((await client.get(f"/apps/{APP}")).text)
    assert "Inwoners vinden het makkelijk." in page and "4,0 van 5 (1 beoordeling)" in page
    assert "Versie 2.0.0" in page
    listing = html.unescape((await client.get("/", params={"sort": "rating"})).text)
    assert "4,0 van 5 (1 beoordeling)" in listing and '<option value="rating" selected>' in listing


async def test_the_banner_and_the_upgrade_to_the_fixed_version(client: httpx.AsyncClient, session: AsyncSession,
                                                               tmp_path: Path) -> None:
    await publish_built_in(session, APP)
    await publish_folder(session, make_package(tmp_path, version="2.1.0"))
    adoption = await adoptions.adopt(session, AMSTERDAM, APP, {}, SYSTEM, version="2.0.0")
    await advisories.publish(session, APP, advisories.AdvisoryInput(
        affected="<2.1.0", cvss=VECTOR, summary="Formulier lekt adressen", details="Upgrade.", fixed="2.1.0"),
        SYSTEM, "http://plein.test")
    token = await log_in(client, session, "beheerder.amsterdam", [(AMSTERDAM, "beheerder")])
    apps = html.unescape((await client.get(f"/gemeenten/{AMSTERDAM}/apps")).text)
    assert "Bekende kwetsbaarheden in apps van Amsterdam" in apps and "Formulier lekt adressen" in apps
    page = (await client.get(f"/gemeenten/{AMSTERDAM}/apps/{adoption.id}")).text
    assert "Upgraden naar 2.1.0" in page
    upgraded = await client.post(f"/gemeenten/{AMSTERDAM}/apps/{adoption.id}/upgraden",
                                 data={"version": "2.1.0", "csrf_token": token})
    assert upgraded.status_code == 303
    after = html.unescape((await client.get(f"/gemeenten/{AMSTERDAM}/apps")).text)
    assert "Bekende kwetsbaarheden" not in after


async def test_the_publisher_publishes_an_advisory_through_the_form(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await publish_built_in(session, APP)
    token = await log_in(client, session, "publisher.amsterdam", [(AMSTERDAM, "publisher")])
    form = f"/apps/{APP}/beveiligingsmeldingen/nieuw"
    assert (await client.get(form)).status_code == 200
    data = {"affected": ">=2.0.0 <2.1.0", "cvss": "CVSS:3.1/AV:N", "summary": "Lek", "details": "Details",
            "csrf_token": token}
    refused = await client.post(form, data=data)
    assert refused.status_code == 400 and 'id="cvss-error"' in refused.text and 'value="&gt;=2.0.0 &lt;2.1.0"' \
        in refused.text
    published = await client.post(form, data={**data, "cvss": VECTOR})
    assert published.status_code == 303
    page = html.unescape((await client.get(published.headers["location"])).text)
    assert "PLEIN-" in page and ": Lek" in page and "Hoog (8,2)" in page


async def test_the_publisher_corrects_an_advisory_through_the_form(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await publish_built_in(session, APP)
    token = await log_in(client, session, "publisher.amsterdam", [(AMSTERDAM, "publisher")])
    data = {"affected": ">=2.0.0 <2.1.0", "cvss": VECTOR, "summary": "Lek", "details": "Details", "csrf_token": token}
    published = await client.post(f"/apps/{APP}/beveiligingsmeldingen/nieuw", data=data)
    form = published.headers["location"] + "/corrigeren"
    shown = html.unescape((await client.get(form)).text)
    assert 'value=">=2.0.0 <2.1.0"' in shown and 'value="Lek"' in shown  # the form starts from what was published
    without_reason = await client.post(form, data={**data, "affected": ">=1.0.0 <2.1.0"})
    assert without_reason.status_code == 400 and 'id="reason-error"' in without_reason.text
    corrected = await client.post(form, data={**data, "affected": ">=1.0.0 <2.1.0", "reason": "Ook 1.x is getroffen"})
    assert corrected.status_code == 303
    page = html.unescape((await client.get(corrected.headers["location"])).text)
    assert "Ook 1.x is getroffen" in page and ">=1.0.0 <2.1.0" in page  # the history keeps the reason
    advisory = await advisories.get_advisory(session, published.headers["location"].rsplit("/", 1)[1])
    await session.refresh(advisory)
    assert advisory.affected == ">=1.0.0 <2.1.0"
