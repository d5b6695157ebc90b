"""Death registration test helpers: aangifte-overlijden published and adopted, a deceased-to-be with a partner, a
person whose death is registered already, funeral directors with and without a machtiging, and the answers of a
registration (the A-form as a PDF)."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from plein import werkdagen
from plein.apps import package_path
from plein.auth.service import Principal
from plein.registers.brp import service as brp
from plein.services import run as running
from plein.services import service as engine
from plein.services.models import Aanvraag
from plein.store import adoptions
from tests.registers.helpers import CAUSE, address, person
from tests.services.helpers import AMSTERDAM, BASE_URL
from tests.store.helpers import STORAGE, SYSTEM, publish_folder

APP = "aangifte-overlijden"
DEN_HAAG, ROTTERDAM = "0518", "0599"
LINDE = "68750110"  # a funeral director's KvK number
A_FORM = b"%PDF-1.4\n% verklaring van overlijden (A-formulier)\n%%EOF\n"


@dataclass
class Deaths:
    piet: str  # lives in Amsterdam, married to Truus
    truus: str
    gerrit: str  # his death is registered already


async def deaths(session: AsyncSession) -> Deaths:
    await publish_folder(session, package_path(APP), AMSTERDAM)
    home = await address(session, 11, "Lindengracht", 12, "1015KJ")
    piet = await person(session, "piet", "Smit", "Pieter", "19400312", home, geslacht="M", since="19700101")
    truus = await person(session, "truus", "Smit-de Wit", "Geertruida", "19420101", home, since="19700101")
    await brp.register_partnership(session, piet, truus, "19650601", CAUSE)
    gerrit = await person(session, "gerrit", "Bos", "Gerrit", "19300101", home, geslacht="M", since="19700101")
    await brp.register_death(session, gerrit, "20261101", CAUSE, plaats=AMSTERDAM)
    await session.commit()
    return Deaths(piet, truus, gerrit)


async def adopt(session: AsyncSession, code: str = AMSTERDAM, **options: Any) -> None:
    await adoptions.adopt(session, code, APP, options, SYSTEM, activate=True, base_url=BASE_URL)


def funeral_director(kvk: str = LINDE, name: str = "Uitvaartzorg De Linde B.V.", loa: str = "EH3",
                     mandate: bool = True, employee: str = "M. de Linde") -> Principal:
    return Principal("business", kvk, name, frozenset(), loa=loa, branch="000012345678", acting_person=employee,
                     mandates=frozenset({APP}) if mandate else frozenset())


def pdf(content: bytes = A_FORM, name: str = "a-formulier.pdf") -> dict[str, str]:
    return {"bestandsnaam": name, "inhoud": base64.b64encode(content).decode()}


def registration(bsn: str, died: dt.date | None = None, at: str = "10:00", funeral: dt.date | None = None,
                 funeral_at: str = "11:00", place: str = AMSTERDAM, **extra: Any) -> dict[str, Any]:
    """Every answer of a registration: died yesterday at 10:00 unless told, buried on the second working day after."""
    died = died or running.today() - dt.timedelta(days=1)
    funeral = funeral or werkdagen.werkdag(died, 2)
    return {"bsnOverledene": bsn, "gemeenteOverlijden": place, "locatieOverlijden": "Thuis, Lindengracht 12",
            "datumOverlijden": died.isoformat(), "tijdOverlijden": at, "verklaringOverlijden": pdf(),
            "natuurlijk": True, "wijze": "begraven", "datumUitvaart": funeral.isoformat(), "tijdUitvaart": funeral_at,
            "plaatsUitvaart": "Begraafplaats Zorgvlied, Amsterdam", "contactNaam": "M. de Linde",
            "contactTelefoon": "020 123 4567", **extra}


async def register(session: AsyncSession, answers: dict[str, Any], code: str = AMSTERDAM,
                   principal: Principal | None = None) -> Aanvraag:
    offer = await engine.require_offer(session, code, APP)
    made, _ = await engine.submit_new(session, offer, principal or funeral_director(), answers, BASE_URL,
                                      "trace-aangifte", STORAGE)
    return made
