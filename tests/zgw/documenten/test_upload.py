"""The streaming readers: base64 `inhoud` out of a JSON body and a bestandsdeel out of a form, however the body is
cut into chunks; and the storage's streamed write, which stores nothing when the stream fails."""

from __future__ import annotations

import asyncio
import base64
import json
import urllib.parse
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plein.errors import InvalidInput
from plein.storage import LocalFileStorage
from plein.zgw.documenten.upload import Base64Stream, InhoudSplitter, read_document_body, read_part_form

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


def _feed(raw: bytes, cuts: list[int]) -> tuple[bytes, dict[str, object]]:
    splitter = InhoudSplitter()
    out = bytearray()
    start = 0
    for cut in [*sorted(cut % (len(raw) + 1) for cut in cuts), len(raw)]:
        out += splitter.feed(raw[start:cut])
        start = max(start, cut)
    return bytes(out), splitter.finish()


@settings(max_examples=150, deadline=None)
@given(content=st.binary(max_size=600), extra=st.dictionaries(TEXT, st.one_of(TEXT, st.integers(), st.none(),
                                                                               st.lists(TEXT, max_size=3)),
                                                              max_size=4),
       cuts=st.lists(st.integers(min_value=0), max_size=12), escaped=st.booleans(), wrapped=st.booleans())
def test_the_splitter_returns_the_contents_and_the_rest(content: bytes, extra: dict[str, object], cuts: list[int],
                                                        escaped: bool, wrapped: bool) -> None:
    encoded = base64.encodebytes(content).decode() if wrapped else base64.b64encode(content).decode()
    extra = {key: value for key, value in extra.items() if key != "inhoud"}
    body = {**extra, "nested": {"inhoud": "blijft"}, "inhoud": encoded}
    text = json.dumps(body, ensure_ascii=escaped)
    if escaped:
        text = text.replace("/", "\\/")
    out, data = _feed(text.encode(), cuts)
    assert out == content
    assert data == {**extra, "nested": {"inhoud": "blijft"}, "inhoud": ""}


@settings(max_examples=60, deadline=None)
@given(value=st.one_of(st.none(), st.integers(), st.lists(st.integers(), max_size=3)),
       cuts=st.lists(st.integers(min_value=0), max_size=6))
def test_an_inhoud_that_is_no_string_is_kept_as_json(value: object, cuts: list[int]) -> None:
    out, data = _feed(json.dumps({"titel": "x", "inhoud": value}).encode(), cuts)
    assert out == b"" and data == {"titel": "x", "inhoud": value}


def _decode(text: str) -> bytes:
    decoder = Base64Stream()
    return decoder.feed(text.encode()) + decoder.close()


@pytest.mark.parametrize("text", ["QUJD=QUJD", "QUJD!", "Q", "QUJDRA==RA=="])
def test_bad_base64_names_inhoud(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        _decode(text)
    assert caught.value.invalid_params[0].name == "inhoud"


def test_missing_padding_is_tolerated_and_data_urls_are_read() -> None:
    decoder = Base64Stream()
    assert decoder.feed(b"QUJDRA") + decoder.close() == b"ABCD"
    out, _ = _feed(json.dumps({"inhoud": "data:text/plain;base64,QUJD"}).encode(), [3, 30])
    assert out == b"ABC"


@pytest.mark.parametrize("body", [b'{"inhoud": "QUJD', b'{"inhoud": "QU\\x"}', b'{"a": 1} x', b'[1, 2]'])
def test_broken_json_is_refused(body: bytes) -> None:
    with pytest.raises(InvalidInput):
        _feed(body, [5])


async def _pieces(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


async def test_the_stored_contents_and_the_url_form(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path)
    body = json.dumps({"titel": "x", "inhoud": base64.b64encode(b"hallo wereld").decode()}).encode()
    read = await read_document_body(_pieces(body, 7), storage, "documenten/a/inhoud-1")
    assert read.stored == 12 and read.data["titel"] == "x"
    assert b"".join([chunk async for chunk in storage.read("documenten/a/inhoud-1")]) == b"hallo wereld"
    url = "http://plein.test/documenten/api/v1/enkelvoudiginformatieobjecten/1/download?versie=1"
    echoed = await read_document_body(_pieces(json.dumps({"inhoud": url}).encode(), 5), storage,
                                      "documenten/a/inhoud-2")
    assert echoed.inhoud_url == url and echoed.stored is None
    assert not await storage.exists("documenten/a/inhoud-2")
    none = await read_document_body(_pieces(b'{"titel": "y"}', 4), storage, "documenten/a/inhoud-3")
    assert none.stored is None and not await storage.exists("documenten/a/inhoud-3")


@settings(max_examples=40, deadline=None)
@given(content=st.binary(max_size=300), size=st.integers(min_value=1, max_value=64), lock_first=st.booleans())
def test_a_part_form_is_read_in_any_chunks(tmp_path_factory: pytest.TempPathFactory, content: bytes, size: int,
                                           lock_first: bool) -> None:
    storage = LocalFileStorage(tmp_path_factory.mktemp("delen"))
    fields = [(b"lock", b"abc123", b""), (b"inhoud", content, b'; filename="deel"')]
    body = b""
    for name, value, extra in (fields if lock_first else fields[::-1]):
        body += b"--grens\r\nContent-Disposition: form-data; name=\"" + name + b"\"" + extra + b"\r\n\r\n" + value
        body += b"\r\n"
    body += b"--grens--\r\n"
    form = asyncio.run(read_part_form(_pieces(body, size), "multipart/form-data; boundary=grens", storage, "d/1",
                                      len(content)))
    assert form.lock == "abc123" and form.stored == len(content)
    encoded = b"lock=abc123&inhoud=" + urllib.parse.quote_from_bytes(content).encode()
    urlencoded = asyncio.run(read_part_form(_pieces(encoded, size), "application/x-www-form-urlencoded", storage,
                                            "d/2", len(content)))
    assert urlencoded.lock == "abc123" and urlencoded.stored == len(content)

    async def stored(key: str) -> bytes:
        return b"".join([chunk async for chunk in storage.read(key)])

    assert asyncio.run(stored("d/1")) == content and asyncio.run(stored("d/2")) == content


async def test_a_part_form_that_ends_early_or_is_too_large_stores_nothing(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path)
    body = b"--grens\r\nContent-Disposition: form-data; name=\"inhoud\"\r\n\r\n0123456789"
    with pytest.raises(InvalidInput):
        await read_part_form(_pieces(body, 4), "multipart/form-data; boundary=grens", storage, "d/1", 100)
    with pytest.raises(InvalidInput) as caught:
        await read_part_form(_pieces(body + b"\r\n--grens--\r\n", 4), "multipart/form-data; boundary=grens",
                             storage, "d/1", 5)
    assert caught.value.invalid_params[0].code == "file-size"
    assert not await storage.exists("d/1")


async def test_put_stream_keeps_the_old_file_when_the_stream_fails(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path)
    assert await storage.put_stream("a/b", _pieces(b"eerste", 2)) == 6

    async def failing() -> AsyncIterator[bytes]:
        yield b"half"
        raise RuntimeError("verbinding weg")

    with pytest.raises(RuntimeError):
        await storage.put_stream("a/b", failing())
    assert b"".join([chunk async for chunk in storage.read("a/b")]) == b"eerste"
    assert sorted(path.name for path in (tmp_path / "a").iterdir()) == ["b"]
