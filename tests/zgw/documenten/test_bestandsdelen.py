"""Contents in bestandsdelen (create with bestandsomvang, upload the parts with the lock, unlock puts them together),
forced unlock, and uploads that need memory independent of their size (a large document is never held whole)."""

from __future__ import annotations

import hashlib
import json
import tracemalloc
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.storage import LocalFileStorage
from plein.zgw.auth import ZgwCaller
from plein.zgw.documenten import content, service, upload
from plein.zgw.documenten.common import Links
from plein.zgw.documenten.models import BestandsDeel
from tests.zgw.documenten.helpers import (
    DETAIL,
    HOST,
    check,
    create_document,
    document_body,
    drc_client,
    local,
    setup,
)

PART = "/bestandsdelen/{uuid}"
MB = 1024 * 1024


def pattern(size: int, seed: int = 7) -> bytes:
    block = hashlib.sha256(str(seed).encode()).digest() * 2048
    return (block * (size // len(block) + 1))[:size]


async def test_an_upload_in_parts_is_put_together_on_unlock(client: httpx.AsyncClient, session: AsyncSession,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(content, "PART_SIZE", 1000)
    ctx = await setup(client, session)
    data = pattern(2500)
    created = await create_document(client, ctx.admin, ctx.iot, bestandsomvang=len(data), bestandsnaam="groot.bin")
    lock = created["lock"]
    assert created["locked"] is True and created["inhoud"] is None
    assert [(p["volgnummer"], p["omvang"], p["voltooid"]) for p in created["bestandsdelen"]] == [
        (1, 1000, False), (2, 1000, False), (3, 500, False)]
    path = local(created["url"])
    read = check("get", DETAIL, await client.get(path, headers=ctx.admin))
    assert "lock" not in read and all("lock" not in part for part in read["bestandsdelen"])

    parts = created["bestandsdelen"]
    first = await client.put(local(parts[0]["url"]), files={"inhoud": ("deel", data[:1000])}, data={"lock": lock},
                             headers=ctx.admin)
    assert check("put", PART, first) == {"url": parts[0]["url"], "lock": lock, "omvang": 1000, "volgnummer": 1,
                                         "voltooid": True}
    early = await client.post(f"{path}/unlock", json={"lock": lock}, headers=ctx.admin)
    assert check("post", DETAIL + "/unlock", early)["invalidParams"][0]["code"] == "incomplete-upload"
    wrong_size = await client.put(local(parts[1]["url"]), files={"inhoud": ("deel", data[1000:1999])},
                                  data={"lock": lock}, headers=ctx.admin)
    assert check("put", PART, wrong_size)["invalidParams"][0]["code"] == "file-size"
    too_big = await client.put(local(parts[1]["url"]), files={"inhoud": ("deel", data[:1001])},
                               data={"lock": lock}, headers=ctx.admin)
    assert check("put", PART, too_big)["invalidParams"][0]["code"] == "file-size"
    wrong_lock = await client.put(local(parts[1]["url"]), files={"inhoud": ("deel", data[1000:2000])},
                                  data={"lock": "raden"}, headers=ctx.admin)
    assert check("put", PART, wrong_lock)["invalidParams"][0]["code"] == "incorrect-lock-id"
    no_lock = await client.put(local(parts[1]["url"]), files={"inhoud": ("deel", data[1000:2000])}, headers=ctx.admin)
    assert check("put", PART, no_lock)["invalidParams"][0]["name"] == "lock"
    as_json = await client.put(local(parts[1]["url"]), json={"lock": lock}, headers=ctx.admin)
    assert check("put", PART, as_json)["status"] == 415
    # The inhoud may come before the lock, and urlencoded forms are taken too.
    second = await client.put(local(parts[1]["url"]), content=_multipart([("inhoud", data[1000:2000]),
                                                                          ("lock", lock.encode())]),
                              headers={**ctx.admin, "Content-Type": "multipart/form-data; boundary=grens"})
    assert check("put", PART, second)["voltooid"] is True
    third = await client.put(local(parts[2]["url"]), data={"lock": lock, "inhoud": data[2000:].decode("latin-1")},
                             headers=ctx.admin)
    assert third.status_code == 400  # latin-1 text is sent UTF-8 encoded: the wrong bytes, so the wrong size
    third = await client.put(local(parts[2]["url"]), content=b"lock=" + lock.encode() + b"&inhoud=" +
                             "".join(f"%{byte:02X}" for byte in data[2000:]).encode(),
                             headers={**ctx.admin, "Content-Type": "application/x-www-form-urlencoded"})
    assert check("put", PART, third)["voltooid"] is True
    missing = await client.put(f"/documenten/api/v1/bestandsdelen/{uuid.uuid4()}", files={"inhoud": b"x"},
                               data={"lock": lock}, headers=ctx.admin)
    assert check("put", PART, missing)["status"] == 404

    unlocked = await client.post(f"{path}/unlock", json={"lock": lock}, headers=ctx.admin)
    assert unlocked.status_code == 204
    done = check("get", DETAIL, await client.get(path, headers=ctx.admin))
    assert done["locked"] is False and done["bestandsdelen"] == [] and done["bestandsomvang"] == len(data)
    download = await client.get(local(done["inhoud"]), headers=ctx.admin)
    assert download.content == data and download.headers["content-length"] == str(len(data))
    assert await session.scalar(select(BestandsDeel.id)) is None


def _multipart(fields: list[tuple[str, bytes]]) -> bytes:
    out = b""
    for name, value in fields:
        out += (f'--grens\r\nContent-Disposition: form-data; name="{name}"; filename="x"\r\n\r\n').encode()
        out += value + b"\r\n"
    return out + b"--grens--\r\n"


async def test_an_update_in_parts_and_a_forced_unlock(client: httpx.AsyncClient, session: AsyncSession,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(content, "PART_SIZE", 10)
    ctx = await setup(client, session)
    created = await create_document(client, ctx.admin, ctx.iot, inhoud="aGFsbG8=")
    path = local(created["url"])
    lock = check("post", DETAIL + "/lock", await client.post(f"{path}/lock", headers=ctx.admin))["lock"]
    patched = check("patch", DETAIL, await client.patch(path, json={"lock": lock, "inhoud": None,
                                                                     "bestandsomvang": 15}, headers=ctx.admin))
    assert [part["omvang"] for part in patched["bestandsdelen"]] == [10, 5] and patched["inhoud"] is None
    # The first version keeps its contents.
    assert (await client.get(f"{path}/download", params={"versie": 1}, headers=ctx.admin)).content == b"hallo"

    plain = await drc_client(session, "gewone-client", ["documenten.lezen", "documenten.lock"],
                             [(ctx.iot, "openbaar")])
    refused = await client.post(f"{path}/unlock", json={}, headers=plain)
    assert check("post", DETAIL + "/unlock", refused)["invalidParams"][0]["code"] == "incorrect-lock-id"
    beheer = await drc_client(session, "beheer", ["documenten.lezen", "documenten.geforceerd-unlock"],
                              [(ctx.iot, "openbaar")])
    forced = await client.post(f"{path}/unlock", headers=beheer)
    assert forced.status_code == 204, forced.text
    after = check("get", DETAIL, await client.get(path, headers=ctx.admin))
    assert after["locked"] is False and after["bestandsdelen"] == []


async def test_a_metadata_only_document_has_no_contents(client: httpx.AsyncClient, session: AsyncSession,
                                                       app: object) -> None:
    ctx = await setup(client, session)
    created = await create_document(client, ctx.admin, ctx.iot, bestandsomvang=0, inhoud="")
    assert created["inhoud"] is None and created["bestandsomvang"] == 0 and created["locked"] is False
    files = app.state.storage.root  # type: ignore[attr-defined]
    assert not files.exists() or [p for p in files.rglob("*") if p.is_file()] == []
    download = await client.get(f"{local(created['url'])}/download", headers=ctx.admin)
    assert check("get", DETAIL + "/download", download)["status"] == 404


# --- memory ------------------------------------------------------------------------------------------------------


async def _chunks(parts: list[bytes], data_size: int, piece: int = 64 * 1024, seed: int = 7,
                  encode: bool = False) -> AsyncIterator[bytes]:
    """parts[0], then `data_size` bytes of the pattern (base64 when `encode`) made on the fly, then parts[1]."""
    import base64

    yield parts[0]
    block = pattern(piece * 3, seed)
    sent = 0
    while sent < data_size:
        size = min(piece * 3, data_size - sent)
        chunk = block[:size]
        yield base64.b64encode(chunk) if encode else chunk
        sent += size
    yield parts[1]


async def _digest(storage: LocalFileStorage, key: str) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    async for chunk in storage.read(key):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def _expected(size: int, piece: int = 64 * 1024, seed: int = 7) -> str:
    digest, block, sent = hashlib.sha256(), pattern(piece * 3, seed), 0
    while sent < size:
        digest.update(block[:min(piece * 3, size - sent)])
        sent += min(piece * 3, size - sent)
    return digest.hexdigest()


async def test_large_uploads_need_memory_independent_of_their_size(client: httpx.AsyncClient,
                                                                   session: AsyncSession, app: object,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(content, "PART_SIZE", 8 * MB)
    ctx = await setup(client, session)
    storage: LocalFileStorage = app.state.storage  # type: ignore[attr-defined]
    caller = ZgwCaller("test", all_rights=True)
    links = Links(HOST)
    await create_document(client, ctx.admin, ctx.iot, inhoud="d2FybQ==")  # warm the code paths up

    # 5 MB of base64 inhoud in a JSON body, read and stored as it streams.
    size = 5 * MB
    head = json.dumps(document_body(ctx.iot))[:-1].encode() + b', "inhoud": "'
    key = uuid.uuid4()
    stored_key = content.inhoud_key(key)
    tracemalloc.start()
    body = await upload.read_document_body(_chunks([head, b'"}'], size, encode=True), storage, stored_key)
    shown = await service.create(session, caller, links, storage, key, body, stored_key)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert shown.versie.bestandsomvang == size
    assert await _digest(storage, stored_key) == (size, _expected(size))
    assert peak < 2 * MB, f"peak {peak / MB:.1f} MB for a 5 MB document"

    # 20 MB in three bestandsdelen (8 + 8 + 4 MB), each streamed, then put together on unlock.
    size = 20 * MB
    created = await create_document(client, ctx.admin, ctx.iot, bestandsomvang=size)
    document = uuid.UUID(created["url"].rsplit("/", 1)[-1])
    offsets = [0, 8 * MB, 16 * MB]
    tracemalloc.start()
    for part, offset in zip(created["bestandsdelen"], offsets, strict=True):
        part_id = uuid.UUID(part["url"].rsplit("/", 1)[-1])
        part_key = content.part_key(document, part_id)
        boundary = b"--grens\r\nContent-Disposition: form-data; name=\"inhoud\"; filename=\"d\"\r\n\r\n"
        tail = b"\r\n--grens\r\nContent-Disposition: form-data; name=\"lock\"\r\n\r\n" + \
            created["lock"].encode() + b"\r\n--grens--\r\n"
        form = await upload.read_part_form(_chunks([boundary, tail], part["omvang"], seed=offset),
                                           "multipart/form-data; boundary=grens", storage, part_key, part["omvang"])
        await service.save_part(session, links, storage, part_id, form.lock, form.stored, part_key)
    await service.unlock(session, caller, links, storage, document, created["lock"])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 3 * MB, f"peak {peak / MB:.1f} MB for a 20 MB document in parts"
    shown = await service.read(session, caller, links, document)
    assert shown.versie.bestandsomvang == size and shown.versie.inhoud_key is not None
    digest = hashlib.sha256()
    for offset, length in zip(offsets, (8 * MB, 8 * MB, 4 * MB), strict=True):
        block, sent = pattern(64 * 1024 * 3, offset), 0
        while sent < length:
            digest.update(block[:min(len(block), length - sent)])
            sent += min(len(block), length - sent)
    assert await _digest(storage, shown.versie.inhoud_key) == (size, digest.hexdigest())
