"""Publishing releases over the API: admission, rejection with a kept report, duplicates, rights."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.store.models import App, Release
from tests.factories import AMSTERDAM, UTRECHT, client_headers, make_package, zip_folder

RELEASES = "/api/store/v1/releases"


async def publish(client: httpx.AsyncClient, headers: dict[str, str], folder: Path, publisher: str = AMSTERDAM):
    files = {"file": ("package.zip", zip_folder(folder), "application/zip")}
    return await client.post(RELEASES, files=files, data={"publisher": publisher}, headers=headers)


async def test_accepted_release_is_listed(client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path) -> None:
    headers = await client_headers(session, "publisher-ams", AMSTERDAM, ["publisher"])
    response = await publish(client, headers, make_package(tmp_path))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "accepted"
    assert body["report"]["verdict"] == "accepted"
    assert {check["id"] for check in body["report"]["checks"]} >= {"archive", "publiccode", "manifest", "licence"}
    assert len(body["report"]["sha256"]) == 64
    found = (await client.get("/api/store/v1/apps", params={"q": "verhuizing"})).json()
    assert [app["slug"] for app in found["results"]] == ["verhuizing-doorgeven"]


async def test_rejected_release_is_kept_for_its_publisher_only(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    headers = await client_headers(session, "publisher-ams", AMSTERDAM, ["publisher"])
    folder = make_package(tmp_path, service=False, manifest={"requires": {"data": [{
        "register": "brp", "fields": ["schoenmaat"], "activity": "verhuizing-verwerken",
        "purpose": "Een doel dat lang genoeg is", "legalBasis": "Wet BRP"}]}})
    response = await publish(client, headers, folder)
    assert response.status_code == 200
    report = response.json()["report"]
    assert report["verdict"] == "rejected"
    unknown = [f for f in report["findings"] if f["rule"] == "data.unknown-field"]
    assert unknown and unknown[0]["path"] == "requires.data[0].fields[0]" and unknown[0]["line"] > 1
    assert (await client.get("/api/store/v1/apps")).json()["total"] == 0
    public = await client.get("/api/store/v1/apps/verhuizing-doorgeven/releases/2.0.0")
    assert public.status_code == 404
    own = await client.get("/api/store/v1/apps/verhuizing-doorgeven/releases/2.0.0", headers=headers)
    assert own.status_code == 200 and own.json()["status"] == "rejected"


async def test_duplicate_release_is_a_conflict(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    headers = await client_headers(session, "publisher-ams", AMSTERDAM, ["publisher"])
    folder = make_package(tmp_path)
    assert (await publish(client, headers, folder)).status_code == 201
    again = await publish(client, headers, folder)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["invalidParams"][0]["name"] == "version"
    assert await session.scalar(select(func.count()).select_from(Release)) == 1


async def test_lower_version_is_rejected(client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path) -> None:
    headers = await client_headers(session, "publisher-ams", AMSTERDAM, ["publisher"])
    assert (await publish(client, headers, make_package(tmp_path, version="2.0.0"))).status_code == 201
    lower = (await publish(client, headers, make_package(tmp_path, version="1.9.0"))).json()
    assert lower["status"] == "rejected"
    assert any(f["rule"] == "version.not-greater" for f in lower["report"]["findings"])


async def test_publishing_needs_login_and_the_publisher_role(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    folder = make_package(tmp_path)
    anonymous = await publish(client, {}, folder)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    other = await client_headers(session, "publisher-utr", UTRECHT, ["publisher"])
    forbidden = await publish(client, other, folder, publisher=AMSTERDAM)
    assert forbidden.status_code == 403
    assert await session.scalar(select(func.count()).select_from(App)) == 0


async def test_unreadable_archive_stores_nothing(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers = await client_headers(session, "publisher-ams", AMSTERDAM, ["publisher"])
    files = {"file": ("package.zip", b"not an archive at all", "application/zip")}
    response = await client.post(RELEASES, files=files, data={"publisher": AMSTERDAM}, headers=headers)
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["code"] == "archive.format"
    assert await session.scalar(select(func.count()).select_from(App)) == 0


async def test_forged_token_is_refused(client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path) -> None:
    await client_headers(session, "publisher-ams", AMSTERDAM, ["publisher"])
    from plein.auth.service import make_jwt

    forged = {"Authorization": f"Bearer {make_jwt('publisher-ams', 'not-the-secret-but-long-enough-for-hs256')}"}
    response = await publish(client, forged, make_package(tmp_path))
    assert response.status_code == 401
    assert "signature" in response.json()["detail"].lower()


async def test_malformed_manifest_is_a_clear_400(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    headers = await client_headers(session, "publisher-ams", AMSTERDAM, ["publisher"])
    folder = make_package(tmp_path)
    (folder / "plein.yaml").write_text("plein: 1\nid: [unclosed\n")
    response = await publish(client, headers, folder)
    assert response.status_code == 400
    problem = response.json()
    assert problem["invalidParams"][0]["name"] == "plein.yaml"
    assert problem["findings"][0]["line"] == 3
    assert await session.scalar(select(func.count()).select_from(App)) == 0


async def test_upload_over_the_limit_is_413(settings: object, session: AsyncSession, tmp_path: Path) -> None:
    from plein.app import create_app, dispose_engines

    small = settings.model_copy(update={"store_max_archive_bytes": 2000})  # type: ignore[attr-defined]
    app = create_app(small)
    headers = await client_headers(session, "publisher-ams", AMSTERDAM, ["publisher"])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://plein.test") as limited:
        files = {"file": ("package.zip", b"x" * 5000, "application/zip")}
        response = await limited.post(RELEASES, files=files, data={"publisher": AMSTERDAM}, headers=headers)
    await dispose_engines(app)
    assert response.status_code == 413
    assert response.json()["invalidParams"][0]["name"] == "file"


async def test_tar_gz_upload_is_accepted(client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path) -> None:
    import io
    import tarfile

    headers = await client_headers(session, "publisher-ams", AMSTERDAM, ["publisher"])
    folder = make_package(tmp_path)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.add(folder, arcname="verhuizing-doorgeven-2.0.0")
    files = {"file": ("package.tar.gz", buffer.getvalue(), "application/gzip")}
    response = await client.post(RELEASES, files=files, data={"publisher": AMSTERDAM}, headers=headers)
    assert response.status_code == 201, response.text


async def test_missing_form_fields_name_the_field(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers = await client_headers(session, "publisher-ams", AMSTERDAM, ["publisher"])
    response = await client.post(RELEASES, data={"publisher": AMSTERDAM}, headers=headers)
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "file"


async def test_published_archive_can_be_downloaded_with_its_checksum(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    import hashlib

    headers = await client_headers(session, "publisher-ams", AMSTERDAM, ["publisher"])
    archive = zip_folder(make_package(tmp_path))
    files = {"file": ("package.zip", archive, "application/zip")}
    published = await client.post(RELEASES, files=files, data={"publisher": AMSTERDAM}, headers=headers)
    assert published.status_code == 201
    download = await client.get("/api/store/v1/apps/verhuizing-doorgeven/releases/2.0.0/package")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    assert download.content == archive
    assert published.json()["report"]["sha256"] == hashlib.sha256(download.content).hexdigest()
