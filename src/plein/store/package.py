"""Reading an app package from a folder, a .zip or a .tar.gz, safely: limits, no traversal, no links."""

from __future__ import annotations

import hashlib
import io
import stat
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from plein.store.findings import Finding

PUBLICCODE = "publiccode.yml"
MANIFEST = "plein.yaml"
OPENAPI = "openapi.yaml"
SERVICE = "service/service.yaml"
SERVICE_TEMPLATES = "service/templates/"


@dataclass(frozen=True)
class PackageLimits:
    """How large a package may be; the defaults come from settings."""

    max_archive_bytes: int = 20 * 1024 * 1024
    max_unpacked_bytes: int = 100 * 1024 * 1024
    max_files: int = 2000
    max_file_bytes: int = 20 * 1024 * 1024
    max_ratio: int = 100


@dataclass
class AppPackage:
    """The files of one package in memory, keyed by their path inside the package."""

    files: dict[str, bytes]
    archive: bytes
    archive_type: str
    source: str

    @property
    def sha256(self) -> str:
        """The checksum of the archive as received (for a folder: of its canonical zip)."""
        return hashlib.sha256(self.archive).hexdigest()

    @property
    def size(self) -> int:
        return len(self.archive)


@dataclass
class LoadResult:
    package: AppPackage | None
    findings: list[Finding] = field(default_factory=list)



def _number(value: int) -> str:
    """1.048.576: a number in Dutch notation, for the findings."""
    return f"{value:,}".replace(",", ".")

class PackageError(Exception):
    """The archive cannot be read as a package; the finding says why."""

    def __init__(self, rule: str, message: str, file: str | None = None) -> None:
        super().__init__(message)
        self.finding = Finding("archive", rule, "error", message, file=file)


def normalise_member(name: str) -> str:
    """A member path as stored: posix, relative, no `.` parts; raises on absolute paths or `..`."""
    cleaned = name.replace("\\", "/")
    path = PurePosixPath(cleaned)
    if cleaned.startswith("/") or (len(cleaned) > 1 and cleaned[1] == ":"):
        raise PackageError("archive.absolute-path", f"'{name}' is een absoluut pad; gebruik paden binnen het pakket")
    parts = [part for part in path.parts if part not in ("", ".")]
    if ".." in parts:
        raise PackageError("archive.path-traversal", f"'{name}' wijst buiten het pakket (bevat '..')")
    return "/".join(parts)


def load_package(path: Path, limits: PackageLimits | None = None) -> LoadResult:
    """Load a package from a folder or an archive file on disk."""
    limits = limits or PackageLimits()
    if path.is_dir():
        return _guard(lambda: _from_folder(path, limits))
    if not path.exists():
        error = Finding("archive", "archive.not-found", "error", f"{path} bestaat niet")
        return LoadResult(None, [error])
    size = path.stat().st_size
    if size > limits.max_archive_bytes:
        return LoadResult(None, [_too_large(size, limits)])
    return load_archive(path.read_bytes(), path.name, limits)


def load_archive(data: bytes, filename: str, limits: PackageLimits | None = None) -> LoadResult:
    """Load a package from the bytes of a .zip or .tar.gz upload."""
    limits = limits or PackageLimits()
    if len(data) > limits.max_archive_bytes:
        return LoadResult(None, [_too_large(len(data), limits)])
    if zipfile.is_zipfile(io.BytesIO(data)):
        return _guard(lambda: _from_zip(data, filename, limits))
    if _looks_like_tar(data):
        return _guard(lambda: _from_tar(data, filename, limits))
    error = Finding(
        "archive", "archive.format", "error",
        f"'{filename}' is geen .zip- of .tar.gz-archief; lever het pakket in een van die vormen aan",
    )
    return LoadResult(None, [error])


def _guard(load: object) -> LoadResult:
    try:
        return load()  # type: ignore[operator,no-any-return]
    except PackageError as exc:
        return LoadResult(None, [exc.finding])


def _too_large(size: int, limits: PackageLimits) -> Finding:
    return Finding(
        "archive", "archive.too-large", "error",
        f"het archief is {_number(size)} bytes; de grens is {_number(limits.max_archive_bytes)} bytes",
    )


def _looks_like_tar(data: bytes) -> bool:
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*"):
            return True
    except (tarfile.TarError, EOFError, OSError):
        return False


class _Collector:
    """Collects members while enforcing the limits on count, size and compression ratio."""

    def __init__(self, limits: PackageLimits) -> None:
        self.limits = limits
        self.files: dict[str, bytes] = {}
        self.total = 0

    def expect(self, name: str, declared_size: int, compressed_size: int | None = None) -> None:
        if len(self.files) >= self.limits.max_files:
            raise PackageError("archive.too-many-files", f"het pakket heeft meer dan {self.limits.max_files} bestanden")
        if declared_size > self.limits.max_file_bytes:
            raise PackageError(
                "archive.file-too-large",
                f"'{name}' is uitgepakt {_number(declared_size)} bytes; één bestand mag hoogstens "
                f"{_number(self.limits.max_file_bytes)} bytes zijn", file=name,
            )
        if compressed_size and declared_size > 1024 * 1024 and declared_size / compressed_size > self.limits.max_ratio:
            raise PackageError(
                "archive.compression-ratio",
                f"'{name}' wordt uitgepakt meer dan {self.limits.max_ratio} keer zo groot (een zipbom?); het pakket "
                "wordt geweigerd",
                file=name,
            )

    def add(self, name: str, content: bytes) -> None:
        key = normalise_member(name)
        if not key:
            return
        if key in self.files:
            raise PackageError("archive.duplicate-member", f"'{key}' komt twee keer voor in het archief", file=key)
        self.total += len(content)
        if self.total > self.limits.max_unpacked_bytes:
            raise PackageError(
                "archive.unpacked-too-large",
                f"het pakket is uitgepakt meer dan {_number(self.limits.max_unpacked_bytes)} bytes",
            )
        self.files[key] = content

    def package(self, archive: bytes, archive_type: str, source: str) -> LoadResult:
        return LoadResult(AppPackage(_strip_single_root(self.files), archive, archive_type, source))


def _read_limited(stream: IO[bytes], name: str, limit: int) -> bytes:
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise PackageError(
            "archive.file-too-large", f"'{name}' is uitgepakt meer dan {_number(limit)} bytes", file=name
        )
    return content


def _from_zip(data: bytes, filename: str, limits: PackageLimits) -> LoadResult:
    collector = _Collector(limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise PackageError("archive.corrupt", f"'{filename}' is geen leesbaar zip-archief: {exc}") from exc
    with archive:
        for info in archive.infolist():
            name = normalise_member(info.filename)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise PackageError("archive.link", f"'{name}' is een symbolische link; links zijn niet toegestaan",
                                   file=name)
            if info.is_dir():
                continue
            collector.expect(name, info.file_size, info.compress_size)
            with archive.open(info) as member:
                collector.add(name, _read_limited(member, name, limits.max_file_bytes))
    return collector.package(data, "zip", filename)


def _from_tar(data: bytes, filename: str, limits: PackageLimits) -> LoadResult:
    collector = _Collector(limits)
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            for member in archive:
                _add_tar_member(archive, member, collector, len(data))
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise PackageError("archive.corrupt", f"'{filename}' is geen leesbaar tar-archief: {exc}") from exc
    return collector.package(data, "tar.gz", filename)


def _add_tar_member(archive: tarfile.TarFile, member: tarfile.TarInfo, collector: _Collector, size: int) -> None:
    name = normalise_member(member.name)
    if member.issym() or member.islnk():
        raise PackageError("archive.link", f"'{name}' is een link; links zijn niet toegestaan", file=name)
    if member.isdir():
        return
    if not member.isfile():
        raise PackageError("archive.special-file", f"'{name}' is geen gewoon bestand", file=name)
    collector.expect(name, member.size, size)
    stream = archive.extractfile(member)
    if stream is None:
        raise PackageError("archive.corrupt", f"'{name}' is niet te lezen", file=name)
    with stream:
        collector.add(name, _read_limited(stream, name, collector.limits.max_file_bytes))


def _from_folder(root: Path, limits: PackageLimits) -> LoadResult:
    collector = _Collector(limits)
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_symlink():
            raise PackageError("archive.link", f"'{relative}' is een symbolische link; links zijn niet toegestaan",
                               file=relative)
        if path.is_dir() or any(part.startswith(".") for part in PurePosixPath(relative).parts):
            continue
        collector.expect(relative, path.stat().st_size)
        collector.add(relative, path.read_bytes())
    return collector.package(canonical_zip(collector.files), "zip", root.name)


def canonical_zip(files: dict[str, bytes]) -> bytes:
    """The same files always give the same zip (sorted names, fixed timestamps), so a folder has a stable sha256."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name], compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _strip_single_root(files: dict[str, bytes]) -> dict[str, bytes]:
    """Archives often wrap the package in one folder; look inside it when the root has no publiccode.yml."""
    if PUBLICCODE in files or not files:
        return files
    roots = {name.split("/", 1)[0] for name in files}
    if len(roots) == 1 and all("/" in name for name in files):
        prefix = roots.pop() + "/"
        return {name[len(prefix):]: content for name, content in files.items()}
    return files
