"""`plein store check` and `plein store publish`: linter-style reports and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plein.apps import package_path
from plein.cli import app
from plein.demo import demo_package
from tests.factories import make_package, zip_folder

runner = CliRunner()


def test_check_passes_a_good_package() -> None:
    result = runner.invoke(app, ["store", "check", str(package_path("uittreksel-brp"))])
    assert result.exit_code == 0, result.output
    assert "Verdict: accepted" in result.output


def test_check_reports_like_a_linter_and_exits_1() -> None:
    result = runner.invoke(app, ["store", "check", str(demo_package("parkeervergunning-aanvragen"))],
                           env={"COLUMNS": "300"})
    assert result.exit_code == 1
    assert "publiccode.yml:6  error  publiccode.date" in result.output
    assert "plein.yaml:16  error  data.unknown-field" in result.output


def test_check_json_format(tmp_path: Path) -> None:
    archive = tmp_path / "app.zip"
    archive.write_bytes(zip_folder(demo_package("parkeervergunning-aanvragen")))
    result = runner.invoke(app, ["store", "check", str(archive), "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["verdict"] == "rejected"
    rules = {finding["rule"] for finding in report["findings"]}
    assert {"publiccode.date", "options.default-invalid", "data.unknown-field", "licence.not-open"} <= rules
    assert all({"rule", "severity", "message", "check"} <= set(finding) for finding in report["findings"])


def test_check_text_shows_a_regular_expression_in_a_message_as_it_is(tmp_path: Path) -> None:
    folder = make_package(tmp_path, manifest={"id": "Verhuizing_Doorgeven"})
    result = runner.invoke(app, ["store", "check", str(folder)], env={"COLUMNS": "300"})
    assert result.exit_code == 1
    assert "id: \"Verhuizing_Doorgeven\" past niet bij het patroon ^[a-z0-9]+(-[a-z0-9]+)*$ (regel: pattern)" in \
        result.output


def test_check_of_a_missing_path() -> None:
    result = runner.invoke(app, ["store", "check", "/does/not/exist"])
    assert result.exit_code == 1
    assert "archive.not-found" in result.output


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("PLEIN_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    return path


def test_publish_then_duplicate(database: Path) -> None:
    folder = str(package_path("uittreksel-brp"))
    first = runner.invoke(app, ["store", "publish", folder, "--publisher", "0363"])
    assert first.exit_code == 0, first.output
    assert "Published uittreksel-brp 2.1.0" in first.output
    again = runner.invoke(app, ["store", "publish", folder, "--publisher", "0363"])
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_publish_rejected_and_unknown_publisher(database: Path) -> None:
    rejected = runner.invoke(app, ["store", "publish", str(demo_package("parkeervergunning-aanvragen")),
                                   "--publisher", "0599"])
    assert rejected.exit_code == 1
    assert "Rejected" in rejected.output
    unknown = runner.invoke(app, ["store", "publish", str(package_path("uittreksel-brp")), "--publisher", "9999"])
    assert unknown.exit_code == 1
    assert "no organisation with code '9999'" in unknown.output
