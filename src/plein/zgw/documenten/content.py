"""Where the contents of documents live in file storage, how an upload in bestandsdelen is planned and put together,
and how files that nothing names any more are removed.

Storage keys (plein.storage; lower-case, relative):

    documenten/{informatieobject uuid}/inhoud-{random hex}         the contents of one or more versions
    documenten/{informatieobject uuid}/delen/{deel uuid}-{random hex}  one uploaded bestandsdeel

Every write goes to a fresh key, so a file is never changed in place: a version names its file, a new version that
leaves the contents alone names the same one, and a failed or refused upload only leaves a key nobody names, which
is removed at once. Files are removed after the database change that stops naming them is committed; if that
removal fails a stray file remains, never a row without its file.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence

from plein.storage import FileStorage
from plein.zgw.documenten.models import BestandsDeel

PART_SIZE = 100 * 1024 * 1024
"""The size of a bestandsdeel (the last one is smaller): small enough for the body limit of common reverse
proxies, large enough to keep the number of requests for a big file low."""

MAX_PARTS = 10_000
"""A bound on the bestandsdelen one upload can ask for (so the largest document is about 1 TiB)."""

logger = logging.getLogger(__name__)


def inhoud_key(informatieobject: uuid.UUID) -> str:
    """A fresh key for the contents of a document."""
    return f"documenten/{informatieobject}/inhoud-{secrets.token_hex(8)}"


def part_key(informatieobject: uuid.UUID, deel: uuid.UUID) -> str:
    """A fresh key for one upload of a bestandsdeel."""
    return f"documenten/{informatieobject}/delen/{deel}-{secrets.token_hex(8)}"


def max_size() -> int:
    return MAX_PARTS * PART_SIZE


def plan_parts(informatieobject: uuid.UUID, size: int, part_size: int | None = None) -> list[BestandsDeel]:
    """The bestandsdelen for a file of `size` bytes: volgnummer 1…n, each `part_size` bytes but the last."""
    step = part_size or PART_SIZE
    count = max(1, -(-size // step))
    return [BestandsDeel(id=uuid.uuid4(), informatieobject_id=informatieobject, volgnummer=number + 1,
                         omvang=min(step, size - number * step), inhoud_key=None) for number in range(count)]


async def assemble(storage: FileStorage, informatieobject: uuid.UUID, parts: Sequence[BestandsDeel]) -> tuple[str, int]:
    """Join the uploaded parts (in volgnummer order) into one new file, streamed; returns its key and size."""
    ordered = sorted(parts, key=lambda part: part.volgnummer)

    async def joined() -> AsyncIterator[bytes]:
        for part in ordered:
            assert part.inhoud_key is not None
            async for chunk in storage.read(part.inhoud_key):
                yield chunk

    key = inhoud_key(informatieobject)
    return key, await storage.put_stream(key, joined())


async def remove(storage: FileStorage, keys: Iterable[str | None]) -> None:
    """Delete files nothing names any more; a failure is logged (a stray file), never raised."""
    for key in sorted({key for key in keys if key}):
        try:
            await storage.delete(key)
        except OSError:
            logger.warning("could not remove stored file %s", key, exc_info=True)
