"""The curator's admission policy and list of standards, and withdrawing a release: the rules behind the pages
(service functions and the admission pipeline), on every database backend."""

from __future__ import annotations

import asyncio
import io
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st
from rich.console import Console
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from plein.apps import package_path
from plein.auth.service import Principal
from plein.demo import LOGINS, print_logins
from plein.errors import Conflict, Forbidden, InvalidInput
from plein.migrate import upgrade
from plein.settings import Settings
from plein.store import adoptions, policy, publisher, service, standards
from plein.store.checks.standards import is_uri
from plein.store.models import AdmissionPolicy, App, AppTerm, Release, Standard
from plein.store.package import load_package
from plein.store.service import PublishResult
from plein.store.service import publish as publish_release
from tests.factories import AMSTERDAM, UTRECHT, make_package
from tests.store.helpers import STORAGE, SYSTEM, publish_folder

APP = "verhuizing-doorgeven"
CURATOR = Principal("staff", "curator", "Curator", frozenset({("plein", "curator")}))
PUBLISHER = Principal("staff", "uitgever", "Uitgever Amsterdam", frozenset({(AMSTERDAM, "publisher")}))
OTHER_PUBLISHER = Principal("staff", "uitgever.utrecht", "Uitgever Utrecht", frozenset({(UTRECHT, "publisher")}))


def _base(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((package_path(APP) / name).read_text("utf-8"))
    return data


def closed_licence(tmp_path: Path, version: str = "2.0.0") -> Path:
    legal = {**_base("publiccode.yml")["legal"], "license": "CC-BY-NC-4.0"}  # valid SPDX, not open
    return make_package(tmp_path, version=version, publiccode={"legal": legal}, name=f"closed-{version}")


def requiring(tmp_path: Path, *named: str, version: str = "2.0.0") -> Path:
    requires = {**_base("plein.yaml")["requires"], "standards": list(named)}
    return make_package(tmp_path, version=version, manifest={"requires": requires}, name=f"standards-{version}")


async def publish_any(session: AsyncSession, folder: Path, actor: Principal = SYSTEM) -> PublishResult:
    return await publish_release(session, STORAGE, load_package(folder), AMSTERDAM, actor)


def rules(result: PublishResult) -> dict[str, str]:
    return {f["rule"]: f["severity"] for f in result.report["findings"]}


# --- the admission policy --------------------------------------------------------------------------------


async def test_a_report_names_the_policy_version_and_keeps_it(session: AsyncSession, tmp_path: Path) -> None:
    first = await publish_any(session, closed_licence(tmp_path, "2.0.0"))
    assert first.report["policyVersion"] == 1
    assert first.release.status == "accepted" and rules(first)["licence.not-open"] == "warning"

    saved = await policy.set_policy(session, {"licence.not-open": "error"}, "Alleen open source in de store.", CURATOR)
    assert saved.version == 2
    second = await publish_any(session, closed_licence(tmp_path, "2.0.1"))
    assert second.report["policyVersion"] == 2
    assert second.release.status == "rejected" and rules(second)["licence.not-open"] == "error"
    licence_check = next(c for c in second.report["checks"] if c["id"] == "licence")
    assert licence_check["errors"] == 1 and licence_check["status"] == "failed"

    first_id = first.release.id
    session.expire_all()
    earlier = await session.get(Release, first_id)
    assert earlier is not None and earlier.report["policyVersion"] == 1 and earlier.status == "accepted"


async def test_a_rule_made_a_warning_no_longer_blocks(session: AsyncSession, tmp_path: Path) -> None:
    folder = make_package(tmp_path, publiccode={"releaseDate": "7 december 2026"})
    rejected = await publish_any(session, folder)
    assert rejected.release.status == "rejected" and rules(rejected)["publiccode.date"] == "error"
    await policy.set_policy(session, {"publiccode.date": "warning"}, "Datums tijdelijk soepel controleren.", CURATOR)
    accepted = await publish_any(session, folder)
    assert accepted.release.status == "accepted" and rules(accepted)["publiccode.date"] == "warning"


@pytest.mark.parametrize("code", ["archive.too-large", "manifest.schema.required", "data.unknown-field",
                                  "version.not-greater", "publiccode.yaml-syntax", "no.such-rule"])
async def test_fixed_rules_cannot_be_downgraded(session: AsyncSession, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        await policy.set_policy(session, {code: "warning"}, "Een poging om dit soepeler te maken.", CURATOR)
    assert [(p.name, p.code) for p in refused.value.invalid_params] == [(code, "fixed")]
    assert await session.scalar(select(func.count()).select_from(AdmissionPolicy).where(
        AdmissionPolicy.version > 1)) == 0


async def test_a_fixed_rule_stored_anyway_is_not_applied(session: AsyncSession, tmp_path: Path) -> None:
    session.add(AdmissionPolicy(version=7, severities={"data.unknown-field": "warning"}, reason="buiten de pagina om",
                                set_by="iemand"))
    await session.commit()
    assert (await policy.current(session)).severities == {}
    requires = {**_base("plein.yaml")["requires"]}
    requires["data"] = [{**requires["data"][0], "fields": ["bestaat-niet"]}]
    result = await publish_any(session, make_package(tmp_path, manifest={"requires": requires}, service=False))
    assert result.release.status == "rejected" and rules(result)["data.unknown-field"] == "error"


async def test_a_new_version_needs_a_curator_a_reason_a_level_and_a_change(session: AsyncSession) -> None:
    with pytest.raises(Forbidden):
        await policy.set_policy(session, {"licence.not-open": "error"}, "Alleen open source graag.", PUBLISHER)
    with pytest.raises(InvalidInput) as short:
        await policy.set_policy(session, {"licence.not-open": "error"}, "kort", CURATOR)
    assert [p.name for p in short.value.invalid_params] == ["reason"]
    with pytest.raises(InvalidInput) as off:
        await policy.set_policy(session, {"licence.not-open": "off"}, "Deze melding uitzetten.", CURATOR)
    assert [(p.name, p.code) for p in off.value.invalid_params] == [("licence.not-open", "enum")]
    with pytest.raises(InvalidInput) as same:
        await policy.set_policy(session, {}, "Niets veranderen is geen versie.", CURATOR)
    assert same.value.invalid_params[0].code == "unchanged"
    assert (await policy.current(session)).version == 1


async def test_versions_are_kept_in_order(session: AsyncSession) -> None:
    await policy.set_policy(session, {"licence.not-open": "error"}, "Alleen open source in de store.", CURATOR)
    await policy.set_policy(session, {}, "Terug naar de ernst van de controles.", CURATOR)
    versions = await policy.history(session)
    assert [v.version for v in versions][:2] == [3, 2]
    assert versions[0].severities == {} and versions[0].set_by == "curator"
    assert versions[1].severities == {"licence.not-open": "error"}
    assert (await policy.current(session)).version == 3


def test_the_catalogue_holds_the_api_rules_with_their_ruleset_severity() -> None:
    codes = policy.adjustable()
    assert codes["nlgov:paths-kebab-case"].group == "openapi"
    assert codes["licence.not-open"].default == "warning" and codes["publiccode.required"].default == "error"
    assert not any(code.startswith(("archive.", "manifest.", "data.", "version.")) for code in codes)


# --- the list of standards -------------------------------------------------------------------------------


async def test_required_standards_must_be_on_the_list_or_a_uri(session: AsyncSession, tmp_path: Path) -> None:
    await standards.save_standard(session, "test-standaard-1.0", "Teststandaard", "https://example.org/t", CURATOR)
    folder = requiring(tmp_path, "test-standaard-1.0", "https://example.org/standaard", "onbekend-9")
    result = await publish_any(session, folder)
    unknown = [f for f in result.report["findings"] if f["rule"] == "standards.unknown"]
    assert [(f["severity"], f["path"]) for f in unknown] == [("warning", "requires.standards[2]")]
    assert "'onbekend-9'" in unknown[0]["message"] and result.release.status == "accepted"

    await policy.set_policy(session, {"standards.unknown": "error"}, "Alleen bekende standaarden.", CURATOR)
    stricter = await publish_any(session, requiring(tmp_path, "onbekend-9", version="2.0.1"))
    assert stricter.release.status == "rejected"


async def test_the_checks_read_the_list_as_the_curator_leaves_it(session: AsyncSession, tmp_path: Path) -> None:
    await standards.save_standard(session, "eigen-standaard", "Eigen", "http://example.org/eigen", CURATOR)
    await standards.save_standard(session, "andere-standaard", "Eigen", "http://example.org/eigen", CURATOR,
                                  existing="eigen-standaard")
    result = await publish_any(session, requiring(tmp_path, "eigen-standaard"))
    assert "standards.unknown" in rules(result)
    await standards.remove_standard(session, "andere-standaard", CURATOR)
    assert await session.scalar(select(Standard).where(Standard.alias == "andere-standaard")) is None


@pytest.mark.parametrize(("alias", "title", "url", "field"), [
    ("Hoofdletters", "Titel", "https://example.org", "alias"),
    ("dubbel--streepje", "Titel", "https://example.org", "alias"),
    ("a" * 61, "Titel", "https://example.org", "alias"),
    ("goed-1.0", "", "https://example.org", "title"),
    ("goed-1.0", "Titel", "javascript:alert(1)", "url"),
    ("goed-1.0", "Titel", "ftp://example.org/standaard", "url"),
    ("goed-1.0", "Titel", "https://", "url"),
])
async def test_a_standard_is_validated(session: AsyncSession, alias: str, title: str, url: str, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        await standards.save_standard(session, alias, title, url, CURATOR)
    assert [p.name for p in refused.value.invalid_params] == [field]
    assert await session.scalar(select(Standard).where(Standard.alias == alias)) is None


async def test_only_a_curator_edits_the_list_and_aliases_are_unique(session: AsyncSession) -> None:
    with pytest.raises(Forbidden):
        await standards.save_standard(session, "nieuw-1", "Nieuw", "https://example.org", PUBLISHER)
    await standards.save_standard(session, "nieuw-1", "Nieuw", "https://example.org", CURATOR)
    with pytest.raises(Conflict) as twice:
        await standards.save_standard(session, "nieuw-1", "Nog eens", "https://example.org/2", CURATOR)
    assert twice.value.invalid_params[0].name == "alias"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migration_seeds_policy_1_and_the_standards_in_use(backend: str, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    if backend == "postgresql":
        if not os.environ.get("PLEIN_TEST_POSTGRES_URL"):
            pytest.skip("PLEIN_TEST_POSTGRES_URL is not set")
        url = make_url(os.environ["PLEIN_TEST_POSTGRES_URL"]).set(
            drivername="postgresql+asyncpg", database=f"plein_seed_{os.getpid()}").render_as_string(False)
    asyncio.run(_fresh(url, create=backend == "postgresql"))
    try:
        upgrade(Settings(env="test", database_url=url))
        aliases, versions = asyncio.run(_seeded(url))
    finally:
        asyncio.run(_fresh(url, create=False, drop=backend == "postgresql"))
    used = set()
    for folder in [*Path(str(package_path(APP))).parent.iterdir()]:
        if (folder / "plein.yaml").is_file():
            used |= set(yaml.safe_load((folder / "plein.yaml").read_text())["requires"].get("standards", []))
    assert used and used <= aliases
    assert versions == [1]


async def _fresh(url: str, create: bool, drop: bool = False) -> None:
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql") or not (create or drop):
        return
    admin_url = make_url(os.environ["PLEIN_TEST_POSTGRES_URL"]).set(drivername="postgresql+asyncpg")
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        if create:
            await connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    await admin.dispose()


async def _seeded(url: str) -> tuple[set[str], list[int]]:
    engine = create_async_engine(url)
    async with AsyncSession(engine) as session:
        aliases = set((await session.scalars(select(Standard.alias))).all())
        versions = list((await session.scalars(select(AdmissionPolicy.version))).all())
    await engine.dispose()
    return aliases, versions


# --- withdrawing a release -------------------------------------------------------------------------------


async def two_releases(session: AsyncSession) -> tuple[Release, Release]:
    folder = Path(tempfile.mkdtemp(prefix="plein-withdraw-"))
    older = (await publish_folder(session, package_path(APP))).release
    newer = (await publish_folder(session, make_package(folder, version="2.1.0"))).release
    return older, newer


async def test_withdrawing_the_newest_lists_the_one_before(session: AsyncSession) -> None:
    older, newer = await two_releases(session)
    await publisher.withdraw(session, newer, "Fout in de berekening van termijnen.", PUBLISHER)
    app = await session.scalar(select(App).where(App.slug == APP))
    assert app is not None and app.listed and app.latest_version == "2.0.0" and app.latest_release_id == older.id
    assert newer.withdrawn_by == "uitgever" and newer.withdrawn_reason == "Fout in de berekening van termijnen."
    with pytest.raises(InvalidInput):
        await adoptions.adopt(session, UTRECHT, APP, {}, SYSTEM, version="2.1.0")


async def test_withdrawing_the_only_release_unlists_the_app(session: AsyncSession) -> None:
    release = (await publish_folder(session, package_path(APP))).release
    await publisher.withdraw(session, release, "Deze app wordt niet meer onderhouden.", PUBLISHER)
    app = await session.scalar(select(App).where(App.slug == APP))
    assert app is not None and not app.listed and app.latest_release_id is None
    assert await session.scalar(select(func.count()).select_from(AppTerm).where(AppTerm.app_id == app.id)) == 0
    with pytest.raises(Conflict):
        await adoptions.adopt(session, UTRECHT, APP, {}, SYSTEM)


async def test_adopters_keep_the_withdrawn_release(session: AsyncSession) -> None:
    older, _ = await two_releases(session)
    adoption = await adoptions.adopt(session, UTRECHT, APP, {}, SYSTEM, version="2.0.0", activate=True)
    adoption_id = adoption.id
    await publisher.withdraw(session, older, "Een beveiligingsprobleem in deze versie.", PUBLISHER)
    session.expire_all()
    kept = await adoptions.get_adoption(session, UTRECHT, str(adoption_id), None)
    assert kept.status == "active" and kept.release.version == "2.0.0" and kept.release.withdrawn_at is not None
    assert [a.id for a in await publisher.users_of(session, kept.release)] == [adoption_id]
    upgraded = await adoptions.change_adoption(session, UTRECHT, str(adoption_id), SYSTEM, version="2.1.0")
    assert upgraded.release.version == "2.1.0"


async def test_withdrawing_needs_the_publisher_a_reason_and_an_admitted_release(session: AsyncSession) -> None:
    _, newer = await two_releases(session)
    with pytest.raises(Forbidden):
        await publisher.withdraw(session, newer, "Niet mijn app, toch intrekken.", OTHER_PUBLISHER)
    with pytest.raises(InvalidInput) as short:
        await publisher.withdraw(session, newer, "kort", PUBLISHER)
    assert [p.name for p in short.value.invalid_params] == ["reason"]
    assert newer.withdrawn_at is None
    await publisher.withdraw(session, newer, "Fout in de berekening van termijnen.", PUBLISHER)
    with pytest.raises(Conflict):
        await publisher.withdraw(session, newer, "Nog een keer intrekken graag.", PUBLISHER)


async def test_a_withdrawn_version_stays_taken(session: AsyncSession) -> None:
    _, newer = await two_releases(session)
    await publisher.withdraw(session, newer, "Fout in de berekening van termijnen.", PUBLISHER)
    again = make_package(Path(tempfile.mkdtemp(prefix="plein-again-")), version="2.1.0")
    with pytest.raises(Conflict):
        await publish_any(session, again)


async def test_a_publisher_sees_only_their_own_releases(session: AsyncSession) -> None:
    await two_releases(session)
    assert {r.version for r in await publisher.own_releases(session, PUBLISHER)} == {"2.0.0", "2.1.0"}
    assert await publisher.own_releases(session, OTHER_PUBLISHER) == []


def test_the_demo_prints_a_curator_login_that_may_change_the_policy() -> None:
    output = io.StringIO()
    print_logins(Console(file=output, width=200), 8000)
    assert "curator" in output.getvalue() and "toelatingsbeleid" in output.getvalue()
    roles = next(roles for username, _, roles in LOGINS if username == "curator")
    assert service.is_curator(Principal("staff", "curator", "Curator", frozenset(roles)))


@given(words=st.lists(st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True), min_size=1, max_size=5),
       joiners=st.lists(st.sampled_from(["-", "."]), min_size=4, max_size=4))
def test_aliases_of_words_joined_by_hyphens_or_dots_are_valid(words: list[str], joiners: list[str]) -> None:
    alias = words[0] + "".join(joiner + word for joiner, word in zip(joiners, words[1:], strict=False))
    assert [p.name for p in standards.problems(alias, "Titel", "https://example.org")] == []


@given(alias=st.text(min_size=1, max_size=20).filter(lambda a: not standards.ALIAS.fullmatch(a)))
def test_any_other_alias_is_refused(alias: str) -> None:
    assert [p.name for p in standards.problems(alias, "Titel", "https://example.org")] == ["alias"]


@given(scheme=st.sampled_from(["javascript", "ftp", "file", "data", "mailto", ""]), rest=st.text(max_size=30))
def test_only_http_urls_are_accepted(scheme: str, rest: str) -> None:
    url = f"{scheme}://{rest}" if scheme else rest
    assert "url" in [p.name for p in standards.problems("goed-1", "Titel", url)]


@given(value=st.text(max_size=40))
@example(value="https://[kapot")
def test_any_text_in_requires_standards_is_judged_without_failing(value: str) -> None:
    assert is_uri(value) == (":" in value and is_uri(value))  # never an exception
    assert not is_uri("https://[kapot") and is_uri("https://example.org/standaard") and not is_uri("zgw-zaken-1.5")
