"""The curator's and the publisher's pages over HTTP, without JavaScript: the admission policy with its versions, the
list of standards, publishing a package through the upload form, and withdrawing a release with a reason."""

from __future__ import annotations

import html
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from plein.app import create_app, dispose_engines
from plein.apps import package_path
from plein.organisations.service import create_organisation
from plein.settings import Settings
from plein.store import adoptions, policy
from tests.factories import AMSTERDAM, UTRECHT, make_package, zip_folder
from tests.store.helpers import SYSTEM, publish_folder
from tests.web.test_pages import log_in

APP = "verhuizing-doorgeven"
REPORT = f"/apps/{APP}/releases/2.0.0"


async def curator(client: httpx.AsyncClient, session: AsyncSession) -> str:
    await create_organisation(session, "plein", "Plein", kind="cooperation")
    return await log_in(client, session, "curator", [("plein", "curator")])


def text(response: httpx.Response) -> str:
    return html.unescape(response.text)


# --- the admission policy --------------------------------------------------------------------------------


async def test_everyone_reads_the_policy_only_a_curator_changes_it(client: httpx.AsyncClient,
                                                                 session: AsyncSession) -> None:
    public = text(await client.get("/toelatingsbeleid"))
    assert "Geldende versie" in public and "licence.not-open" in public and "archive.*" in public
    assert 'action="/toelatingsbeleid"' not in public
    token = await log_in(client, session, "uitgever", [(AMSTERDAM, "publisher")])
    refused = await client.post("/toelatingsbeleid", data={"licence.not-open": "error", "reason": "Strenger graag.",
                                                           "csrf_token": token})
    assert refused.status_code == 403
    assert (await policy.current(session)).version == 1


async def test_a_curator_sets_a_new_version_with_a_reason(client: httpx.AsyncClient, session: AsyncSession,
                                                          tmp_path: Path) -> None:
    token = await curator(client, session)
    page = text(await client.get("/toelatingsbeleid"))
    assert 'action="/toelatingsbeleid"' in page and 'name="licence.not-open"' in page
    assert 'name="archive.too-large"' not in page and 'name="data.unknown-field"' not in page
    no_token = await client.post("/toelatingsbeleid", data={"licence.not-open": "error", "reason": "Strenger graag."})
    assert no_token.status_code == 403
    no_reason = await client.post("/toelatingsbeleid", data={"licence.not-open": "error", "csrf_token": token})
    assert no_reason.status_code == 400
    assert 'id="reason-error"' in no_reason.text and 'href="#reason"' in no_reason.text
    assert '<option value="error" selected>' in no_reason.text  # the choice is kept
    saved = await client.post("/toelatingsbeleid", data={"licence.not-open": "error", "csrf_token": token,
                                                         "reason": "Alleen open source in de store."})
    assert saved.status_code == 303 and saved.headers["location"] == "/toelatingsbeleid/versies/2"
    version = text(await client.get("/toelatingsbeleid/versies/2"))
    assert "Alleen open source in de store." in version and "licence.not-open" in version
    assert "Zoals de controle" in version and "Fout" in version
    history = text(await client.get("/toelatingsbeleid/versies"))
    assert "Versie 2" in history and "Versie 1" in history
    assert (await client.get("/toelatingsbeleid/versies/99")).status_code == 404

    await publish_folder(session, package_path(APP))
    report = text(await client.get(REPORT))
    assert 'href="/toelatingsbeleid/versies/2">Versie 2</a>' in report


# --- the list of standards -------------------------------------------------------------------------------


async def test_a_curator_keeps_the_list_of_standards(client: httpx.AsyncClient, session: AsyncSession) -> None:
    token = await curator(client, session)
    bad = await client.post("/standaarden", data={"alias": "Teststandaard", "title": "Test",
                                                  "url": "javascript:alert(1)", "csrf_token": token})
    assert bad.status_code == 400
    assert 'id="alias-error"' in bad.text and 'id="url-error"' in bad.text and 'id="title-error"' not in bad.text
    added = await client.post("/standaarden", data={"alias": "test-standaard-1", "title": "Teststandaard",
                                                    "url": "https://example.org/test", "csrf_token": token})
    assert added.status_code == 303
    listing = text(await client.get("/standaarden"))
    assert "test-standaard-1" in listing and 'href="https://example.org/test"' in listing
    twice = await client.post("/standaarden", data={"alias": "test-standaard-1", "title": "Nog eens",
                                                    "url": "https://example.org/2", "csrf_token": token})
    assert twice.status_code == 409 and "staat al op de lijst" in text(twice)
    form = await client.get("/standaarden/test-standaard-1")
    assert form.status_code == 200 and 'value="Teststandaard"' in form.text
    changed = await client.post("/standaarden/test-standaard-1", data={
        "alias": "test-standaard-2", "title": "Teststandaard 2", "url": "https://example.org/2", "csrf_token": token})
    assert changed.status_code == 303
    removed = await client.post("/standaarden/test-standaard-2/verwijderen", data={"csrf_token": token})
    assert removed.status_code == 303
    after = text(await client.get("/standaarden"))
    assert "staat niet meer op de lijst" in after and ">test-standaard-2</code>" not in after


async def test_others_read_the_list_but_cannot_change_it(client: httpx.AsyncClient, session: AsyncSession) -> None:
    token = await log_in(client, session, "beheerder", [(AMSTERDAM, "beheerder")])
    page = text(await client.get("/standaarden"))
    assert 'action="/standaarden"' not in page
    refused = await client.post("/standaarden", data={"alias": "eigen-1", "title": "Eigen",
                                                      "url": "https://example.org", "csrf_token": token})
    assert refused.status_code == 403


# --- publishing through the page -------------------------------------------------------------------------


async def test_publishing_needs_a_login_and_the_publisher_role(client: httpx.AsyncClient,
                                                               session: AsyncSession) -> None:
    anonymous = await client.get("/publiceren")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=%2Fpubliceren")
    await log_in(client, session, "beheerder", [(AMSTERDAM, "beheerder")])
    assert (await client.get("/publiceren")).status_code == 403


async def test_a_publisher_uploads_a_package_and_sees_its_report(client: httpx.AsyncClient,
                                                                 session: AsyncSession) -> None:
    token = await log_in(client, session, "uitgever", [(AMSTERDAM, "publisher")])
    page = text(await client.get("/publiceren"))
    assert 'enctype="multipart/form-data"' in page and '<option value="0363"' in page
    archive = zip_folder(package_path(APP))
    published = await client.post("/publiceren", data={"publisher": AMSTERDAM, "csrf_token": token},
                                  files={"pakket": ("verhuizing.zip", archive, "application/zip")})
    assert published.status_code == 303 and published.headers["location"] == REPORT
    report = text(await client.get(REPORT))
    assert "is toegelaten en staat in de store" in report and "Toegelaten." in report
    mine = text(await client.get("/publiceren"))
    assert f'href="{REPORT}"' in mine
    again = await client.post("/publiceren", data={"publisher": AMSTERDAM, "csrf_token": token},
                              files={"pakket": ("verhuizing.zip", archive, "application/zip")})
    assert again.status_code == 409 and "already exists" in again.text
    no_token = await client.post("/publiceren", data={"publisher": AMSTERDAM},
                                 files={"pakket": ("verhuizing.zip", archive, "application/zip")})
    assert no_token.status_code == 403


async def test_the_upload_form_names_what_is_wrong(client: httpx.AsyncClient, session: AsyncSession) -> None:
    token = await log_in(client, session, "uitgever", [(AMSTERDAM, "publisher")])
    archive = zip_folder(package_path(APP))
    other = await client.post("/publiceren", data={"publisher": UTRECHT, "csrf_token": token},
                              files={"pakket": ("verhuizing.zip", archive, "application/zip")})
    assert other.status_code == 400 and 'id="publisher-error"' in other.text
    missing = await client.post("/publiceren", data={"publisher": AMSTERDAM, "csrf_token": token})
    assert missing.status_code == 400 and 'id="pakket-error"' in missing.text
    garbage = await client.post("/publiceren", data={"publisher": AMSTERDAM, "csrf_token": token},
                                files={"pakket": ("pakket.zip", b"geen archief", "application/zip")})
    assert garbage.status_code == 400 and "archive.format" in garbage.text and 'href="#pakket"' in garbage.text


async def test_the_upload_has_the_api_size_limit(settings: Settings, session: AsyncSession) -> None:
    small = create_app(settings.model_copy(update={"store_max_archive_bytes": 2000}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=small), base_url="http://plein.test") as client:
        token = await log_in(client, session, "uitgever", [(AMSTERDAM, "publisher")])
        large = await client.post("/publiceren", data={"publisher": AMSTERDAM, "csrf_token": token},
                                  files={"pakket": ("groot.zip", b"x" * 3000, "application/zip")})
        assert large.status_code == 413
        assert 'id="pakket-error"' in large.text and "groter dan 2.000 bytes" in text(large)
    await dispose_engines(small)


async def test_a_publisher_sees_only_their_own_releases(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_folder(session, package_path(APP), publisher=UTRECHT)
    await log_in(client, session, "uitgever", [(AMSTERDAM, "publisher")])
    page = text(await client.get("/publiceren"))
    assert "Uw organisaties hebben nog geen versies gepubliceerd." in page and REPORT not in page


# --- withdrawing a release -------------------------------------------------------------------------------


async def test_a_publisher_withdraws_a_release_and_adopters_see_it(client: httpx.AsyncClient, session: AsyncSession,
                                                                   tmp_path: Path) -> None:
    await publish_folder(session, package_path(APP))
    await publish_folder(session, make_package(tmp_path, version="2.1.0"))
    adoption = await adoptions.adopt(session, UTRECHT, APP, {}, SYSTEM, version="2.0.0", activate=True)
    adoption_page = f"/gemeenten/{UTRECHT}/apps/{adoption.id}"
    token = await log_in(client, session, "uitgever", [(AMSTERDAM, "publisher")])
    report = text(await client.get(REPORT))
    assert f'href="{REPORT}/intrekken"' in report
    confirm = text(await client.get(f"{REPORT}/intrekken"))
    assert "Deze gemeenten gebruiken versie 2.0.0: Utrecht" in confirm
    short = await client.post(f"{REPORT}/intrekken", data={"reason": "kort", "csrf_token": token})
    assert short.status_code == 400 and 'id="reason-error"' in short.text and "kort</textarea>" in short.text
    done = await client.post(f"{REPORT}/intrekken", data={"reason": "Een fout in de termijnberekening.",
                                                          "csrf_token": token})
    assert done.status_code == 303
    withdrawn = text(await client.get(REPORT))
    assert "Ingetrokken door de uitgever op" in withdrawn and "Een fout in de termijnberekening." in withdrawn
    assert f'href="{REPORT}/intrekken"' not in withdrawn
    adopter = text(await client.get(adoption_page))
    assert "De uitgever heeft versie 2.0.0 op" in adopter and "Een fout in de termijnberekening." in adopter
    assert "(ingetrokken door de uitgever op" in text(await client.get(f"/gemeenten/{UTRECHT}/apps"))
    assert "Ingetrokken</span>" in text(await client.get(f"/apps/{APP}"))
    served = (await client.get(f"/api/store/v1/apps/{APP}/releases/2.0.0")).json()
    assert served["withdrawnReason"] == "Een fout in de termijnberekening." and served["withdrawnAt"]


async def test_only_the_publisher_withdraws(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await publish_folder(session, package_path(APP))
    token = await log_in(client, session, "uitgever.utrecht", [(UTRECHT, "publisher")])
    assert f'href="{REPORT}/intrekken"' not in text(await client.get(REPORT))
    assert (await client.get(f"{REPORT}/intrekken")).status_code == 403
    refused = await client.post(f"{REPORT}/intrekken", data={"reason": "Niet van mij, toch weg.",
                                                             "csrf_token": token})
    assert refused.status_code == 403
    assert "Ingetrokken" not in text(await client.get(REPORT))
