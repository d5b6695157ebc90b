"""Test factories: app packages (from the built-in ones, changed as a test needs), clients and staff."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from plein.apps import package_path
from plein.auth.sealing import new_key
from plein.auth.service import create_client, create_user, make_jwt

AMSTERDAM = "0363"
SEALING_KEY = new_key()  # a PLEIN_CLIENT_SECRET_KEYS for settings of production in tests
LOG_SIGNING_KEY = "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s="  # a PLEIN_LOG_SIGNING_KEY (32 bytes, base64), ditto
UTRECHT = "0344"
ROTTERDAM = "0599"


def make_package(tmp_path: Path, base: str = "verhuizing-doorgeven", *, version: str | None = None,
                 manifest: dict[str, Any] | None = None, publiccode: dict[str, Any] | None = None,
                 name: str | None = None, service: bool = True) -> Path:
    """A copy of a built-in package in tmp_path, with top-level keys of plein.yaml/publiccode.yml replaced; with
    service=False the copy leaves out the service definition (service/), for a test about something else that
    changes the manifest so that the definition no longer fits it."""
    folder = tmp_path / (name or f"{base}-{version or 'base'}")
    shutil.copytree(package_path(base), folder)
    if not service:
        shutil.rmtree(folder / "service", ignore_errors=True)
    manifest_data = yaml.safe_load((folder / "plein.yaml").read_text())
    publiccode_data = yaml.safe_load((folder / "publiccode.yml").read_text())
    if version:
        manifest_data["version"] = version
        publiccode_data["softwareVersion"] = version
    manifest_data.update(manifest or {})
    publiccode_data.update(publiccode or {})
    (folder / "plein.yaml").write_text(yaml.safe_dump(manifest_data, allow_unicode=True, sort_keys=False))
    (folder / "publiccode.yml").write_text(yaml.safe_dump(publiccode_data, allow_unicode=True, sort_keys=False))
    return folder


def zip_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


async def client_headers(session: AsyncSession, client_id: str, organisation: str | None, roles: list[str],
                         all_rights: bool = False) -> dict[str, str]:
    """Register an API client and return the Authorization header a request of it carries."""
    _, secret = await create_client(session, client_id, organisation, roles, all_rights=all_rights)
    return {"Authorization": f"Bearer {make_jwt(client_id, secret)}"}


async def staff(session: AsyncSession, username: str, roles: list[tuple[str, str]], password: str = "wachtwoord-123"):
    return await create_user(session, username, password, username.title(), roles)

