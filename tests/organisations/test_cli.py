"""`plein organisations theme CODE FILE`: set a theme from YAML or JSON, with a logo file; refusals name the token
and the contrast ratio."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from plein.cli import app
from plein.db import make_engine, make_session_factory
from plein.organisations.service import get_by_code
from plein.settings import Settings

runner = CliRunner()
LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><rect width="40" height="10"/></svg>'


def env(settings: Settings) -> dict[str, str]:
    return {"PLEIN_DATABASE_URL": settings.database_url, "PLEIN_ENV": "test", "COLUMNS": "300"}


def stored(settings: Settings, code: str) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        engine = make_engine(settings)
        try:
            async with make_session_factory(engine)() as session:
                return dict((await get_by_code(session, code)).theme)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_theme_from_yaml_and_from_json_with_a_logo(settings: Settings, tmp_path: Path) -> None:
    theme = tmp_path / "groningen.yaml"
    theme.write_text("# huisstijl\nprimary: '#005a30'\nheaderBackground: '#FFFFFF'\nfontFamily: Arial, sans-serif\n")
    result = runner.invoke(app, ["organisations", "theme", "0014", str(theme)], env=env(settings))
    assert result.exit_code == 0, result.output
    assert "Theme of Groningen (0014) set. Preview: http://127.0.0.1:8000/thema/0014" in result.output
    assert stored(settings, "0014") == {"version": 1, "primary": "#005a30", "headerBackground": "#ffffff",
                                        "fontFamily": "Arial, sans-serif"}

    tokens = tmp_path / "theme.json"
    tokens.write_text(json.dumps({"primary": "#154273"}))
    logo = tmp_path / "logo.svg"
    logo.write_text(LOGO)
    result = runner.invoke(app, ["organisations", "theme", "0014", str(tokens), "--logo", str(logo)],
                           env=env(settings))
    assert result.exit_code == 0, result.output
    assert stored(settings, "0014")["logo"] == LOGO.replace("/>", "></rect>")


def test_a_refused_theme_names_the_token_and_the_ratio(settings: Settings, tmp_path: Path) -> None:
    before = stored(settings, "0363")
    theme = tmp_path / "theme.yaml"
    theme.write_text("primary: '#ffd200'\nprimaryText: '#ffffff'\nlink: '#154273'\nprimaryHover: '#154273'\n")
    result = runner.invoke(app, ["organisations", "theme", "0363", str(theme)], env=env(settings))
    assert result.exit_code == 1
    assert "the theme is refused" in result.output
    assert "primaryText (#ffffff) on primary (#ffd200) has a contrast of 1.45:1; at least 4.5:1 is needed" in \
        result.output
    assert stored(settings, "0363") == before

    logo = tmp_path / "logo.svg"
    logo.write_text(LOGO.replace("<rect", '<rect onclick="alert(1)"'))
    result = runner.invoke(app, ["organisations", "theme", "0363", str(tmp_path / "theme.yaml"), "--logo", str(logo)],
                           env=env(settings))
    assert result.exit_code == 1 and "attribute 'onclick' on <rect> is not allowed" in result.output


def test_bad_files_and_codes(settings: Settings, tmp_path: Path) -> None:
    text = tmp_path / "theme.txt"
    text.write_text("primary: '#000000'")
    result = runner.invoke(app, ["organisations", "theme", "0363", str(text)], env=env(settings))
    assert result.exit_code == 2 and ".json, .yaml or .yml" in result.output
    broken = tmp_path / "theme.json"
    broken.write_text("{primary")
    result = runner.invoke(app, ["organisations", "theme", "0363", str(broken)], env=env(settings))
    assert result.exit_code == 1 and "cannot read the theme" in result.output
    result = runner.invoke(app, ["organisations", "theme", "0363", str(tmp_path / "missing.yaml")], env=env(settings))
    assert result.exit_code == 1 and "cannot read the theme" in result.output
    empty = tmp_path / "empty.yaml"
    empty.write_text("{}")
    result = runner.invoke(app, ["organisations", "theme", "9999", str(empty)], env=env(settings))
    assert result.exit_code == 1 and "No organisation has the code '9999'" in result.output
