"""Service engine test helpers: the verhuizing app published and adopted, a family at an address, empty and
occupied new addresses, citizens and case workers as principals, and a step-by-step way through a form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from plein.apps import package_path
from plein.auth.service import Principal
from plein.registers.bag.models import Address
from plein.registers.brp import service as brp
from plein.services import run as running
from plein.services import service as engine
from plein.services.models import Aanvraag
from plein.services.run import Run
from plein.store import adoptions
from tests.registers.helpers import CAUSE, address, bsn, person
from tests.store.helpers import SYSTEM, publish_folder

AMSTERDAM, UTRECHT, ROTTERDAM = "0363", "0344", "0599"
BASE_URL = "http://plein.test"
APP = "verhuizing-doorgeven"


@dataclass
class Family:
    """Anna with her partner Jan and their child Kees at home; an adult son elsewhere; addresses to move to."""

    home: Address
    empty: Address  # nobody lives here (Amsterdam)
    occupied: Address  # Olga lives here (Amsterdam)
    utrecht: Address  # empty, in Utrecht
    rotterdam: Address  # empty, in Rotterdam (which does not run the service)
    anna: str
    jan: str
    kees: str
    bram: str
    olga: str


async def family(session: AsyncSession) -> Family:
    home = await address(session, 1, "Damstraat", 1, "1012JL")
    empty = await address(session, 2, "Nieuwbouwlaan", 10, "1019AB")
    occupied = await address(session, 3, "Prinsengracht", 263, "1016GV")
    utrecht = await address(session, 4, "Oudegracht", 99, "3511AB", gemeente=UTRECHT, woonplaats="Utrecht")
    rotterdam = await address(session, 5, "Coolsingel", 40, "3011AD", gemeente=ROTTERDAM, woonplaats="Rotterdam")
    elsewhere = await address(session, 6, "Kinkerstraat", 7, "1053DD")
    anna = await person(session, "anna", "Visser", "Anna", "19800315", home, since="20150601")
    jan = await person(session, "jan", "Bakker", "Jan", "19790101", home, geslacht="M", since="20150601")
    olga = await person(session, "olga", "Jansen", "Olga", "19600101", occupied, since="19900101")
    await brp.register_partnership(session, anna, jan, "20100101", CAUSE)
    kees = bsn("kees")
    await brp.register_birth(session, brp.NewPerson(kees, "M", "20160101", brp.NameData("Bakker", "Kees")),
                             [anna, jan], CAUSE)
    bram = bsn("bram")  # their adult son, who lives elsewhere
    await brp.register_birth(session, brp.NewPerson(bram, "M", "20000101", brp.NameData("Bakker", "Bram")),
                             [anna, jan], CAUSE, residence=brp.NewResidence("20000101", elsewhere.nummeraanduiding))
    await session.commit()
    return Family(home, empty, occupied, utrecht, rotterdam, anna, jan, kees, bram, olga)


async def adopt(session: AsyncSession, code: str = AMSTERDAM, **options: Any) -> None:
    await adoptions.adopt(session, code, APP, options, SYSTEM, activate=True, base_url=BASE_URL)


async def publish_app(session: AsyncSession) -> None:
    await publish_folder(session, package_path(APP), "0363")


def citizen(bsn_: str, name: str = "Anna Visser", loa: str = "midden") -> Principal:
    return Principal("citizen", bsn_, name, frozenset(), loa=loa)


def behandelaar(code: str = AMSTERDAM) -> Principal:
    return Principal("staff", f"behandelaar.{code}", f"Behandelaar {code}", frozenset({(code, "behandelaar")}))


def move_answers(f: Family, target: Address, day: str, movers: list[str] | None = None) -> dict[str, Any]:
    return {"verhuisdatum": day,
            "nieuwAdres": {"postcode": target.postcode, "huisnummer": target.huisnummer, "huisletter": None,
                           "huisnummertoevoeging": None},
            "meeverhuizers": movers or []}


async def fill(session: AsyncSession, run: Run, answers: dict[str, dict[str, Any]], trace: str = "t") -> Aanvraag:
    """Save the given answers step by step (step id → raw answers); asserts each step is accepted."""
    for step_id, raw in answers.items():
        step = run.definition.step(step_id)
        assert step is not None, step_id
        saved = await engine.save_step(session, run, step, raw, trace)
        assert not saved.problems, saved.problems
    return run.aanvraag


async def csrf_token(http: Any, path: str) -> str:
    """The CSRF token of the session, from a form page."""
    import re

    page = await http.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, f"no form on {path}: {page.status_code}"
    return found.group(1)


async def log_in_citizen(http: Any, bsn_: str, level: str = "midden") -> None:
    """Log in through the login simulator, as a user would."""
    token = await csrf_token(http, "/inloggen/simulator")
    answer = await http.post("/inloggen/simulator", data={"csrf_token": token, "soort": "inwoner", "bsn": bsn_,
                                                          "digid_niveau": level, "next": "/"})
    assert answer.status_code == 303, answer.text[:2000]


async def log_in_staff(http: Any, session: AsyncSession, code: str = AMSTERDAM) -> str:
    """A behandelaar of the municipality, logged in with a password."""
    from tests.factories import staff

    username = f"behandelaar.{code}"
    await staff(session, username, [(code, "behandelaar")])
    token = await csrf_token(http, "/login")
    answer = await http.post("/login", data={"csrf_token": token, "username": username,
                                             "password": "wachtwoord-123", "next": "/"})
    assert answer.status_code == 303, answer.text[:2000]
    return username


def citizen_headers(bsn_: str, level: str = "midden") -> dict[str, str]:
    """The Authorization header of a citizen token, as a municipal website sends it for its logged-in citizen."""
    from plein.exchange.insight import make_citizen_token
    from plein.settings import DEFAULT_SECRET

    return {"Authorization": f"Bearer {make_citizen_token(bsn_, DEFAULT_SECRET, loa=level)}"}


async def log_in_user(http: Any, session: AsyncSession, username: str, roles: list[tuple[str, str]]) -> None:
    """A staff user with these (municipality code, role) pairs, logged in with a password."""
    from tests.factories import staff

    await staff(session, username, roles)
    token = await csrf_token(http, "/login")
    answer = await http.post("/login", data={"csrf_token": token, "username": username,
                                             "password": "wachtwoord-123", "next": "/"})
    assert answer.status_code == 303, answer.text[:2000]


async def submitted_move(session: AsyncSession, f: Family, applicant: str | None = None, name: str = "Anna Visser",
                         target: Address | None = None, day: str | None = None,
                         movers: list[str] | None = None) -> Aanvraag:
    """A move reported by Anna (or another applicant) through the engine and submitted: to the empty Amsterdam
    address today unless told otherwise."""

    who = applicant or f.anna
    address_ = target or f.empty
    offer = await engine.require_offer(session, AMSTERDAM, APP)
    run = await engine.start(session, offer, citizen(who, name), f"trace-start-{who}")
    steps: dict[str, dict[str, Any]] = {"verhuizing": {
        "verhuisdatum": day or running.today().isoformat(),
        "nieuwAdres": {"postcode": address_.postcode, "huisnummer": str(address_.huisnummer)}}}
    if run.aanvraag.prefill.get("huisgenoten"):
        steps["meeverhuizers"] = {"meeverhuizers": movers or []}
    await fill(session, run, steps)
    return await engine.submit(session, run, BASE_URL, f"trace-submit-{who}")
