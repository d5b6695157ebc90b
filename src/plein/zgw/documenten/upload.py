"""Uploads read as streams: the base64 `inhoud` inside a JSON body and a bestandsdeel in a form body are decoded
chunk by chunk into file storage, so a large document is never held whole in memory.

A JSON body is split as it arrives: the value of its top-level `inhoud` string goes through a base64 decoder into
storage, everything else is kept as JSON text (at most `METADATA_LIMIT` bytes) and parsed at the end with `inhoud`
replaced by an empty string. An `inhoud` that is a URL (a client sending a document back as it read it) is kept as
text instead. A bestandsdeel comes as multipart/form-data or application/x-www-form-urlencoded with the fields
`inhoud` (the bytes) and `lock`.
"""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from python_multipart.multipart import MultipartParser, QuerystringParser, parse_options_header

from plein.errors import InvalidInput, InvalidParam
from plein.storage import FileStorage

METADATA_LIMIT = 1024 * 1024
URL_LIMIT = 1000
FIELD_LIMIT = 1000
WHITESPACE = b" \t\r\n"
SPECIAL = re.compile(rb'["\\]')
ESCAPES = {ord('"'): b'"', ord("\\"): b"\\", ord("/"): b"/", ord("b"): b"\b", ord("f"): b"\f", ord("n"): b"\n",
           ord("r"): b"\r", ord("t"): b"\t"}
QUOTE, BACKSLASH, COLON, COMMA = ord('"'), ord("\\"), ord(":"), ord(",")
OPEN, CLOSE = frozenset(b"{["), frozenset(b"}]")


def invalid(name: str, code: str, reason: str) -> InvalidInput:
    return InvalidInput(f"{name}: {reason}", [InvalidParam(name, code, reason)])


def _not_json(reason: str) -> InvalidInput:
    return InvalidInput(f"the request body is not valid JSON ({reason})",
                        [InvalidParam("nonFieldErrors", "parse_error", "the body is not valid JSON")])


class Base64Stream:
    """Decodes base64 text given in pieces: whitespace is skipped, padding may only end it, missing padding is
    tolerated."""

    def __init__(self) -> None:
        self.rest = b""
        self.padded = False

    def feed(self, text: bytes) -> bytes:
        text = text.translate(None, WHITESPACE)
        if not text:
            return b""
        if self.padded:
            raise invalid("inhoud", "invalid", "base64 data continues after its padding")
        data = self.rest + text
        usable = len(data) - len(data) % 4
        self.rest = data[usable:]
        if b"=" in data[:usable]:
            self.padded = True
            if self.rest:
                raise invalid("inhoud", "invalid", "base64 data continues after its padding")
        return self._decode(data[:usable])

    def close(self) -> bytes:
        rest, self.rest = self.rest, b""
        if len(rest) == 1:
            raise invalid("inhoud", "invalid", "the base64 data is cut off")
        return self._decode(rest + b"=" * (-len(rest) % 4)) if rest else b""

    @staticmethod
    def _decode(block: bytes) -> bytes:
        try:
            return binascii.a2b_base64(block, strict_mode=True)
        except binascii.Error as exc:
            raise invalid("inhoud", "invalid", f"not valid base64 ({exc})") from exc


class InhoudValue:
    """The characters of the `inhoud` string: base64 (optionally behind a `data:…;base64,` prefix) or a URL."""

    def __init__(self) -> None:
        self.head = bytearray()
        self.mode = ""
        self.text = bytearray()
        self.decoder = Base64Stream()

    @property
    def url(self) -> str | None:
        return self.text.decode("ascii", "replace") if self.mode == "url" else None

    def feed(self, text: bytes) -> bytes:
        if self.mode:
            return self._more(text)
        self.head += text
        return self._decide() if len(self.head) >= 8 else b""

    def close(self) -> bytes:
        out = b"" if self.mode else self._decide()
        if self.mode == "prefix":
            raise invalid("inhoud", "invalid", "a data URL without its ',' before the data")
        return out + (self.decoder.close() if self.mode == "base64" else b"")

    def _decide(self) -> bytes:
        head, self.head = bytes(self.head), bytearray()
        if head.startswith((b"http://", b"https://")):
            self.mode = "url"
        elif head.startswith(b"data:"):
            self.mode = "prefix"
        else:
            self.mode = "base64"
        return self._more(head)

    def _more(self, text: bytes) -> bytes:
        if self.mode == "base64":
            return self.decoder.feed(text)
        self.text += text
        if len(self.text) > URL_LIMIT:
            raise invalid("inhoud", "invalid", "send the contents as base64, or the document's own download URL")
        if self.mode == "prefix" and b"," in self.text:
            prefix, _, rest = bytes(self.text).partition(b",")
            if not prefix.endswith(b";base64"):
                raise invalid("inhoud", "invalid", "only base64 data URLs are accepted")
            self.mode, self.text = "base64", bytearray()
            return self.decoder.feed(rest)
        return b""


class InhoudSplitter:
    """Splits a JSON body into its JSON without the top-level `inhoud` string (kept) and that string (decoded)."""

    def __init__(self) -> None:
        self.kept = bytearray()
        self.depth = 0
        self.in_object = False
        self.in_string = False
        self.escape = False
        self.key: bytearray | None = None
        self.last_key = b""
        self.expect_key = False
        self.inhoud_next = False
        self.streaming = False
        self.value: InhoudValue | None = None
        self.carry = b""

    def feed(self, chunk: bytes) -> bytes:
        """Take the next piece of the body; returns the decoded contents it held (often b"")."""
        data = self.carry + chunk if self.carry else chunk
        self.carry = b""
        out = bytearray()
        position = 0
        while position < len(data):
            position = self._stream(data, position, out) if self.streaming else self._scan(data, position)
        return bytes(out)

    def finish(self) -> dict[str, Any]:
        """The JSON body without the contents (an `inhoud` string shows as "")."""
        if self.carry or self.streaming:
            raise _not_json("it ends inside the inhoud string")
        try:
            parsed = json.loads(bytes(self.kept) or b"null")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _not_json(f"position {getattr(exc, 'pos', 0)} outside inhoud") from exc
        if not isinstance(parsed, dict):
            raise InvalidInput("the request body must be a JSON object",
                               [InvalidParam("nonFieldErrors", "invalid", "expected a JSON object")])
        return parsed

    def _keep(self, byte: int) -> None:
        self.kept.append(byte)
        if len(self.kept) > METADATA_LIMIT:
            raise invalid("nonFieldErrors", "max_length",
                          f"the JSON besides inhoud may be at most {METADATA_LIMIT} bytes")

    def _scan(self, data: bytes, position: int) -> int:
        while position < len(data):
            byte = data[position]
            position += 1
            if self.in_string:
                self._string_byte(byte)
            elif byte == QUOTE and self.inhoud_next:
                self._start_inhoud()
                return position
            else:
                self._structure(byte)
        return position

    def _string_byte(self, byte: int) -> None:
        self._keep(byte)
        if self.escape:
            self.escape = False
        elif byte == BACKSLASH:
            self.escape = True
        elif byte == QUOTE:
            self.in_string = False
            if self.key is not None:
                self.last_key, self.key = bytes(self.key), None
            return
        if self.key is not None:
            self.key.append(byte)

    def _structure(self, byte: int) -> None:
        self._keep(byte)
        top = self.depth == 1 and self.in_object
        if byte == QUOTE:
            self.in_string = True
            self.key = bytearray() if top and self.expect_key else None
        elif byte == COLON:
            self.inhoud_next = top and self.last_key == b"inhoud"
            self.expect_key = False
        elif byte in OPEN:
            self.depth += 1
            if self.depth == 1:
                self.in_object = byte == ord("{")
                self.expect_key = self.in_object
            self.inhoud_next = False
        elif byte in CLOSE:
            self.depth -= 1
        elif byte == COMMA:
            self.expect_key = top
        elif byte not in WHITESPACE:
            self.inhoud_next = False

    def _start_inhoud(self) -> None:
        if self.value is not None:
            raise invalid("inhoud", "invalid", "inhoud is given twice")
        self.value = InhoudValue()
        self.streaming, self.inhoud_next = True, False
        self._keep(QUOTE)

    def _stream(self, data: bytes, position: int, out: bytearray) -> int:
        assert self.value is not None
        found = SPECIAL.search(data, position)
        end = found.start() if found else len(data)
        if end > position:
            out += self.value.feed(data[position:end])
        if found is None:
            return end
        if data[end] == QUOTE:
            out += self.value.close()
            self.streaming = False
            self._keep(QUOTE)
            return end + 1
        return self._escape(data, end, out)

    def _escape(self, data: bytes, at: int, out: bytearray) -> int:
        assert self.value is not None
        kind = data[at + 1] if at + 1 < len(data) else None
        size = 6 if kind == ord("u") else 2
        if kind is None or at + size > len(data):
            self.carry = data[at:]
            return len(data)
        if kind == ord("u"):
            try:
                character = chr(int(data[at + 2:at + 6], 16)).encode("utf-8")
            except ValueError as exc:
                raise _not_json("a bad \\u escape in inhoud") from exc
        elif kind in ESCAPES:
            character = ESCAPES[kind]
        else:
            raise _not_json("a bad escape in inhoud")
        out += self.value.feed(character)
        return at + size


@dataclass(frozen=True)
class DocumentBody:
    """A JSON body read: the data (with `inhoud` "" when it was a string), and what became of that string."""

    data: dict[str, Any]
    stored: int | None = None
    inhoud_url: str | None = None


async def read_document_body(chunks: AsyncIterator[bytes], storage: FileStorage, key: str) -> DocumentBody:
    """Read a JSON body, storing a base64 `inhoud` under `key` as it arrives (nothing is stored otherwise)."""
    splitter = InhoudSplitter()
    iterator = aiter(chunks)
    first = b""
    while splitter.value is None:
        chunk = await anext(iterator, None)
        if chunk is None:
            return DocumentBody(splitter.finish())
        first = splitter.feed(chunk)

    async def decoded() -> AsyncIterator[bytes]:
        if first:
            yield first
        async for piece in iterator:
            out = splitter.feed(piece)
            if out:
                yield out

    size = await storage.put_stream(key, decoded())
    try:
        data = splitter.finish()
    except BaseException:
        await storage.delete(key)
        raise
    url = splitter.value.url
    if url is not None:
        await storage.delete(key)
        return DocumentBody(data, None, url)
    return DocumentBody(data, size)


# --- bestandsdelen ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartForm:
    """A bestandsdeel body read: the lock it names and the size of the `inhoud` stored (None when it had none)."""

    lock: str | None
    stored: int | None


class _FormFields:
    """Collects the small fields of a form and hands the bytes of `inhoud` on as they come."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.fields: dict[str, bytearray] = {}
        self.name = ""
        self.pending: list[bytes] = []
        self.size = 0
        self.had_inhoud = False
        self.complete = False

    def start(self, name: str) -> None:
        self.name = name
        if name == "inhoud":
            self.had_inhoud = True
        else:
            self.fields.setdefault(name, bytearray())

    def data(self, piece: bytes) -> None:
        if not piece:
            return
        if self.name == "inhoud":
            self.size += len(piece)
            if self.size > self.limit:
                raise invalid("inhoud", "file-size", f"this bestandsdeel has {self.limit} bytes; more were sent")
            self.pending.append(piece)
            return
        field = self.fields[self.name]
        field += piece
        if len(field) > FIELD_LIMIT:
            raise invalid(self.name, "max_length", f"at most {FIELD_LIMIT} bytes")

    def take(self) -> bytes:
        out = b"".join(self.pending)
        self.pending.clear()
        return out

    def text(self, name: str) -> str | None:
        value = self.fields.get(name)
        return value.decode("utf-8", "replace") if value is not None else None


class _Unquote:
    """Percent-decoding of a form value given in pieces (`+` is a space)."""

    def __init__(self) -> None:
        self.tail = b""

    def feed(self, piece: bytes) -> bytes:
        data = self.tail + piece
        cut = data.rfind(b"%", max(0, len(data) - 2))
        self.tail, data = (data[cut:], data[:cut]) if cut >= 0 else (b"", data)
        return unquote_to_bytes(data.replace(b"+", b" "))


class _Multipart:
    """Feeds a multipart/form-data body to the form, part by part."""

    def __init__(self, content_type: str, form: _FormFields) -> None:
        _, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if not boundary:
            raise invalid("nonFieldErrors", "parse_error", "a multipart body needs a boundary")
        self.form = form
        self.headers: dict[bytes, bytes] = {}
        self.field = bytearray()
        self.value = bytearray()
        self.parser = MultipartParser(boundary, {
            "on_header_field": lambda data, start, end: self.field.extend(data[start:end]),
            "on_header_value": lambda data, start, end: self.value.extend(data[start:end]),
            "on_header_end": self._header_end, "on_headers_finished": self._headers_finished,
            "on_part_data": lambda data, start, end: form.data(data[start:end]), "on_end": self._end,
        })

    def _header_end(self) -> None:
        self.headers[bytes(self.field).strip().lower()] = bytes(self.value).strip()
        self.field.clear()
        self.value.clear()

    def _headers_finished(self) -> None:
        _, disposition = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.form.start(disposition.get(b"name", b"").decode("utf-8", "replace"))
        self.headers.clear()

    def _end(self) -> None:
        self.form.complete = True

    def write(self, chunk: bytes) -> None:
        self.parser.write(chunk)

    def finish(self) -> None:
        self.parser.finalize()


class _Urlencoded:
    """Feeds an application/x-www-form-urlencoded body to the form, field by field."""

    def __init__(self, form: _FormFields) -> None:
        self.form = form
        self.name = bytearray()
        self.started = False
        self.unquote = _Unquote()
        self.parser = QuerystringParser({
            "on_field_start": self._field_start,
            "on_field_name": lambda data, start, end: self.name.extend(data[start:end]),
            "on_field_data": self._field_data, "on_field_end": self._field_end,
        })

    def _field_start(self) -> None:
        self.name.clear()
        self.started = False
        self.unquote = _Unquote()

    def _begin(self) -> None:
        if not self.started:
            self.started = True
            self.form.start(unquote_to_bytes(bytes(self.name).replace(b"+", b" ")).decode("utf-8", "replace"))

    def _field_data(self, data: bytes, start: int, end: int) -> None:
        self._begin()
        self.form.data(self.unquote.feed(data[start:end]))

    def _field_end(self) -> None:
        self._begin()
        self.form.data(self.unquote.feed(b""))

    def write(self, chunk: bytes) -> None:
        self.parser.write(chunk)

    def finish(self) -> None:
        self.parser.finalize()
        self.form.complete = True


async def read_part_form(chunks: AsyncIterator[bytes], content_type: str, storage: FileStorage, key: str,
                         limit: int) -> PartForm:
    """Read a bestandsdeel form, storing its `inhoud` under `key` as it arrives; at most `limit` bytes of it."""
    form = _FormFields(limit)
    kind = content_type.split(";", maxsplit=1)[0].strip().lower()
    parser = _Multipart(content_type, form) if kind == "multipart/form-data" else _Urlencoded(form)

    async def contents() -> AsyncIterator[bytes]:
        async for chunk in chunks:
            parser.write(chunk)
            out = form.take()
            if out:
                yield out
        parser.finish()
        if not form.complete:
            raise invalid("nonFieldErrors", "parse_error", "the form body ends too early")
        out = form.take()
        if out:
            yield out

    try:
        size = await storage.put_stream(key, contents())
    except ValueError as exc:
        raise invalid("nonFieldErrors", "parse_error", f"the form body cannot be read ({exc})") from exc
    if not form.had_inhoud:
        await storage.delete(key)
        return PartForm(form.text("lock"), None)
    return PartForm(form.text("lock"), size)
