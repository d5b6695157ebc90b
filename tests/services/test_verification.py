"""Verification codes and /verifieer: codes are random, typed back in any reasonable way and a mistyped character is
caught; a code's page shows the kind of document, the municipality and the date but no personal data; the genuine PDF
verifies, a changed one or another code's does not; unknown and malformed codes say so; axe finds no violations."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from plein.db import make_engine, make_session_factory
from plein.organisations import service as organisations
from plein.services import documents, verification, verification_views
from plein.settings import Settings
from tests.services.helpers import csrf_token

AMSTERDAM = "0363"
BSN = "999993653"
TEMPLATE = "<p>Naam: {{ persoon.naam }}</p><p>BSN: {{ persoon.bsn }}</p><p>Geboren: {{ persoon.geboren | datum }}</p>"
DATA = {"persoon": {"naam": "Jan de Vries", "bsn": BSN, "geboren": "1980-05-01"}}
PERSONAL = ("Jan de Vries", "Vries", BSN, "1 mei 1980", "1980-05-01")


async def issue_document(session: AsyncSession, title: str = "Uittreksel BRP") -> documents.Rendered:
    organisation = await organisations.get_by_code(session, AMSTERDAM)
    rendered = await documents.render(session, template=TEMPLATE, data=DATA, organisation=organisation,
                                      title=title, base_url="http://plein.test", verifiable=True)
    await session.commit()
    return rendered


# --- the codes --------------------------------------------------------------------------------------------------


def test_a_new_code_is_twenty_unambiguous_characters_with_a_check_character() -> None:
    codes = {verification.new_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert len(code) == 20 and set(code) <= set(verification.ALPHABET)
        assert verification.normalise(code) == code
    assert not set("ILOU") & set(verification.ALPHABET)
    assert verification.RANDOM_CHARACTERS * 5 >= 80  # at least 80 random bits


def test_a_code_is_read_back_as_people_type_it() -> None:
    code = verification.new_code()
    shown = verification.display(code)
    assert re.fullmatch(r"([0-9A-Z]{4}-){4}[0-9A-Z]{4}", shown)
    assert verification.normalise(shown) == code
    assert verification.normalise(f"  {shown.lower()} ") == code
    assert verification.normalise(" ".join(shown.split("-"))) == code
    values = [0, 1, 1, *range(2, 18)]  # a code with 0 and 1 in it, typed as O, I and L
    with_digits = "".join(verification.ALPHABET[value] for value in values) + verification._check_character(values)
    assert verification.normalise("OIL" + with_digits[3:]) == with_digits


@given(st.integers(min_value=0, max_value=19), st.integers(min_value=1, max_value=31))
def test_one_mistyped_character_makes_a_code_malformed(position: int, shift: int) -> None:
    code = verification.new_code()
    changed = verification.ALPHABET[(verification.ALPHABET.index(code[position]) + shift) % 32]
    assert verification.normalise(code[:position] + changed + code[position + 1:]) is None


@pytest.mark.parametrize("text", ["", "ABCD", "ABCD-EFGH-JKMN-PQRS-TVW!", "x" * 20, "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01"])
def test_text_that_cannot_be_a_code_is_malformed(text: str) -> None:
    assert verification.normalise(text) is None


# --- issuing, looking up, linking, withdrawing --------------------------------------------------------------------


async def test_issue_record_link_and_withdraw(session: AsyncSession) -> None:
    issued = verification.issue(session, kind="Akte van overlijden", municipality=AMSTERDAM)
    await session.flush()
    with pytest.raises(verification.UnknownCode):  # not finished: no document has this code yet
        await verification.look_up(session, issued.code)
    verification.record_hash(issued, "a" * 64)
    with pytest.raises(Exception, match="another document"):
        verification.record_hash(issued, "b" * 64)
    zaak, document = uuid.uuid4(), uuid.uuid4()
    verification.link_document(issued, zaak_id=zaak, document_id=document)
    await session.commit()
    found = await verification.look_up(session, verification.display(issued.code).lower())
    assert (found.kind, found.municipality, found.sha256) == ("Akte van overlijden", AMSTERDAM, "a" * 64)
    assert (found.zaak_id, found.document_id, found.withdrawn_at) == (zaak, document, None)
    await verification.withdraw(session, issued.code)
    await session.commit()
    assert (await verification.look_up(session, issued.code)).withdrawn_at is not None
    with pytest.raises(verification.MalformedCode):
        await verification.look_up(session, issued.code[:-1] + ("0" if issued.code[-1] != "0" else "1"))


# --- the pages --------------------------------------------------------------------------------------------------


async def upload(client: httpx.AsyncClient, code: str, content: bytes, token: str | None = None) -> httpx.Response:
    if token is None:
        token = await csrf_token(client, f"/verifieer/{code}")
    return await client.post(f"/verifieer/{code}", data={"csrf_token": token},
                             files={"bestand": ("document.pdf", content, "application/pdf")})


async def test_a_codes_page_shows_kind_municipality_and_date_but_no_personal_data(
        client: httpx.AsyncClient, session: AsyncSession) -> None:
    rendered = await issue_document(session)
    assert rendered.verification_code is not None
    page = await client.get(f"/verifieer/{rendered.verification_code}")
    assert page.status_code == 200
    for expected in ("Uittreksel BRP", "Gemeente Amsterdam", "Deze code is bekend", rendered.verification_code):
        assert expected in page.text
    found = await verification.look_up(session, rendered.verification_code)
    assert f"{found.issued_at.year}" in page.text
    for personal in PERSONAL:
        assert personal not in page.text, f"the public page shows {personal!r}"
    after_check = await upload(client, rendered.verification_code, rendered.content)
    for personal in PERSONAL:
        assert personal not in after_check.text, f"the page after a check shows {personal!r}"


async def test_the_genuine_pdf_verifies_and_a_changed_one_does_not(client: httpx.AsyncClient,
                                                                   session: AsyncSession) -> None:
    rendered = await issue_document(session)
    code = rendered.verification_code
    assert code is not None
    genuine = await upload(client, code, rendered.content)
    assert genuine.status_code == 200
    assert "Het bestand is echt en ongewijzigd" in genuine.text
    middle = len(rendered.content) // 2
    changed = rendered.content[:middle] + bytes([rendered.content[middle] ^ 0x01]) + rendered.content[middle + 1:]
    answer = await upload(client, code, changed)
    assert answer.status_code == 200
    assert "Dit bestand is niet het echte document" in answer.text
    assert "echt en ongewijzigd" not in answer.text


async def test_another_codes_pdf_says_which_code_it_belongs_to(client: httpx.AsyncClient,
                                                               session: AsyncSession) -> None:
    first, second = await issue_document(session), await issue_document(session, "Akte van overlijden")
    assert first.verification_code and second.verification_code
    answer = await upload(client, first.verification_code, second.content)
    assert "Dit bestand hoort bij een andere code" in answer.text
    assert f'href="/verifieer/{second.verification_code}"' in answer.text
    assert "echt en ongewijzigd" not in answer.text


async def test_a_withdrawn_document_says_so_even_when_the_file_is_genuine(client: httpx.AsyncClient,
                                                                          session: AsyncSession) -> None:
    rendered = await issue_document(session)
    assert rendered.verification_code
    await verification.withdraw(session, rendered.verification_code)
    await session.commit()
    page = await client.get(f"/verifieer/{rendered.verification_code}")
    assert "ingetrokken" in page.text and "Deze code is bekend." not in page.text
    answer = await upload(client, rendered.verification_code, rendered.content)
    assert "ingetrokken" in answer.text and "Het geldt niet meer" in answer.text


async def test_an_unknown_code_says_so(client: httpx.AsyncClient) -> None:
    code = verification.display(verification.new_code())
    page = await client.get(f"/verifieer/{code}")
    assert page.status_code == 404
    assert f"De verificatiecode {code} is niet bekend" in page.text
    assert "Deze code is bekend" not in page.text


@pytest.mark.parametrize("code", ["ABCD-EFGH", "hallo", "ABCD-EFGH-JKMN-PQRS-TVW%21"])
async def test_a_malformed_code_says_so(client: httpx.AsyncClient, code: str) -> None:
    page = await client.get(f"/verifieer/{code}")
    assert page.status_code == 404
    assert "Dit is geen geldige verificatiecode" in page.text


async def test_a_mistyped_code_of_a_real_document_is_malformed_not_unknown(client: httpx.AsyncClient,
                                                                           session: AsyncSession) -> None:
    rendered = await issue_document(session)
    assert rendered.verification_code
    code = rendered.verification_code
    typo = code[:3] + ("Z" if code[3] != "Z" else "Y") + code[4:]
    page = await client.get(f"/verifieer/{typo}")
    assert page.status_code == 404 and "Dit is geen geldige verificatiecode" in page.text


async def test_the_entry_form_goes_to_the_codes_page(client: httpx.AsyncClient) -> None:
    code = verification.new_code()
    form = await client.get("/verifieer")
    assert form.status_code == 200 and 'name="code"' in form.text
    answer = await client.get("/verifieer", params={"code": verification.display(code).lower()})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/verifieer/{verification.display(code)}"
    bad = await client.get("/verifieer", params={"code": "12345"})
    assert bad.status_code == 400 and "Dit is geen geldige verificatiecode" in bad.text
    empty = await client.get("/verifieer", params={"code": " "})
    assert empty.status_code == 400 and "Vul de verificatiecode in" in empty.text


async def test_a_check_needs_the_csrf_token_and_a_file(client: httpx.AsyncClient, session: AsyncSession) -> None:
    rendered = await issue_document(session)
    code = rendered.verification_code
    assert code
    forged = await upload(client, code, rendered.content, token="niet-het-goede-token")
    assert forged.status_code == 403
    token = await csrf_token(client, f"/verifieer/{code}")
    nothing = await client.post(f"/verifieer/{code}", data={"csrf_token": token},
                                files={"bestand": ("", b"", "application/octet-stream")})
    assert nothing.status_code == 400 and "Kies het PDF-bestand" in nothing.text
    empty = await upload(client, code, b"", token)
    assert empty.status_code == 400 and "leeg" in empty.text


async def test_a_file_larger_than_any_document_is_refused(client: httpx.AsyncClient, session: AsyncSession,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    rendered = await issue_document(session)
    code = rendered.verification_code
    assert code
    token = await csrf_token(client, f"/verifieer/{code}")
    monkeypatch.setattr(verification_views, "MAX_PDF_BYTES", 10_000)
    monkeypatch.setattr(verification_views, "FORM_OVERHEAD", 200_000)
    read = await upload(client, code, b"%PDF-" + b"0" * 20_000, token)  # past the limit, within the body check
    assert read.status_code == 413 and "groter dan" in read.text
    monkeypatch.setattr(verification_views, "FORM_OVERHEAD", 0)
    header = await upload(client, code, b"%PDF-" + b"0" * 9_950, token)  # a file within the limit, its body not
    assert header.status_code == 413, "refused on Content-Length, before the form is read"


# --- in a real browser: axe-core on every /verifieer page -----------------------------------------------------


@pytest.fixture
def served_document(tmp_path: Path) -> Iterator[tuple[str, str, bytes]]:
    from tests.web.browser import running_server

    holder: dict[str, Any] = {}

    async def prepare(settings: Settings) -> None:
        engine = make_engine(settings)
        async with make_session_factory(engine)() as session:
            holder["rendered"] = await issue_document(session)
        await engine.dispose()

    with running_server(tmp_path, prepare) as url:
        rendered: documents.Rendered = holder["rendered"]
        assert rendered.verification_code
        yield url, rendered.verification_code, rendered.content


@pytest.mark.browser
def test_the_verification_pages_are_accessible(served_document: tuple[str, str, bytes], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.web.axe import assert_accessible
    from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, shot

    url, code, content = served_document
    genuine, changed = tmp_path / "echt.pdf", tmp_path / "gewijzigd.pdf"
    genuine.write_bytes(content)
    changed.write_bytes(content[:100] + bytes([content[100] ^ 0x20]) + content[101:])  # one byte changed
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(base_url=url, viewport=DESKTOP, locale="nl-NL").new_page()  # type: ignore[arg-type]

        def audit(name: str) -> None:
            shot(page, re.sub(r"\W+", "-", name).strip("-"))
            assert_accessible(page, name)
            page.set_viewport_size(PHONE)
            assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), name
            assert_accessible(page, f"{name} at 390 px")
            page.set_viewport_size(DESKTOP)

        page.goto("/verifieer")
        audit("/verifieer")
        page.get_by_label("Verificatiecode").fill("1234")
        page.get_by_role("button", name="Code controleren").click()
        expect(page.locator("#code-error")).to_contain_text("geen geldige verificatiecode")
        audit("/verifieer with an error")
        page.get_by_label("Verificatiecode").fill(code.lower())
        page.get_by_role("button", name="Code controleren").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Verificatiecode {code}")
        audit("/verifieer/{code}")
        page.get_by_label("PDF-bestand van het document").set_input_files(str(genuine))
        page.get_by_role("button", name="Bestand controleren").click()
        expect(page.locator("#uitkomst")).to_contain_text("Het bestand is echt en ongewijzigd")
        audit("/verifieer/{code} after a genuine file")
        page.get_by_label("PDF-bestand van het document").set_input_files(str(changed))
        page.get_by_role("button", name="Bestand controleren").click()
        expect(page.locator("#uitkomst")).to_contain_text("niet het echte document")
        audit("/verifieer/{code} after a changed file")
        page.get_by_role("button", name="Bestand controleren").click()
        expect(page.locator("#bestand-error")).to_contain_text("Kies het PDF-bestand")
        audit("/verifieer/{code} without a file")
        page.goto(f"/verifieer/{verification.display(verification.new_code())}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Verificatiecode niet bekend")
        audit("/verifieer/{unknown code}")
        page.goto("/verifieer/ABCD-EFGH")
        expect(page.get_by_role("heading", level=1)).to_have_text("Geen geldige verificatiecode")
        audit("/verifieer/{malformed code}")
        browser.close()

