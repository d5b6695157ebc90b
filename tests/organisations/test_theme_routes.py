"""Themes in the database and over HTTP: the seeded demo themes, setting a theme, the CSS (ETag, 304), the logo (no
script) and the preview page."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import NotFound
from plein.organisations import themes
from plein.organisations.models import Organisation
from plein.organisations.service import get_by_code, load_municipalities, set_theme
from plein.organisations.themes import ThemeError
from tests.web.test_pages import log_in

SCRIPTED = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)">'
            "<script>alert(2)</script></svg>")


async def stored_theme(session: AsyncSession, code: str) -> dict[str, object]:
    session.expire_all()
    return dict((await get_by_code(session, code)).theme)


async def write_past_the_checks(session: AsyncSession, code: str, theme: dict[str, object]) -> None:
    await session.execute(update(Organisation).where(Organisation.code == code).values(theme=theme))
    await session.commit()


async def test_every_database_has_the_demo_themes(session: AsyncSession) -> None:
    for code, logo in (("0363", "amsterdam.svg"), ("0344", "utrecht.svg"), ("0518", "den-haag.svg")):
        theme = await stored_theme(session, code)
        assert theme["version"] == 1 and theme["logoFile"] == logo and "primary" in theme
    assert await stored_theme(session, "0014") == {}  # Groningen: the default theme


async def test_loading_again_never_overwrites_a_theme_a_beheerder_set(session: AsyncSession) -> None:
    own = {"primary": "#005a30", "headerBackground": "#ffffff"}
    await set_theme(session, "0363", own)
    await set_theme(session, "0344", {})  # the default look, chosen on purpose
    await load_municipalities(session)
    assert await stored_theme(session, "0363") == {"version": 1, **own}
    assert await stored_theme(session, "0344") == {"version": 1}
    await write_past_the_checks(session, "0518", {})  # no theme at all: the demo theme comes back
    await load_municipalities(session)
    assert (await stored_theme(session, "0518"))["logoFile"] == "den-haag.svg"


async def test_set_theme_refuses_an_inaccessible_theme_and_keeps_the_old_one(session: AsyncSession) -> None:
    before = await stored_theme(session, "0363")
    with pytest.raises(ThemeError) as caught:
        await set_theme(session, "0363", {"primary": "#ffd200"})
    assert {problem.name for problem in caught.value.invalid_params} >= {"primaryText", "primary"}
    assert await stored_theme(session, "0363") == before
    with pytest.raises(NotFound):
        await set_theme(session, "9999", {})


async def test_theme_css_with_etag_and_304(client: httpx.AsyncClient, session: AsyncSession) -> None:
    response = await client.get("/thema/0363.css")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
    assert ".plein-theme--0363 {" in response.text
    assert "--utrecht-button-primary-action-background-color: #d40000;" in response.text
    assert response.headers["cache-control"] == "public, max-age=300"
    tag = response.headers["etag"]
    assert tag.startswith('"') and tag.endswith('"')
    for header in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        again = await client.get("/thema/0363.css", headers={"If-None-Match": header})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    other = await client.get("/thema/0363.css", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    await set_theme(session, "0363", {"primary": "#005a30"})
    changed = await client.get("/thema/0363.css", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    assert "--utrecht-button-primary-action-background-color: #005a30;" in changed.text


async def test_default_theme_css_and_unknown_codes(client: httpx.AsyncClient) -> None:
    default = await client.get("/thema/standaard.css")
    assert default.status_code == 200 and default.text == themes.DEFAULT_THEME.css("standaard")
    groningen = await client.get("/thema/0014.css")
    assert ".plein-theme--0014 {" in groningen.text and "#154273" in groningen.text
    for path in ("/thema/9999.css", "/thema/9999/logo.svg", "/thema/9999", "/thema/a%20b.css"):
        assert (await client.get(path)).status_code == 404, path


async def test_a_stored_theme_that_fails_the_checks_gets_the_default_colours(
    client: httpx.AsyncClient, session: AsyncSession,
) -> None:
    await write_past_the_checks(session, "0363", {"version": 1, "primary": "#ffff00"})
    css = (await client.get("/thema/0363.css")).text
    assert ".plein-theme--0363 {" in css and "#ffff00" not in css and "#154273" in css
    page = (await client.get("/thema/0363")).text
    assert "De ingestelde huisstijl voldoet niet aan de controles." in page


async def test_logo_is_svg_that_cannot_run_script(client: httpx.AsyncClient, session: AsyncSession) -> None:
    response = await client.get("/thema/0363/logo.svg")
    assert response.status_code == 200 and response.headers["content-type"] == "image/svg+xml"
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy and "script-src" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.text.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "Amsterdam" in response.text
    again = await client.get("/thema/0363/logo.svg", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304

    with pytest.raises(ThemeError) as caught:
        await set_theme(session, "0363", {"logo": SCRIPTED})
    assert caught.value.invalid_params[0].name == "logo"
    await write_past_the_checks(session, "0363", {"version": 1, "logo": SCRIPTED})
    served = (await client.get("/thema/0363/logo.svg")).text
    assert "script" not in served and "onload" not in served and "<text" in served  # the wordmark instead


async def test_a_logo_set_as_svg_text_is_served_clean(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await set_theme(session, "0014", {"logo": '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
                                              'viewBox="0 0 20 10"><!-- ons logo --><rect width="20" height="10"/>'
                                              "</svg>"})
    served = (await client.get("/thema/0014/logo.svg")).text
    assert served == '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10"><rect width="20" height="10">' \
                     "</rect></svg>"
    wordmark = (await client.get("/thema/0344/logo.svg")).text
    assert "Utrecht" in wordmark
    default = (await client.get("/thema/standaard/logo.svg")).text
    assert "Voorbeeldstad" in default


async def test_preview_page_in_the_municipality_frame(client: httpx.AsyncClient) -> None:
    response = await client.get("/thema/0363")
    assert response.status_code == 200
    page = response.text
    assert '<html lang="nl" class="utrecht-document plein-theme plein-theme--0363">' in page
    assert '<link rel="stylesheet" href="/thema/0363.css">' in page
    assert 'src="/thema/0363/logo.svg" alt="Logo van gemeente Amsterdam, naar de startpagina"' in page
    assert '<a class="utrecht-skip-link' in page and 'href="#inhoud"' in page and '<main id="inhoud"' in page
    assert "<title>Huisstijl van gemeente Amsterdam — Gemeente Amsterdam</title>" in page
    assert 'aria-current="page"' in page and 'aria-label="Hoofdmenu"' in page
    assert "utrecht-button--primary-action" in page and "utrecht-button--secondary-action" in page
    assert 'aria-invalid="true"' in page and "utrecht-alert--warning" in page and "<table" in page
    assert "Dit is een testomgeving" in page and 'href="/inloggen?next=/thema/0363"' in page
    default = await client.get("/thema/standaard")
    assert "Standaardhuisstijl van Plein" in default.text and "plein-theme--standaard" in default.text


async def test_the_frame_shows_who_is_logged_in_with_a_logout_form(
    client: httpx.AsyncClient, session: AsyncSession,
) -> None:
    token = await log_in(client, session, "beheerder@0363", [("0363", "beheerder")])
    page = (await client.get("/thema/0363")).text
    assert '<span class="plein-visually-hidden">Ingelogd als </span>' in page
    assert '<form method="post" action="/logout"' in page and f'value="{token}"' in page
    assert ">Uitloggen</button>" in page and "/inloggen?next=" not in page


async def test_the_store_uses_the_default_theme(client: httpx.AsyncClient) -> None:
    page = (await client.get("/")).text
    assert 'class="utrecht-document plein-theme plein-theme--standaard"' in page
    assert '<link rel="stylesheet" href="/thema/standaard.css">' in page
