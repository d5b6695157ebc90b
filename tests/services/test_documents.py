"""PDF documents from templates: the text a template says is in the PDF with the municipality's name and colours, the
PDF declares PDF/A-2b, the sandbox keeps templates from Python internals and from files, a verifiable document carries
its code and QR code and keeps its hash in the caller's transaction, and WeasyPrint runs outside the event loop."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import re
import time
from pathlib import Path
from typing import Any

import pypdf
import pytest
from pypdf.generic import ContentStream
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.organisations import service as organisations
from plein.organisations.models import Organisation
from plein.services import documents, verification

AMSTERDAM, UTRECHT = "0363", "0344"
BASE_URL = "https://plein.example"
TEMPLATE = """
<h2>Persoonsgegevens</h2>
<table class="gegevens">
  <tr><th scope="row">Naam</th><td>{{ persoon.naam }}</td></tr>
  <tr><th scope="row">Geboortedatum</th><td>{{ persoon.geboorte | datum }}</td></tr>
  <tr><th scope="row">Leges</th><td>{{ leges | euro }}</td></tr>
</table>
<p>Opgemaakt voor {{ gemeente.naam }} op {{ document.datum | datum }}.</p>
"""
DATA: dict[str, Any] = {"persoon": {"naam": "Jan de Vries", "geboorte": {"type": "Datum", "datum": "1980-05-01"}},
                        "leges": 16.1}


def text_of(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def operations(content: bytes) -> list[tuple[list[Any], bytes]]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    page = reader.pages[0]
    found: list[tuple[list[Any], bytes]] = ContentStream(page.get_contents(), reader).operations
    return found


def fill_colours(content: bytes) -> list[tuple[float, float, float]]:
    return [tuple(float(value) for value in operands)  # type: ignore[misc]
            for operands, operator in operations(content) if operator in (b"rg", b"RG") and len(operands) == 3]


def rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[index:index + 2], 16) / 255 for index in (1, 3, 5))  # type: ignore[return-value]


async def municipality(session: AsyncSession, code: str = AMSTERDAM) -> Organisation:
    return await organisations.get_by_code(session, code)


async def render(session: AsyncSession, template: str = TEMPLATE, *, verifiable: bool = False,
                 code: str = AMSTERDAM, data: dict[str, Any] | None = None) -> documents.Rendered:
    return await documents.render(session, template=template, data=DATA if data is None else data,
                                  organisation=await municipality(session, code), title="Uittreksel BRP",
                                  base_url=BASE_URL, verifiable=verifiable)


async def test_a_template_renders_to_a_pdf_with_its_text_and_the_municipality(session: AsyncSession) -> None:
    rendered = await render(session)
    assert rendered.content.startswith(b"%PDF-")
    assert rendered.sha256 == hashlib.sha256(rendered.content).hexdigest()
    assert rendered.verification_code is None
    text = text_of(rendered.content)
    for expected in ("Uittreksel BRP", "Jan de Vries", "1 mei 1980", "€ 16,10", "Gemeente Amsterdam",
                     "Opgemaakt voor Gemeente Amsterdam op", "Pagina 1 van 1"):
        assert expected in text, f"{expected!r} is not in the PDF's text: {text}"
    assert "verificatiecode" not in text.lower()
    assert re.fullmatch(r"uittreksel-brp-\d{4}-\d{2}-\d{2}\.pdf", rendered.filename)


async def test_the_pdf_declares_pdf_a_2b_with_its_metadata(session: AsyncSession) -> None:
    reader = pypdf.PdfReader(io.BytesIO((await render(session)).content))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r'pdfaid:part(="|>)2', xmp) and re.search(r'pdfaid:conformance(="|>)B', xmp), xmp
    intents = reader.trailer["/Root"]["/OutputIntents"]
    assert [intent.get_object()["/S"] for intent in intents] == ["/GTS_PDFA1"]  # the sRGB output intent
    assert reader.metadata is not None
    assert reader.metadata.title == "Uittreksel BRP"
    assert reader.metadata.author == "Gemeente Amsterdam"
    assert reader.trailer["/Root"]["/Lang"] == "nl"


async def test_the_pdf_carries_the_municipalitys_theme(session: AsyncSession) -> None:
    amsterdam = fill_colours((await render(session)).content)
    utrecht = fill_colours((await render(session, code=UTRECHT)).content)

    def has(colours: list[tuple[float, float, float]], colour: str) -> bool:
        return any(all(abs(a - b) < 0.002 for a, b in zip(found, rgb(colour), strict=True)) for found in colours)

    assert has(amsterdam, "#d40000") and not has(amsterdam, "#1c2b3a")  # Amsterdam's red
    assert has(utrecht, "#1c2b3a") and not has(utrecht, "#d40000")  # Utrecht's dark header


@pytest.mark.parametrize("template", [
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ persoon.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ persoon.update({'naam': 'iemand anders'}) }}{{ persoon.naam }}",
    "{% set lijst = [1] %}{{ lijst.append(2) }}",
    "{{ range(10 ** 9) | list | length }}",
])
def test_the_sandbox_keeps_templates_from_python_internals_and_from_changing_data(template: str) -> None:
    with pytest.raises(documents.TemplateError):
        documents.fill(template, {"persoon": {"naam": "Jan"}})


def test_a_name_the_data_lacks_is_an_error_not_a_blank() -> None:
    with pytest.raises(documents.TemplateError, match="onbekend"):
        documents.fill("Naam: {{ persoon.onbekend }}", {"persoon": {"naam": "Jan"}})
    with pytest.raises(documents.TemplateError, match="line 2"):
        documents.fill("regel een\n{% if %}", {})


def test_data_is_escaped() -> None:
    assert documents.fill("{{ naam }}", {"naam": "<b>Jan</b>"}) == "&lt;b&gt;Jan&lt;/b&gt;"


async def test_a_template_loads_nothing_from_outside(session: AsyncSession, tmp_path: Path) -> None:
    stylesheet = tmp_path / "lek.css"
    stylesheet.write_text('main::after { content: "UITGELEKT"; }')
    template = f'<link rel="stylesheet" href="{stylesheet.as_uri()}"><p>Binnen</p>'
    text = text_of((await render(session, template)).content)
    assert "Binnen" in text and "UITGELEKT" not in text


def test_the_dutch_filters() -> None:
    assert documents.datum("2026-12-07") == "7 december 2026"
    assert documents.datum(dt.date(2026, 1, 3)) == "3 januari 2026"
    assert documents.datum(dt.datetime(2026, 6, 1, 12, 30, tzinfo=dt.UTC), with_time=True) == "1 juni 2026 14:30"
    assert documents.datum({"type": "JaarMaandDatum", "jaar": 1980, "maand": 5}) == "mei 1980"
    assert documents.datum({"type": "DatumOnbekend"}) == "onbekend"
    assert documents.datum(None) == ""
    assert documents.euro(1234.5) == "€ 1.234,50"
    assert documents.euro("0") == "€ 0,00"


async def test_a_verifiable_document_carries_its_code_and_qr_and_keeps_its_hash(session: AsyncSession) -> None:
    template = TEMPLATE + "<p>Code in de tekst: {{ verificatie.code }}</p>"
    rendered = await render(session, template, verifiable=True)
    code = rendered.verification_code
    assert code is not None and re.fullmatch(r"([0-9A-Z]{4}-){4}[0-9A-Z]{4}", code)
    text = text_of(rendered.content)
    assert f"Code in de tekst: {code}" in text
    assert f"Verificatiecode: {code}" in text and f"{BASE_URL}/verifieer/{code}" in text
    plain = operations((await render(session)).content)
    with_qr = operations(rendered.content)
    # the QR code is drawn as a path of hundreds of strokes, which the same document without it does not have
    moves = [sum(1 for _, operator in ops if operator == b"m") for ops in (plain, with_qr)]
    assert moves[1] - moves[0] > 200, moves
    found = await verification.look_up(session, code)
    assert found.sha256 == rendered.sha256 == hashlib.sha256(rendered.content).hexdigest()
    assert (found.kind, found.municipality) == ("Uittreksel BRP", AMSTERDAM)


def test_the_qr_code_is_inline_svg_of_the_url() -> None:
    svg = str(documents.qr_svg(f"{BASE_URL}/verifieer/ABCD"))
    assert svg.startswith("<svg") and 'viewBox="' in svg and "<path" in svg
    assert f"QR-code naar {BASE_URL}/verifieer/ABCD" in svg


async def test_the_code_and_hash_are_written_in_the_callers_transaction(session: AsyncSession) -> None:
    rendered = await render(session, verifiable=True)
    assert rendered.verification_code is not None
    assert (await verification.look_up(session, rendered.verification_code)).sha256 == rendered.sha256
    await session.rollback()
    canonical = verification.normalise(rendered.verification_code)
    assert await session.get(verification.Verificatie, canonical) is None  # neither the code nor its hash stayed


async def test_rendering_leaves_the_event_loop_free(session: AsyncSession, monkeypatch: pytest.MonkeyPatch) -> None:
    def slow_pdf(html: str, theme_text: str) -> bytes:
        time.sleep(0.3)  # as long as a long document takes
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(documents, "write_pdf", slow_pdf)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    await render(session)
    task.cancel()
    assert ticks >= 10, f"the event loop ran {ticks} times during a 0.3 s rendering"


async def test_a_template_error_is_reported_before_a_code_is_kept(session: AsyncSession) -> None:
    with pytest.raises(documents.TemplateError):
        await render(session, "{{ niet_bestaand }}", verifiable=True)
    await session.rollback()  # the caller's transaction fails as a whole: the code it issued goes with it
    assert not (await session.scalars(select(verification.Verificatie))).all()
