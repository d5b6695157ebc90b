"""Publishing packages straight through the service, for tests that need apps in the store."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from plein.apps import package_path
from plein.auth.service import Principal
from plein.storage import LocalFileStorage
from plein.store.package import load_package
from plein.store.service import PublishResult, publish

SYSTEM = Principal("cli", "test", "test", frozenset(), all_rights=True)
STORAGE = LocalFileStorage(Path(tempfile.mkdtemp(prefix="plein-test-files-")))


async def publish_folder(session: AsyncSession, folder: Path, publisher: str = "0363") -> PublishResult:
    result = await publish(session, STORAGE, load_package(folder), publisher, SYSTEM)
    assert result.release.status == "accepted", result.report["findings"]
    return result


async def publish_built_in(session: AsyncSession, *names: str, publisher: str = "0363") -> None:
    for name in names or ("verhuizing-doorgeven", "aangifte-overlijden", "uittreksel-brp"):
        await publish_folder(session, package_path(name), publisher)
