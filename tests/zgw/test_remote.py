"""Remote references checked over HTTP (a production base): a short timeout, a cache, and never a server error."""

from __future__ import annotations

import httpx
import pytest

from plein.settings import Settings
from plein.zgw import remote

BASE = "https://selectielijst.example/api/v1"


def checker(monkeypatch: pytest.MonkeyPatch, handler: httpx.MockTransport) -> remote.References:
    real = httpx.AsyncClient

    def fake(**kwargs: object) -> httpx.AsyncClient:
        return real(transport=handler, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(remote.httpx, "AsyncClient", fake)
    settings = Settings(env="test", zgw_selectielijst_url=BASE, zgw_referentielijsten_url="off",
                        zgw_reference_timeout=0.5)
    return remote.References.from_settings(settings)


async def test_a_url_is_fetched_once_and_then_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if request.url.path.endswith("/1"):
            return httpx.Response(200, json={"url": str(request.url), "nummer": 1})
        return httpx.Response(404, json={"detail": "Niet gevonden."})

    references = checker(monkeypatch, httpx.MockTransport(answer))
    for _ in range(3):
        assert await references.problem("http://plein.test", "selectielijstProcestype", "procestype",
                                        f"{BASE}/procestypen/1") is None
    missing = await references.problem("http://plein.test", "selectielijstProcestype", "procestype",
                                       f"{BASE}/procestypen/2")
    assert missing is not None and missing.code == "bad-url"
    assert asked == [f"{BASE}/procestypen/1", f"{BASE}/procestypen/2"]
    wrong = await references.problem("http://plein.test", "selectielijstklasse", "resultaat", f"{BASE}/procestypen/1")
    assert wrong is not None and wrong.code == "invalid-resource"
    elsewhere = await references.problem("http://plein.test", "selectielijstklasse", "resultaat",
                                         "https://elders.example/api/v1/resultaten/1")
    assert elsewhere is not None and elsewhere.code == "bad-url"
    assert await references.problem("http://plein.test", "communicatiekanaal", "communicatiekanaal",
                                    "https://kanalen.example/1") is None  # referentielijsten: off


async def test_a_base_that_does_not_answer_gives_bad_url_and_is_asked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0

    def down(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectTimeout("no answer", request=request)

    references = checker(monkeypatch, httpx.MockTransport(down))
    for _ in range(2):
        problem = await references.problem("http://plein.test", "selectielijstProcestype", "procestype",
                                           f"{BASE}/procestypen/1")
        assert problem is not None and problem.code == "bad-url"
    assert calls == 2  # a failure is not remembered


def test_production_checks_against_the_vng_apis_and_other_environments_against_the_local_copy() -> None:
    production = remote.References.from_settings(Settings.model_construct(
        env="production", zgw_selectielijst_url=None, zgw_referentielijsten_url=None, zgw_reference_timeout=3.0,
        zgw_reference_cache_seconds=60.0))
    assert production.bases == remote.PRODUCTION_BASES
    assert set(remote.References.from_settings(Settings(env="demo")).bases.values()) == {"local"}
