"""The demo's marketplace: adoptions in use for months, reviews by those municipalities, and one security advisory
that affects exactly one municipality's adoption (Utrecht's Meldingen openbare ruimte 4.2.0, fixed in 4.2.1)."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import yaml
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.db import utcnow
from plein.organisations.models import Organisation
from plein.storage import FileStorage
from plein.store import advisories, reviews
from plein.store.models import Adoption, AdoptionEvent, App
from plein.store.package import load_package
from plein.store.service import publish

ACTOR = Principal("demo", "plein-demo", "Plein demo", frozenset(), all_rights=True)
ADVISED_APP, ADVISED_VERSION, FIXED_VERSION = "meldingen-openbare-ruimte", "4.2.0", "4.2.1"
ADVISED_MUNICIPALITY = "0344"  # Utrecht, the only municipality that adopted Meldingen openbare ruimte
# (municipality, app, days the adoption has been in use): old enough to review (PLEIN_STORE_REVIEW_MIN_DAYS is 30)
IN_USE_SINCE = [("0363", "verhuizing-doorgeven", 200), ("0344", "verhuizing-doorgeven", 150),
                ("0518", "verhuizing-doorgeven", 90), ("0363", "bruggen-op-afstand", 400),
                ("0344", "meldingen-openbare-ruimte", 300), ("0599", "afvalkalender", 120)]
REVIEWS = [
    ("0363", "verhuizing-doorgeven", 5, "Verhuizingen binnen Amsterdam handelen we nu automatisch af. Inwoners zien "
     "hun nieuwe adres meteen in de BRP, en onze behandelaars houden tijd over voor de lastige gevallen."),
    ("0344", "verhuizing-doorgeven", 4, "Goed ingericht met bewijsstukken en een behandelaar. Wij zouden graag een "
     "herinnering sturen als een inwoner het bewijsstuk vergeet."),
    ("0518", "verhuizing-doorgeven", 4, "Met intake aan de balie vragen inwoners een afspraak aan; dat werkt goed "
     "voor onze stadsdeelkantoren."),
    ("0363", "bruggen-op-afstand", 3, "Stabiel, maar het koppelen van nieuwe objecten kost nog veel handwerk."),
    ("0599", "afvalkalender", 4, "Inwoners vinden hun ophaaldagen snel. De export naar de agenda-app kan beter."),
]
REPLY = ("0363", "bruggen-op-afstand", "Dank voor uw beoordeling. In de volgende versie kunt u objecten in één keer "
         "importeren uit een spreadsheet.")
ADVISORY = advisories.AdvisoryInput(
    affected=f"<{FIXED_VERSION}", fixed=FIXED_VERSION, cvss="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N",
    summary="Foto's bij meldingen waren zonder inlog op te vragen",
    details="Wie de link van een foto bij een melding kende, kon die foto zonder inlog bekijken. Versie "
            f"{FIXED_VERSION} vraagt bij elke foto om een geldige sessie. Upgrade naar {FIXED_VERSION}.",
)


def fixed_release(source: Path, folder: Path) -> Path:
    """A copy of Meldingen openbare ruimte as version 4.2.1, the release that fixes the advisory."""
    shutil.copytree(source, folder)
    manifest = yaml.safe_load((folder / "plein.yaml").read_text("utf-8"))
    publiccode = yaml.safe_load((folder / "publiccode.yml").read_text("utf-8"))
    manifest["version"] = publiccode["softwareVersion"] = FIXED_VERSION
    publiccode["releaseDate"] = "2026-12-01"
    (folder / "plein.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), "utf-8")
    (folder / "publiccode.yml").write_text(yaml.safe_dump(publiccode, allow_unicode=True, sort_keys=False), "utf-8")
    return folder


async def publish_fix(session: AsyncSession, storage: FileStorage, source: Path) -> None:
    """Publish 4.2.1 (after Utrecht adopted 4.2.0)."""
    with tempfile.TemporaryDirectory() as temp:
        folder = fixed_release(source, Path(temp) / ADVISED_APP)
        result = await publish(session, storage, load_package(folder), ADVISED_MUNICIPALITY, ACTOR)
        assert result.release.status == "accepted", result.report["findings"]


async def age_adoptions(session: AsyncSession) -> None:
    """Move the demo's adoptions (and their history) back to when they were taken into use."""
    now = utcnow()
    for code, slug, days in IN_USE_SINCE:
        adoption = await session.scalar(
            select(Adoption).join(App, App.id == Adoption.app_id)
            .join(Organisation, Organisation.id == Adoption.organisation_id)
            .where(Organisation.code == code, App.slug == slug, Adoption.status == "active"))
        assert adoption is not None, (code, slug)
        since = now - dt.timedelta(days=days)
        adoption.created_at, adoption.activated_at = since - dt.timedelta(days=7), since
        await session.execute(update(AdoptionEvent).where(AdoptionEvent.adoption_id == adoption.id,
                                                          AdoptionEvent.action == "planned")
                              .values(at=since - dt.timedelta(days=7)))
        await session.execute(update(AdoptionEvent).where(AdoptionEvent.adoption_id == adoption.id,
                                                          AdoptionEvent.action == "activated").values(at=since))
    await session.commit()


async def add_marketplace(session: AsyncSession, storage: FileStorage, source: Path, min_days: int,
                          base_url: str) -> str:
    """Reviews, a publisher's reply, the fixed release and the advisory; returns the advisory's id."""
    await age_adoptions(session)
    for code, slug, rating, text in REVIEWS:
        await reviews.write_review(session, code, slug, rating, text, ACTOR, min_days)
    code, slug, text = REPLY
    await reviews.reply(session, slug, code, text, ACTOR)
    await publish_fix(session, storage, source)
    advisory = await advisories.publish(session, ADVISED_APP, ADVISORY, ACTOR, base_url)
    return advisory.identifier
