"""The business portal /zakelijk over HTTP: an employee sees the zaken of their company made by any colleague in any
municipality, with status history, documents and decision; never another company's; only for companies."""

from __future__ import annotations

import html
import re
import uuid
from urllib.parse import urlencode

import httpx
import pytest

from plein.services import zakelijk
from plein.services.models import Aanvraag
from tests.services.business import LINDE, MEER, Document, business_case, log_in_business
from tests.services.helpers import AMSTERDAM, UTRECHT, adopt, log_in_citizen, log_in_staff, publish_app

VERLOF = Document("Verlof tot begraven", "verlof-begraven.pdf", "zaakvertrouwelijk", b"%PDF-1.4 verlof\n%%EOF\n")
AKTE = Document("Akte van overlijden", "akte.pdf", "openbaar", b"%PDF-1.4 akte\n%%EOF\n")
NOTITIE = Document("Interne notitie", "notitie.pdf", "intern", b"%PDF-1.4 alleen voor de gemeente\n%%EOF\n")


@pytest.fixture
async def world(session) -> None:
    await publish_app(session)
    await adopt(session, AMSTERDAM, toestemmingHoofdbewoner=False)
    await adopt(session, UTRECHT, toestemmingHoofdbewoner=False)


@pytest.fixture
def storage(app):
    return app.state.storage


def browser(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """A second browser on the same app, with its own cookies (someone else logging in)."""
    return httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))


def page_text(response: httpx.Response) -> str:
    return html.unescape(response.text)


def document_links(page: str, aanvraag_id: uuid.UUID) -> list[str]:
    return re.findall(rf'href="(/zakelijk/zaken/{aanvraag_id}/documenten/[0-9a-f-]{{36}})"', page)


async def document_id(session, aanvraag: Aanvraag, titel: str) -> uuid.UUID:
    from plein.zgw.zaken import cases

    assert aanvraag.zaak_id is not None
    return next(item.id for item in await cases.documents(session, aanvraag.zaak_id) if item.titel == titel)


# --- who may look ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/zakelijk", f"/zakelijk/zaken/{uuid.uuid4()}",
                                  f"/zakelijk/zaken/{uuid.uuid4()}/documenten/{uuid.uuid4()}"])
async def test_without_a_login_every_page_goes_to_the_login(client, path) -> None:
    answer = await client.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/inloggen?" + urlencode({"next": path})


async def test_a_citizen_or_staff_member_is_told_it_is_for_companies(client, session, world, storage) -> None:
    case = await business_case(session, storage, LINDE, "Piet Verbeek", documents=[VERLOF])
    document = await document_id(session, case, VERLOF.titel)
    paths = ["/zakelijk", f"/zakelijk/zaken/{case.id}", f"/zakelijk/zaken/{case.id}/documenten/{document}"]
    await log_in_citizen(client, "999993653")
    for path in paths:
        answer = await client.get(path)
        assert answer.status_code == 403, path
        assert "de zakelijke omgeving is voor bedrijven" in page_text(answer).lower()
        assert VERLOF.inhoud not in answer.content
    async with browser(client) as staff:
        await log_in_staff(staff, session)
        for path in paths:
            assert (await staff.get(path)).status_code == 403, path


# --- the company's zaken --------------------------------------------------------------------------------------


async def test_an_employee_sees_the_zaken_of_colleagues_in_every_municipality(client, session, world,
                                                                             storage) -> None:
    piet = await business_case(session, storage, LINDE, "Piet Verbeek", AMSTERDAM)
    els = await business_case(session, storage, LINDE, "Els de Boer", UTRECHT, decided="toegekend",
                              branch="000037146588")
    other = await business_case(session, storage, MEER, "Karin van der Meer", AMSTERDAM)
    concept = Aanvraag(app=piet.app, release_id=piet.release_id, municipality=AMSTERDAM,
                       entry_municipality=AMSTERDAM, subject_kind="business", subject=LINDE,
                       acting_person="Piet Verbeek", answers={}, prefill={})
    session.add(concept)
    await session.commit()
    await log_in_business(client, LINDE, "Jan Jansen")
    answer = await client.get("/zakelijk")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    page = page_text(answer)
    assert "Zaken van Uitvaartzorg De Linde B.V." in page and "2 zaken" in page
    for case, who, where, status in ((piet, "Piet Verbeek", "Amsterdam", "ontvangen"),
                                     (els, "Els de Boer", "Utrecht", "toegekend")):
        assert f'href="/zakelijk/zaken/{case.id}">{case.zaak_identificatie}<span' in page
        row = page.split(f"/zakelijk/zaken/{case.id}", 1)[1].split("</tr>", 1)[0]
        assert all(text in row for text in ("Verhuizing doorgeven", who, where, status)), row
    assert "vestiging 000037146588" in page
    assert "Jan Jansen" in page  # who is logged in
    assert str(other.id) not in page and str(other.zaak_identificatie) not in page
    assert "Karin van der Meer" not in page
    assert str(concept.id) not in page  # a concept is no zaak yet
    assert (await client.get(f"/zakelijk/zaken/{concept.id}")).status_code == 404


async def test_the_zaak_page_shows_history_documents_and_decision(client, session, world, storage) -> None:
    case = await business_case(session, storage, LINDE, "Piet Verbeek", UTRECHT, documents=[VERLOF, AKTE, NOTITIE],
                               decided="afgewezen", reason="De arts heeft de verklaring niet ondertekend.")
    await log_in_business(client, LINDE, "Els de Boer")
    answer = await client.get(f"/zakelijk/zaken/{case.id}")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    page = page_text(answer)
    assert "Verhuizing doorgeven" in page and str(case.zaak_identificatie) in page
    assert "Utrecht" in page and "Piet Verbeek" in page
    assert "De aanvraag is afgewezen." in page and "De reden: De arts heeft de verklaring niet ondertekend." in page
    assert "Ontvangen" in page and "Afgehandeld" in page  # the status history
    links = document_links(answer.text, case.id)
    assert len(links) == 2 and "verlof-begraven.pdf" in page and "akte.pdf" in page
    assert "notitie.pdf" not in page and "Interne notitie" not in page  # intern stays with the municipality


async def test_documents_download_for_the_company_only(client, session, world, storage) -> None:
    mine = await business_case(session, storage, LINDE, "Piet Verbeek", documents=[VERLOF, NOTITIE])
    theirs = await business_case(session, storage, MEER, "Karin van der Meer", documents=[AKTE])
    verlof = await document_id(session, mine, VERLOF.titel)
    notitie = await document_id(session, mine, NOTITIE.titel)
    akte = await document_id(session, theirs, AKTE.titel)
    await log_in_business(client, LINDE, "Jan Jansen")
    download = await client.get(f"/zakelijk/zaken/{mine.id}/documenten/{verlof}")
    assert download.status_code == 200 and download.content == VERLOF.inhoud
    assert download.headers["cache-control"] == "no-store"
    assert download.headers["content-disposition"].startswith('attachment; filename="verlof-begraven.pdf"')
    assert download.headers["content-type"] == "application/pdf"
    for path in (f"/zakelijk/zaken/{mine.id}/documenten/{notitie}",  # intern
                 f"/zakelijk/zaken/{mine.id}/documenten/{akte}",  # another company's document, through my zaak
                 f"/zakelijk/zaken/{theirs.id}/documenten/{akte}",  # another company's zaak
                 f"/zakelijk/zaken/{mine.id}/documenten/{uuid.uuid4()}"):
        answer = await client.get(path)
        assert answer.status_code == 404, path
        assert AKTE.inhoud not in answer.content and NOTITIE.inhoud not in answer.content
    async with browser(client) as karin:  # the other company sees its own, and not mine
        await log_in_business(karin, MEER, "Karin van der Meer")
        assert (await karin.get(f"/zakelijk/zaken/{theirs.id}/documenten/{akte}")).content == AKTE.inhoud
        assert (await karin.get(f"/zakelijk/zaken/{mine.id}/documenten/{verlof}")).status_code == 404


async def test_another_companys_zaak_is_not_found(client, session, world, storage) -> None:
    theirs = await business_case(session, storage, MEER, "Karin van der Meer")
    await log_in_business(client, LINDE, "Jan Jansen")
    answer = await client.get(f"/zakelijk/zaken/{theirs.id}")
    assert answer.status_code == 404 and str(theirs.zaak_identificatie) not in answer.text
    assert (await client.get(f"/zakelijk/zaken/{uuid.uuid4()}")).status_code == 404
    assert "Nog geen zaken" in page_text(await client.get("/zakelijk"))


async def test_a_citizens_aanvraag_with_the_same_number_is_not_the_companys(client, session, world,
                                                                           storage) -> None:
    case = await business_case(session, storage, LINDE, "Piet Verbeek")
    case.subject_kind = "citizen"  # a citizen's aanvraag whose subject happens to read like the KvK number
    await session.commit()
    await log_in_business(client, LINDE, "Jan Jansen")
    assert (await client.get(f"/zakelijk/zaken/{case.id}")).status_code == 404
    assert str(case.id) not in (await client.get("/zakelijk")).text


async def test_a_long_list_comes_in_pages(client, session, world, storage, monkeypatch) -> None:
    monkeypatch.setattr(zakelijk, "PAGE_SIZE", 2)
    made = [await business_case(session, storage, LINDE, f"Medewerker {number}") for number in range(3)]
    await log_in_business(client, LINDE, "Jan Jansen")
    first, second = page_text(await client.get("/zakelijk")), page_text(await client.get("/zakelijk?pagina=2"))
    assert "3 zaken" in first and "Pagina 1 van 2" in first and 'href="/zakelijk?pagina=2"' in first
    assert [str(case.id) in first for case in made] == [False, True, True]  # the last sent first
    assert [str(case.id) in second for case in made] == [True, False, False]
    assert (await client.get("/zakelijk?pagina=3")).status_code == 404


async def test_the_login_shows_its_machtigingen(client, session, world) -> None:
    await log_in_business(client, LINDE, "Jan Jansen", mandates=["verhuizing-doorgeven"])
    assert "gemachtigd voor: Verhuizing doorgeven" in page_text(await client.get("/zakelijk"))
    async with browser(client) as other:
        await log_in_business(other, LINDE, "Els de Boer")
        assert "geen machtiging voor een dienst" in page_text(await other.get("/zakelijk"))
