"""File storage behind a small interface (local disk now, object storage later): put (whole or streamed), read in
chunks, delete."""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

from plein.settings import Settings

CHUNK = 256 * 1024
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$")


class FileStorage(Protocol):
    """Where Plein keeps files (release archives, later document contents), addressed by a relative key."""

    async def put(self, key: str, content: bytes) -> None: ...

    async def put_stream(self, key: str, chunks: AsyncIterator[bytes]) -> int:
        """Store what the chunks yield, never holding it whole; returns the size. Nothing is stored when the
        iterator raises (the error propagates); a reader sees the old file or the new one, never half."""
        ...

    def read(self, key: str) -> AsyncIterator[bytes]: ...

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None: ...


def check_key(key: str) -> str:
    """Keys are lower-case relative paths without `..`; anything else is a programming error."""
    if not KEY_PATTERN.match(key) or ".." in key.split("/"):
        raise ValueError(f"invalid storage key {key!r}")
    return key


class LocalFileStorage:
    """Files under one folder; writes go to a temporary file first and are renamed, so a reader never sees half."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(self, key: str, content: bytes) -> None:
        await asyncio.to_thread(self._write, self._path(key), content)

    async def put_stream(self, key: str, chunks: AsyncIterator[bytes]) -> int:
        path = self._path(key)
        handle, temporary = await asyncio.to_thread(self._temporary, path)
        size = 0
        try:
            with os.fdopen(handle, "wb") as file:
                async for chunk in chunks:
                    size += len(chunk)
                    await asyncio.to_thread(file.write, chunk)
            await asyncio.to_thread(os.replace, temporary, path)
        except BaseException:
            _discard(temporary)  # also when cancelled: no await here
            raise
        return size

    @staticmethod
    def _temporary(path: Path) -> tuple[int, str]:
        path.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(dir=path.parent, prefix=".upload-")

    @staticmethod
    def _write(path: Path, content: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def read(self, key: str) -> AsyncIterator[bytes]:
        path = self._path(key)
        file = await asyncio.to_thread(path.open, "rb")
        try:
            while chunk := await asyncio.to_thread(file.read, CHUNK):
                yield chunk
        finally:
            file.close()

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)


def _discard(temporary: str) -> None:
    Path(temporary).unlink(missing_ok=True)


def storage_from_settings(settings: Settings) -> FileStorage:
    return LocalFileStorage(settings.data_dir / "files")
