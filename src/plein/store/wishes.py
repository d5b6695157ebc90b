"""Joint demand (wensen): a municipality posts a wish for a solution (the standards it must meet, an estimated budget
and how the budget is split); other municipalities join it; its poster makes it a joint commission; a publisher links
an admitted app to it and it is fulfilled. Every joined municipality is told of each step on the `store` kanaal, in
the transaction of the step. docs/store.md writes the rules down."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.db import utcnow
from plein.errors import Conflict, Forbidden, InvalidInput, InvalidParam, NotFound
from plein.notifications import service as notifications
from plein.organisations import service as organisations
from plein.organisations.models import Organisation
from plein.store import adoptions, costs, numbering, standards
from plein.store.models import App, AppFacet, Release
from plein.store.publiccode.values import uri_problem
from plein.store.publiccode.vocab import ALIASES
from plein.store.service import get_app
from plein.store.wish_models import Wish, WishEvent, WishParticipant

KANAAL = "store"
STATUSES = ("open", "commissioned", "fulfilled", "withdrawn")
SPLITS = ("equal", "per-inhabitant")
MAX_TITLE = 200
MAX_DESCRIPTION = 10_000
MAX_NOTE = 2000
MIN_REASON = 10  # withdrawing a wish says why, in more than a word
MAX_STANDARDS = 20
MAX_STANDARD = 200
MAX_BUDGET = Decimal("100000000.00")  # € 100 million: more than any joint commission of municipalities
MIN_PARTICIPANTS = 2  # a joint commission: the poster and at least one other municipality
URI_SCHEMES = ("http", "https", "urn")
COMMISSIONER_KINDS = ("cooperation",)  # besides a joined municipality, a cooperation of municipalities may commission


@dataclass
class WishInput:
    """What a municipality's beheerder writes; `check` cleans it and names each bad field."""

    title: str
    description: str
    budget: Decimal | str | float | int
    split: str = "equal"
    standards: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Share:
    """One joined municipality's part of the budget under the wish's split."""

    participant: WishParticipant
    inhabitants: costs.Inhabitants
    amount: Decimal


@dataclass(frozen=True)
class Reckoning:
    """Who joined, their inhabitants together, and each one's part of the budget (the parts add up to it)."""

    budget: Decimal
    split: str
    shares: list[Share]
    equal_fallback: bool  # per inhabitant, but no joined municipality has inhabitants: split equally

    @property
    def inhabitants(self) -> int:
        return sum(share.inhabitants.count for share in self.shares)


# --- input ----------------------------------------------------------------------------------------


async def known_standards(session: AsyncSession) -> list[str]:
    """The standards on the curator's list (by alias) and those apps in the store name (the `standard` facet:
    plein.yaml requires.standards)."""
    named = select(AppFacet.value).where(AppFacet.facet == "standard").distinct()
    listed = [standard.alias for standard in await standards.list_standards(session)]
    return sorted({*listed, *(await session.scalars(named)).all()})


def alias_standards() -> list[str]:
    """The aliases of publiccode.yml's list (`supports` ids such as alias:gdpr)."""
    return [f"alias:{name}" for name in ALIASES]


def standard_problem(value: str, known: list[str]) -> str | None:
    """Why a standard cannot be named in a wish: it must be on the store's list or named by an app, an alias of the
    publiccode.yml list, or an http(s) URL or URN of the standard (None when it is fine)."""
    if len(value) > MAX_STANDARD:
        return f"'{value[:40]}…' is longer than {MAX_STANDARD} characters"
    if value in known:
        return None
    if value.startswith("alias:"):
        if value.removeprefix("alias:") in ALIASES:
            return None
        return f"'{value}' is not an alias of the publiccode.yml list; known: {', '.join(alias_standards())}"
    scheme = value.split(":", 1)[0].lower() if ":" in value else ""
    if scheme in URI_SCHEMES:
        problem = uri_problem(value)
        return f"'{value}' {problem}" if problem else None
    close = difflib.get_close_matches(value, known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return (f"'{value}' is not on the store's list of standards nor named by an app{hint}; use one of those, an "
            "alias such as alias:gdpr, or the standard's URL")


def check_standards(values: list[str], known: list[str]) -> tuple[list[str], list[InvalidParam]]:
    cleaned = list(dict.fromkeys(value.strip() for value in values if value.strip()))
    problems = [InvalidParam(f"standards.{index}", "unknown-standard", problem)
                for index, value in enumerate(cleaned) if (problem := standard_problem(value, known))]
    if len(cleaned) > MAX_STANDARDS:
        problems.append(InvalidParam("standards", "maxItems", f"name at most {MAX_STANDARDS} standards"))
    return cleaned, problems


def budget_problem(value: object) -> tuple[Decimal, str | None]:
    """The budget in euros (more than 0, at most MAX_BUDGET, whole cents), or why not."""
    if isinstance(value, bool):
        return Decimal(0), "give an amount in euros"
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return Decimal(0), "give an amount in euros, like 120000 or 120000.50"
    if not amount.is_finite() or amount <= 0 or amount > MAX_BUDGET:
        return Decimal(0), f"give an amount of more than 0 and at most {MAX_BUDGET:,.0f} euros"
    if amount != amount.quantize(costs.CENT, rounding=ROUND_DOWN):
        return Decimal(0), "give whole cents (at most two decimals)"
    return amount.quantize(costs.CENT), None


def check(data: WishInput, known: list[str]) -> tuple[WishInput, int]:
    """The input cleaned and the budget in cents; InvalidInput names each bad field."""
    problems: list[InvalidParam] = []
    title, description = " ".join(data.title.split()), data.description.strip()
    if not title or len(title) > MAX_TITLE:
        problems.append(InvalidParam("title", "length", f"write 1 to {MAX_TITLE} characters"))
    if not description or len(description) > MAX_DESCRIPTION:
        problems.append(InvalidParam("description", "length", f"write 1 to {MAX_DESCRIPTION:,} characters"))
    standards, standard_problems = check_standards(data.standards, known)
    problems += standard_problems
    budget, problem = budget_problem(data.budget)
    if problem:
        problems.append(InvalidParam("budget", "range", problem))
    if data.split not in SPLITS:
        problems.append(InvalidParam("split", "enum", f"choose one of: {', '.join(SPLITS)}"))
    if problems:
        raise InvalidInput("the wish is not valid", problems)
    return WishInput(title, description, budget, data.split, standards), int(budget * 100)


# --- reading --------------------------------------------------------------------------------------


async def get_wish(session: AsyncSession, identifier: str) -> Wish:
    wish = await session.scalar(select(Wish).where(Wish.identifier == identifier))
    if wish is None:
        raise NotFound(f"there is no wish '{identifier}'")
    return wish


async def _locked(session: AsyncSession, identifier: str) -> Wish:
    """The wish, its row locked until the transaction ends: joining, leaving and each step of the status wait for one
    another, so nobody joins a wish in the moment it is commissioned. The lock is an update that changes nothing, as
    the first write of the transaction: on PostgreSQL it locks the row, on SQLite it takes the database's write lock
    before the wish and its participants are read (a SELECT … FOR UPDATE would lock nothing there)."""
    await session.execute(update(Wish).where(Wish.identifier == identifier).values(status=Wish.status)
                          .execution_options(synchronize_session=False))
    query = select(Wish).where(Wish.identifier == identifier).execution_options(populate_existing=True)
    wish = await session.scalar(query)
    if wish is None:
        raise NotFound(f"there is no wish '{identifier}'")
    return wish


async def participants(session: AsyncSession, wish: Wish) -> list[WishParticipant]:
    """The joined municipalities (the poster among them), by municipality code."""
    query = (select(WishParticipant).join(Organisation, Organisation.id == WishParticipant.organisation_id)
             .where(WishParticipant.wish_id == wish.id).order_by(Organisation.code))
    return list((await session.scalars(query)).all())


async def list_wishes(session: AsyncSession, status: str | None = None) -> list[tuple[Wish, int]]:
    """Wishes newest first (optionally of one status), each with the number of municipalities that joined."""
    if status is not None and status not in STATUSES:
        raise InvalidInput("unknown status", [InvalidParam("status", "enum", f"one of: {', '.join(STATUSES)}")])
    joined = (select(WishParticipant.wish_id, func.count().label("joined")).group_by(WishParticipant.wish_id)
              .subquery())
    query = (select(Wish, func.coalesce(joined.c.joined, 0)).outerjoin(joined, joined.c.wish_id == Wish.id)
             .order_by(Wish.created_at.desc(), Wish.identifier.desc()))
    if status is not None:
        query = query.where(Wish.status == status)
    return [(wish, int(count)) for wish, count in (await session.execute(query)).all()]


async def participant_counts(session: AsyncSession, wish_ids: list[Any]) -> dict[Any, int]:
    """How many municipalities joined each of these wishes."""
    if not wish_ids:
        return {}
    rows = await session.execute(select(WishParticipant.wish_id, func.count()).where(
        WishParticipant.wish_id.in_(wish_ids)).group_by(WishParticipant.wish_id))
    return {wish_id: int(count) for wish_id, count in rows.all()}


async def municipality_wishes(session: AsyncSession, code: str) -> list[Wish]:
    """The wishes the municipality posted or joined, newest first."""
    organisation = await _organisation(session, code)
    query = (select(Wish).join(WishParticipant, WishParticipant.wish_id == Wish.id)
             .where(WishParticipant.organisation_id == organisation.id)
             .order_by(Wish.created_at.desc(), Wish.identifier.desc()))
    return list((await session.scalars(query)).unique().all())


async def history(session: AsyncSession, wish: Wish) -> list[WishEvent]:
    query = select(WishEvent).where(WishEvent.wish_id == wish.id).order_by(WishEvent.at, WishEvent.id)
    events = list((await session.scalars(query)).all())
    order = {"posted": 0, "joined": 1, "left": 1, "commissioned": 2, "fulfilled": 3}
    return sorted(events, key=lambda event: (event.at, order.get(event.action, 1)))


# --- the budget per municipality ------------------------------------------------------------------


def split_cents(total: int, weights: list[int]) -> list[int]:
    """`total` cents split in proportion to `weights`, each part rounded down to the cent and the cents left over
    given one each to the largest remainders (ties: the earlier part, i.e. the lower municipality code), so the parts
    add up to the total exactly. All weights zero: equal parts."""
    if not weights:
        return []
    if sum(weights) <= 0:
        weights = [1] * len(weights)
    whole = sum(weights)
    parts = [total * weight // whole for weight in weights]
    remainders = [total * weight % whole for weight in weights]
    left = total - sum(parts)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        parts[index] += 1
    return parts


async def reckon(session: AsyncSession, wish: Wish, joined: list[WishParticipant] | None = None) -> Reckoning:
    """Each joined municipality's part of the budget: equal, or in proportion to its inhabitants (the figure costs
    are reckoned with: the beheerder's own, else the persons registered in the BRP)."""
    joined = joined if joined is not None else await participants(session, wish)
    figures = [await costs.inhabitants(session, participant.organisation) for participant in joined]
    per_inhabitant = wish.split == "per-inhabitant"
    weights = [figure.count for figure in figures] if per_inhabitant else [1] * len(joined)
    fallback = per_inhabitant and bool(joined) and sum(weights) == 0
    parts = split_cents(wish.budget_cents, weights)
    shares = [Share(participant, figure, Decimal(part) / 100)
              for participant, figure, part in zip(joined, figures, parts, strict=True)]
    return Reckoning(Decimal(wish.budget_cents) / 100, wish.split, shares, fallback)


# --- the steps ------------------------------------------------------------------------------------


async def _organisation(session: AsyncSession, code: str) -> Organisation:
    try:
        return await organisations.get_by_code(session, code)
    except organisations.UnknownOrganisation as exc:
        raise NotFound(str(exc)) from exc


async def _managed(session: AsyncSession, code: str, actor: Principal) -> Organisation:
    """The municipality, when the actor is its functioneel beheerder: a municipality acts only for itself."""
    organisation = await adoptions.managed_municipality(session, code, actor)
    if organisation.kind != "municipality":
        raise InvalidInput(f"{organisation.name} is not a municipality; only municipalities post and join wishes",
                           [InvalidParam("municipality", "not-a-municipality", "give a municipality's code")])
    return organisation


def _event(wish: Wish, action: str, actor: Principal, municipality: str | None = None,
           detail: dict[str, Any] | None = None, notified: list[str] | None = None) -> WishEvent:
    return WishEvent(wish_id=wish.id, action=action, municipality=municipality, detail=detail or {},
                     notified=notified or [], actor=actor.id, at=utcnow())


async def post(session: AsyncSession, code: str, data: WishInput, actor: Principal) -> Wish:
    """The municipality's beheerder posts a wish; the municipality is its first participant."""
    poster = await _managed(session, code, actor)
    clean, budget_cents = check(data, await known_standards(session))
    now = utcnow()
    wish = await numbering.add_numbered(session, Wish, {
        "organisation": poster, "organisation_id": poster.id, "title": clean.title, "description": clean.description,
        "standards": clean.standards, "budget_cents": budget_cents, "split": clean.split, "status": "open",
        "created_at": now, "created_by": actor.id}, Wish.identifier, "WENS",
        "many wishes are being posted at this moment; post this one again")
    session.add(WishParticipant(wish_id=wish.id, organisation_id=poster.id, joined_at=now, joined_by=actor.id))
    session.add(_event(wish, "posted", actor, poster.code))
    await session.commit()
    return wish


CONTENT = ("title", "description", "standards", "budget_cents", "split")  # what the poster may change while open


async def change(session: AsyncSession, identifier: str, data: WishInput, actor: Principal, base_url: str) -> Wish:
    """The poster's beheerder changes an open wish (title, description, standards, budget, split), checked as when it
    was posted; every joined municipality is told, since its part of the budget may change. The history keeps what
    each changed field was. A change that changes nothing tells nobody."""
    wish = await _locked(session, identifier)
    _require_poster(wish, actor, "change")
    if wish.status != "open":
        raise Conflict(f"wish {wish.identifier} is {wish.status}; only an open wish can be changed",
                       [InvalidParam("status", "not-open", f"the wish is {wish.status}")])
    clean, cents = check(data, await known_standards(session))
    after = {"title": clean.title, "description": clean.description, "standards": clean.standards,
             "budget_cents": cents, "split": clean.split}
    before = {name: getattr(wish, name) for name in CONTENT if getattr(wish, name) != after[name]}
    if not before:
        await session.rollback()
        return await get_wish(session, identifier)
    for name in before:
        setattr(wish, name, after[name])
    notified = await _notify(session, wish, await participants(session, wish), base_url)
    session.add(_event(wish, "changed", actor, detail={"fields": sorted(before), "before": before},
                       notified=notified))
    await session.commit()
    return wish


def _require_open(wish: Wish, doing: str) -> None:
    if wish.status != "open":
        raise Conflict(f"wish {wish.identifier} is {wish.status}: municipalities {doing} only while it is open",
                       [InvalidParam("status", "not-open", f"the wish is {wish.status}")])


async def _participant(session: AsyncSession, wish: Wish, organisation: Organisation) -> WishParticipant | None:
    return await session.scalar(select(WishParticipant).where(WishParticipant.wish_id == wish.id,
                                                              WishParticipant.organisation_id == organisation.id))


async def join(session: AsyncSession, identifier: str, code: str, actor: Principal, base_url: str
               ) -> tuple[Wish, bool]:
    """The municipality joins the open wish (its beheerder acts for it); every joined municipality, the new one too,
    is told (each one's part of the budget changes). True when it joined now, False when it had joined already."""
    municipality = await _managed(session, code, actor)
    wish = await _locked(session, identifier)
    _require_open(wish, "join")
    if await _participant(session, wish, municipality) is not None:
        await session.rollback()
        return await get_wish(session, identifier), False
    try:
        async with session.begin_nested():
            session.add(WishParticipant(wish_id=wish.id, organisation_id=municipality.id, joined_at=utcnow(),
                                        joined_by=actor.id))
            await session.flush()
    except IntegrityError:  # joined at the same moment by another request of the same municipality
        await session.rollback()
        return await get_wish(session, identifier), False
    notified = await _notify(session, wish, await participants(session, wish), base_url)
    session.add(_event(wish, "joined", actor, municipality.code, notified=notified))
    await session.commit()
    return wish, True


async def leave(session: AsyncSession, identifier: str, code: str, actor: Principal, base_url: str) -> Wish:
    """The municipality leaves the open wish; the poster cannot leave its own. The municipalities that stay, and the
    one that left, are told."""
    municipality = await _managed(session, code, actor)
    wish = await _locked(session, identifier)
    _require_open(wish, "leave")
    if wish.organisation_id == municipality.id:
        raise Conflict(f"{municipality.name} posted wish {wish.identifier} and cannot leave it",
                       [InvalidParam("municipality", "poster", "the municipality that posted a wish stays in it")])
    participant = await _participant(session, wish, municipality)
    if participant is None:
        raise NotFound(f"{municipality.name} has not joined wish {wish.identifier}")
    told = await participants(session, wish)
    await session.delete(participant)
    notified = await _notify(session, wish, told, base_url)
    session.add(_event(wish, "left", actor, municipality.code, notified=notified))
    await session.commit()
    return wish


def wish_url(base_url: str, identifier: str) -> str:
    return f"{base_url.rstrip('/')}/api/store/v1/wishes/{identifier}"


async def _notify(session: AsyncSession, wish: Wish, joined: list[WishParticipant], base_url: str) -> list[str]:
    """One notification per joined municipality on the `store` kanaal, in the caller's transaction; their codes."""
    url = wish_url(base_url, wish.identifier)
    codes = [participant.organisation.code for participant in joined]
    extra = {"app": wish.app.slug} if wish.app is not None else {}
    await notifications.publish_each(
        session, kanaal=KANAAL, hoofd_object=url, resource="wish", resource_url=url, actie="update",
        each=[({"wens": wish.identifier, "gemeente": participant.organisation.code, "status": wish.status, **extra},
               participant.organisation.oin) for participant in joined])
    return codes


def may_commission(wish: Wish, actor: Principal | None) -> bool:
    """Whether the actor acts for the municipality that posted the wish (commissions or withdraws it)."""
    return actor is not None and actor.has_role(wish.organisation.code, "beheerder")


def _require_poster(wish: Wish, actor: Principal | None, doing: str) -> None:
    if not may_commission(wish, actor):
        raise Forbidden(f"only a functioneel beheerder of {wish.organisation.name}, which posted wish "
                        f"{wish.identifier}, may {doing} it")


async def commission(session: AsyncSession, identifier: str, commissioner: str, note: str | None,
                     actor: Principal, base_url: str) -> Wish:
    """The poster's beheerder makes the wish a joint commission, with who commissions for all (a joined
    municipality, or a cooperation of municipalities) and a note; every joined municipality is told."""
    wish = await _locked(session, identifier)
    _require_poster(wish, actor, "commission")
    if wish.status != "open":
        raise Conflict(f"wish {wish.identifier} is {wish.status} already",
                       [InvalidParam("status", "not-open", f"the wish is {wish.status}")])
    joined = await participants(session, wish)
    problems = []
    clean_note = (note or "").strip()
    if len(clean_note) > MAX_NOTE:
        problems.append(InvalidParam("note", "maxLength", f"at most {MAX_NOTE} characters"))
    organisation = await session.scalar(select(Organisation).where(Organisation.code == (commissioner or "").strip()))
    joined_ids = {participant.organisation_id for participant in joined}
    if organisation is None or (organisation.id not in joined_ids and organisation.kind not in COMMISSIONER_KINDS):
        problems.append(InvalidParam("commissioner", "not-a-party", "the joint commissioner is one of the joined "
                                     "municipalities or a cooperation of municipalities (its code)"))
    if problems:
        raise InvalidInput("the commission is not valid", problems)
    if len(joined) < MIN_PARTICIPANTS:
        raise Conflict(f"a joint commission needs at least {MIN_PARTICIPANTS} municipalities; wish "
                       f"{wish.identifier} has {len(joined)}",
                       [InvalidParam("participants", "too-few", f"at least {MIN_PARTICIPANTS} municipalities")])
    assert organisation is not None
    wish.status, wish.commissioner_id, wish.commission_note = "commissioned", organisation.id, clean_note or None
    wish.commissioner = organisation
    wish.commissioned_at, wish.commissioned_by = utcnow(), actor.id
    notified = await _notify(session, wish, joined, base_url)
    session.add(_event(wish, "commissioned", actor, detail={"commissioner": organisation.code, "note": clean_note},
                       notified=notified))
    await session.commit()
    return wish


async def withdraw(session: AsyncSession, identifier: str, reason: str | None, actor: Principal,
                   base_url: str) -> Wish:
    """The poster's beheerder withdraws an open wish, saying why (a wish posted by mistake, a need met otherwise);
    every joined municipality is told, and nobody joins, leaves or commissions it any more. A commissioned wish is
    not withdrawn here: its commissioner has made commitments on behalf of all."""
    wish = await _locked(session, identifier)
    _require_poster(wish, actor, "withdraw")
    if wish.status != "open":
        raise Conflict(f"wish {wish.identifier} is {wish.status}; only an open wish can be withdrawn",
                       [InvalidParam("status", "not-open", f"the wish is {wish.status}")])
    clean = " ".join((reason or "").split())
    if not MIN_REASON <= len(clean) <= MAX_NOTE:
        raise InvalidInput("say why the wish is withdrawn", [InvalidParam(
            "reason", "required" if not clean else "length", f"the reason, {MIN_REASON} to {MAX_NOTE} characters")])
    joined = await participants(session, wish)
    wish.status = "withdrawn"
    notified = await _notify(session, wish, joined, base_url)
    session.add(_event(wish, "withdrawn", actor, detail={"reason": clean}, notified=notified))
    await session.commit()
    return wish


def withdrawal_reason(events: list[WishEvent]) -> str | None:
    """Why the wish was withdrawn (its history keeps the reason), or None."""
    return next((str(event.detail.get("reason", "")) for event in reversed(events) if event.action == "withdrawn"),
                None)


def _normalised(standard: str) -> str:
    """A standard as compared: an alias of the publiccode.yml list stands for its resource, case does not count."""
    text = standard.strip()
    if text.startswith("alias:") and text.removeprefix("alias:") in ALIASES:
        text = ALIASES[text.removeprefix("alias:")]
    return text.rstrip("/").lower()


def release_standards(release: Release) -> list[str]:
    """What a release says it meets: the standards of its plein.yaml and the `supports` ids of its publiccode.yml."""
    found = [str(item) for item in ((release.manifest or {}).get("requires") or {}).get("standards") or []]
    found += [str(item["id"]) for item in (release.publiccode or {}).get("supports") or []
              if isinstance(item, dict) and item.get("id")]
    return found


def missing_standards(wish: Wish, release: Release) -> list[str]:
    """The wish's standards the release does not name."""
    met = {_normalised(standard) for standard in release_standards(release)}
    return [standard for standard in wish.standards if _normalised(standard) not in met]


async def _admitted_release(session: AsyncSession, app: App, version: str | None) -> Release:
    query = select(Release).where(Release.app_id == app.id, Release.status == "accepted")
    query = query.where(Release.version == version) if version else query.where(Release.id == app.latest_release_id)
    release = await session.scalar(query)
    if release is None or not app.listed:
        which = f"release {version} of '{app.slug}'" if version else f"'{app.slug}'"
        raise InvalidInput(f"{which} is not admitted to the store",
                           [InvalidParam("version" if version else "app", "not-admitted",
                                         "link an app (or a release of it) the store admitted")])
    return release


def may_fulfil(app: App, actor: Principal | None) -> bool:
    return actor is not None and actor.has_role(app.publisher.code, "publisher")


async def fulfil(session: AsyncSession, identifier: str, slug: str, version: str | None, actor: Principal,
                 base_url: str) -> Wish:
    """A publisher links its admitted app (a release of it; without a version its newest) to the commissioned wish,
    which is then fulfilled; the release must name every standard of the wish. Every joined municipality is told."""
    wish = await _locked(session, identifier)
    app = await get_app(session, slug)
    if not may_fulfil(app, actor):
        raise Forbidden(f"only the publisher of '{slug}' ({app.publisher.name}) may link it to a wish")
    if wish.status != "commissioned":
        why = "has not been commissioned yet" if wish.status == "open" else "is fulfilled already"
        raise Conflict(f"wish {wish.identifier} {why}; a publisher links an app to a commissioned wish",
                       [InvalidParam("status", "not-commissioned", f"the wish is {wish.status}")])
    release = await _admitted_release(session, app, (version or "").strip() or None)
    missing = missing_standards(wish, release)
    if missing:
        raise InvalidInput(f"{app.name} {release.version} does not name every standard of the wish",
                           [InvalidParam("app", "standards-not-met", f"it does not name {standard}")
                            for standard in missing])
    wish.status, wish.app_id, wish.release_id = "fulfilled", app.id, release.id
    wish.app, wish.release = app, release
    wish.fulfilled_at, wish.fulfilled_by = utcnow(), actor.id
    joined = await participants(session, wish)
    notified = await _notify(session, wish, joined, base_url)
    session.add(_event(wish, "fulfilled", actor, detail={"app": app.slug, "version": release.version},
                       notified=notified))
    await session.commit()
    return wish


async def publisher_apps(session: AsyncSession, actor: Principal | None) -> list[App]:
    """The listed apps of the organisations the actor publishes for (what it may link to a wish)."""
    if actor is None:
        return []
    codes = actor.organisations_with("publisher")
    if not codes:
        return []
    query = (select(App).join(Organisation, Organisation.id == App.publisher_id)
             .where(App.listed.is_(True), Organisation.code.in_(codes)).order_by(App.name))
    return list((await session.scalars(query)).unique().all())


async def commissioners(session: AsyncSession, joined: list[WishParticipant]) -> list[Organisation]:
    """Who may be the joint commissioner: the joined municipalities and the cooperations of municipalities."""
    cooperations = (await session.scalars(select(Organisation).where(Organisation.kind.in_(COMMISSIONER_KINDS))
                                          .order_by(Organisation.name))).all()
    return [participant.organisation for participant in joined] + list(cooperations)
