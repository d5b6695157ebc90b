"""Reading packages safely: limits, zip bombs, path traversal, links, wrapped folders, checksums."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plein.store.package import PackageError, PackageLimits, load_archive, load_package, normalise_member


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def tar_bytes(add: list[tarfile.TarInfo], contents: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for info in add:
            data = (contents or {}).get(info.name)
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def rules(result: object) -> list[str]:
    return [finding.rule for finding in result.findings]  # type: ignore[attr-defined]


def test_zip_is_read_with_its_checksum() -> None:
    data = zip_bytes({"publiccode.yml": b"name: x\n", "plein.yaml": b"id: x\n"})
    result = load_archive(data, "app.zip")
    assert result.package is not None
    assert set(result.package.files) == {"publiccode.yml", "plein.yaml"}
    import hashlib

    assert result.package.sha256 == hashlib.sha256(data).hexdigest()


def test_single_wrapping_folder_is_looked_into() -> None:
    result = load_archive(zip_bytes({"app-1.0/publiccode.yml": b"a", "app-1.0/plein.yaml": b"b"}), "app.zip")
    assert result.package is not None and set(result.package.files) == {"publiccode.yml", "plein.yaml"}


def test_path_traversal_is_refused() -> None:
    result = load_archive(zip_bytes({"../../etc/passwd": b"root"}), "evil.zip")
    assert result.package is None and rules(result) == ["archive.path-traversal"]


def test_absolute_path_is_refused() -> None:
    info = tarfile.TarInfo("/etc/cron.d/evil")
    info.size = 1
    result = load_archive(tar_bytes([info], {"/etc/cron.d/evil": b"x"}), "evil.tar.gz")
    assert result.package is None and rules(result) == ["archive.absolute-path"]


def test_symlink_in_tar_is_refused() -> None:
    link = tarfile.TarInfo("publiccode.yml")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    result = load_archive(tar_bytes([link]), "link.tar.gz")
    assert result.package is None and rules(result) == ["archive.link"]


def test_symlink_in_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "publiccode.yml").symlink_to("/etc/passwd")
    result = load_package(tmp_path)
    assert result.package is None and rules(result) == ["archive.link"]


def test_zip_bomb_is_refused() -> None:
    bomb = zip_bytes({"publiccode.yml": b"0" * (30 * 1024 * 1024)})
    assert len(bomb) < 100_000
    result = load_archive(bomb, "bomb.zip")
    assert result.package is None
    assert rules(result)[0] in {"archive.compression-ratio", "archive.file-too-large"}


def test_unpacked_total_limit() -> None:
    members = {f"file{i}.txt": bytes(range(256)) * 400 for i in range(20)}
    limits = PackageLimits(max_unpacked_bytes=1_000_000)
    result = load_archive(zip_bytes(members, zipfile.ZIP_STORED), "big.zip", limits)
    assert result.package is None and rules(result) == ["archive.unpacked-too-large"]


def test_archive_size_limit() -> None:
    result = load_archive(b"x" * 2000, "huge.zip", PackageLimits(max_archive_bytes=1000))
    assert result.package is None and rules(result) == ["archive.too-large"]


def test_too_many_files() -> None:
    members = {f"f{i}": b"" for i in range(6)}
    result = load_archive(zip_bytes(members), "many.zip", PackageLimits(max_files=5))
    assert result.package is None and rules(result) == ["archive.too-many-files"]


def test_not_an_archive() -> None:
    result = load_archive(b"%PDF-1.4 hello", "file.pdf")
    assert result.package is None and rules(result) == ["archive.format"]


def test_folder_checksum_is_stable(tmp_path: Path) -> None:
    (tmp_path / "publiccode.yml").write_text("name: a")
    first = load_package(tmp_path).package
    second = load_package(tmp_path).package
    assert first is not None and second is not None and first.sha256 == second.sha256
    (tmp_path / "publiccode.yml").write_text("name: b")
    changed = load_package(tmp_path).package
    assert changed is not None and changed.sha256 != first.sha256


@given(st.lists(st.sampled_from(["a", "b", "..", ".", "", "c.txt"]), min_size=1, max_size=6))
def test_normalised_members_never_escape(parts: list[str]) -> None:
    name = "/".join(parts)
    try:
        normalised = normalise_member(name)
    except PackageError:
        assert ".." in parts or name.startswith("/")
        return
    assert ".." not in normalised.split("/")
    assert not normalised.startswith("/")


@pytest.mark.parametrize("name", ["C:/windows/x", "/abs", "a/../../b"])
def test_dangerous_names(name: str) -> None:
    with pytest.raises(PackageError):
        normalise_member(name)
