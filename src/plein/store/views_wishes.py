"""The pages of joint demand (wensen): the public list with a status filter, a wish with who joined and the budget
per municipality, the form to post one, joining and leaving for one's own municipality, changing, commissioning and
withdrawing by the poster, fulfilment by a publisher, and a municipality's own wishes."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.errors import Conflict, Forbidden, InvalidInput, NotFound
from plein.http import SessionDep
from plein.organisations import service as organisations
from plein.organisations.models import Organisation
from plein.store import wishes
from plein.store.wish_models import Wish
from plein.web import csrf
from plein.web.views import PagePrincipal, flash, login_url, redirect, render

router = APIRouter(include_in_schema=False)

WISH_STATUS_NAMES = {"open": "Open", "commissioned": "Opgedragen", "fulfilled": "Vervuld", "withdrawn": "Ingetrokken"}
WISH_SPLIT_NAMES = {"equal": "Gelijk verdeeld", "per-inhabitant": "Naar aantal inwoners"}
WISH_ACTION_NAMES = {"posted": "Geplaatst", "joined": "Aangesloten", "left": "Afgemeld",
                     "changed": "Gewijzigd", "commissioned": "Opdracht verstrekt", "fulfilled": "Vervuld",
                     "withdrawn": "Ingetrokken"}
WISH_FIELD_NAMES = {"title": "titel", "description": "beschrijving", "standards": "standaarden",
                    "budget_cents": "budget", "split": "verdeling"}
MESSAGES = {
    "title": "Vul een titel in (hoogstens 200 tekens)",
    "description": "Beschrijf wat de gemeenten nodig hebben (hoogstens 10.000 tekens)",
    "budget": "Vul het geschatte budget in euro's in, meer dan € 0 en hoogstens € 100.000.000, in hele centen",
    "split": "Kies hoe het budget over de gemeenten wordt verdeeld",
    "standards": "Noem hoogstens 20 standaarden",
    "municipality": "Kies een gemeente waarvan u functioneel beheerder bent",
    "commissioner": "Kies een aangesloten gemeente of een samenwerkingsverband van gemeenten als opdrachtgever",
    "note": "Schrijf hoogstens 2000 tekens",
    "reason": f"Schrijf waarom de wens wordt ingetrokken ({wishes.MIN_REASON} tot {wishes.MAX_NOTE} tekens)",
    "app": "Kies een toegelaten app van uw organisatie",
    "version": "Vul een toegelaten versie van de app in, of laat het veld leeg voor de nieuwste",
}
DUTCH_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")


def euros(text: str) -> str:
    """An amount as people type it ('€ 125.000', '125000,50', '125000.50') as a decimal number text."""
    value = text.replace("€", "").replace(" ", "").replace("\u00a0", "").strip()
    if "," in value:
        return value.replace(".", "").replace(",", ".")
    if DUTCH_THOUSANDS.match(value):
        return value.replace(".", "")
    return value


def standards_of(fields: dict[str, str], chosen: list[str]) -> list[str]:
    """The ticked standards and the others typed (separated by commas, spaces or lines), as the service cleans them."""
    typed = [part for part in re.split(r"[,\s]+", fields.get("other_standards", "")) if part]
    return list(dict.fromkeys(value.strip() for value in [*chosen, *typed] if value.strip()))


def _require_login(request: Request, principal: Principal | None) -> Response | None:
    return redirect(login_url(request)) if principal is None else None


def _managed(request: Request) -> list[tuple[str, str]]:
    managed: list[tuple[str, str]] = request.state.managed
    return managed


def _check_manager(request: Request, code: str) -> None:
    if code not in {managed for managed, _ in _managed(request)}:
        raise Forbidden("alleen een functioneel beheerder van de gemeente mag dit voor de gemeente doen; een gemeente "
                        "handelt niet voor een andere")


# --- the list -------------------------------------------------------------------------------------


@router.get("/wensen")
async def wish_list(request: Request, session: SessionDep, principal: PagePrincipal,
                    status: str = "") -> Response:
    chosen = status if status in wishes.STATUSES else ""
    found = await wishes.list_wishes(session, chosen or None)
    context = {"found": found, "status": chosen, "statuses": WISH_STATUS_NAMES,
               "unknown_status": bool(status) and not chosen, "may_post": bool(_managed(request))}
    return render(request, "store/wishes_list.html", context, status=400 if status and not chosen else 200)


# --- posting --------------------------------------------------------------------------------------


async def _form_context(session: AsyncSession, request: Request, values: dict[str, Any],
                        errors: dict[str, str], editing: Wish | None = None) -> dict[str, Any]:
    """The wish form: to post a new wish, or (editing) to change an open one."""
    known = await wishes.known_standards(session)
    chosen = values.get("standards", [])
    return {"known": known, "chosen": chosen, "values": values, "errors": errors, "municipalities": _managed(request),
            "aliases": wishes.alias_standards(), "editing": editing}


def _form_input(fields: dict[str, str], chosen: list[str]) -> wishes.WishInput:
    """What the wish form sent, as the service takes it."""
    return wishes.WishInput(title=fields.get("title", ""), description=fields.get("description", ""),
                            budget=euros(fields.get("budget", "")), split=fields.get("split", ""),
                            standards=standards_of(fields, chosen))


def _form_errors(exc: InvalidInput, standards: list[str]) -> dict[str, str]:
    """The refusal of the wish form in Dutch, at its fields."""
    errors = {param.name: MESSAGES.get(param.name, param.reason) for param in exc.invalid_params
              if not param.name.startswith("standards.")}
    standard_errors = _standard_errors(exc, standards)
    if standard_errors:
        errors["other_standards"] = " ".join(standard_errors)
    return errors


@router.get("/wensen/nieuw")
async def wish_form(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    if (login := _require_login(request, principal)) is not None:
        return login
    if not _managed(request):
        raise Forbidden("alleen een functioneel beheerder van een gemeente kan een wens plaatsen")
    values = {"split": "equal", "municipality": _managed(request)[0][0]}
    return render(request, "store/wishes_new.html", await _form_context(session, request, values, {}))


def _standard_errors(exc: InvalidInput, standards: list[str]) -> list[str]:
    """The refused standards in Dutch, each with the value."""
    found = []
    for param in exc.invalid_params:
        index = param.name.removeprefix("standards.")
        if param.name.startswith("standards.") and index.isdigit() and int(index) < len(standards):
            found.append(f"De standaard '{standards[int(index)]}' kent de store niet. Kies een standaard uit de lijst, "
                         "een alias zoals alias:gdpr, of de URL van de standaard.")
    return found


@router.post("/wensen/nieuw")
async def post_wish(request: Request, session: SessionDep, principal: PagePrincipal,
                    form: csrf.CheckedForm) -> Response:
    if principal is None:
        raise Forbidden("log in als functioneel beheerder om een wens te plaatsen")
    fields = csrf.text_fields(form)
    code = fields.get("municipality", "")
    _check_manager(request, code)
    chosen = [str(value) for value in form.getlist("standards")]
    data = _form_input(fields, chosen)
    try:
        wish = await wishes.post(session, code, data, principal)
    except InvalidInput as exc:
        errors = _form_errors(exc, data.standards)
        values = {**fields, "standards": chosen}
        return render(request, "store/wishes_new.html", await _form_context(session, request, values, errors),
                      status=400)
    flash(request, f"Uw wens {wish.identifier} is geplaatst. Andere gemeenten kunnen zich nu aansluiten.")
    return redirect(f"/wensen/{wish.identifier}")


# --- one wish -------------------------------------------------------------------------------------


async def _wish_context(session: AsyncSession, request: Request, wish: Wish,
                        principal: Principal | None) -> dict[str, Any]:
    joined = await wishes.participants(session, wish)
    reckoning = await wishes.reckon(session, wish, joined)
    joined_codes = {participant.organisation.code for participant in joined}
    apps = await wishes.publisher_apps(session, principal) if wish.status == "commissioned" else []
    history = await wishes.history(session, wish)
    return {
        "wish": wish, "reckoning": reckoning, "history": history, "withdrawal": wishes.withdrawal_reason(history),
        "mine": [(code, name, code in joined_codes) for code, name in _managed(request)],
        "may_commission": wish.status == "open" and wishes.may_commission(wish, principal),
        "commissioners": await wishes.commissioners(session, joined) if wish.status == "open" else [],
        "min_participants": wishes.MIN_PARTICIPANTS, "apps": apps, "errors": {}, "values": {},
    }


@router.get("/wensen/{identifier}")
async def wish_page(identifier: str, request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    wish = await wishes.get_wish(session, identifier)
    return render(request, "store/wishes_detail.html", await _wish_context(session, request, wish, principal))


async def _page_again(session: AsyncSession, request: Request, identifier: str, principal: Principal | None,
                      errors: dict[str, str], values: dict[str, str], status: int) -> Response:
    """The wish page once more after a refused form, with the errors at their fields; what the form began is rolled
    back (nothing is saved)."""
    await session.rollback()
    wish = await wishes.get_wish(session, identifier)
    context = await _wish_context(session, request, wish, principal)
    context.update(errors=errors, values=values)
    return render(request, "store/wishes_detail.html", context, status=status)


@router.post("/wensen/{identifier}/aansluiten")
async def join_wish(identifier: str, request: Request, session: SessionDep, principal: PagePrincipal,
                    form: csrf.CheckedForm) -> Response:
    code = csrf.text_fields(form).get("municipality", "")
    _check_manager(request, code)
    assert principal is not None
    try:
        wish, _ = await wishes.join(session, identifier, code, principal, str(request.base_url))
    except Conflict:
        return await _page_again(session, request, identifier, principal, {
            "membership": "Aansluiten kan alleen zolang de wens open is."}, {}, 409)
    name = dict(_managed(request))[code]
    flash(request, f"{name} heeft zich aangesloten bij wens {wish.identifier}.")
    return redirect(f"/wensen/{identifier}#gemeenten")


@router.post("/wensen/{identifier}/afmelden")
async def leave_wish(identifier: str, request: Request, session: SessionDep, principal: PagePrincipal,
                     form: csrf.CheckedForm) -> Response:
    code = csrf.text_fields(form).get("municipality", "")
    _check_manager(request, code)
    assert principal is not None
    try:
        await wishes.leave(session, identifier, code, principal, str(request.base_url))
    except (Conflict, NotFound) as exc:
        poster = any(param.code == "poster" for param in exc.invalid_params)
        message = ("De gemeente die de wens plaatste, blijft erbij." if poster else
                   "Afmelden kan alleen zolang de wens open is en de gemeente is aangesloten.")
        return await _page_again(session, request, identifier, principal, {"membership": message}, {}, 409)
    name = dict(_managed(request))[code]
    flash(request, f"{name} heeft zich afgemeld voor wens {identifier}.")
    return redirect(f"/wensen/{identifier}#gemeenten")


async def _poster(session: AsyncSession, identifier: str, principal: Principal | None, doing: str) -> Principal:
    """The logged-in beheerder of the municipality that posted the wish (403 for anyone else)."""
    wish = await wishes.get_wish(session, identifier)
    if principal is None or not wishes.may_commission(wish, principal):
        raise Forbidden(f"alleen een functioneel beheerder van {wish.organisation.name}, die de wens plaatste, mag "
                        f"{doing}")
    return principal


@router.post("/wensen/{identifier}/opdracht")
async def commission_wish(identifier: str, request: Request, session: SessionDep, principal: PagePrincipal,
                          form: csrf.CheckedForm) -> Response:
    principal = await _poster(session, identifier, principal, "de opdracht verstrekken")
    fields = csrf.text_fields(form)
    try:
        await wishes.commission(session, identifier, fields.get("commissioner", ""), fields.get("note"), principal,
                                str(request.base_url))
    except InvalidInput as exc:
        errors = {param.name: MESSAGES.get(param.name, param.reason) for param in exc.invalid_params}
        return await _page_again(session, request, identifier, principal, errors, fields, 400)
    except Conflict as exc:
        too_few = any(param.code == "too-few" for param in exc.invalid_params)
        message = (f"Een gezamenlijke opdracht vraagt minstens {wishes.MIN_PARTICIPANTS} gemeenten." if too_few
                   else "De wens is niet meer open.")
        return await _page_again(session, request, identifier, principal, {"commissioner": message}, fields, 409)
    flash(request, f"De opdracht voor wens {identifier} is verstrekt; de aangesloten gemeenten hebben bericht.")
    return redirect(f"/wensen/{identifier}")


@router.get("/wensen/{identifier}/wijzigen")
async def change_form(identifier: str, request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    if (login := _require_login(request, principal)) is not None:
        return login
    await _poster(session, identifier, principal, "de wens wijzigen")
    wish = await wishes.get_wish(session, identifier)
    if wish.status != "open":
        return redirect(f"/wensen/{identifier}")
    known = set(await wishes.known_standards(session))
    values = {"title": wish.title, "description": wish.description, "split": wish.split,
              "budget": f"{wish.budget_cents / 100:.2f}".replace(".", ","),
              "standards": [standard for standard in wish.standards if standard in known],
              "other_standards": ", ".join(standard for standard in wish.standards if standard not in known)}
    return render(request, "store/wishes_new.html", await _form_context(session, request, values, {}, wish))


@router.post("/wensen/{identifier}/wijzigen")
async def change_wish(identifier: str, request: Request, session: SessionDep, principal: PagePrincipal,
                      form: csrf.CheckedForm) -> Response:
    principal = await _poster(session, identifier, principal, "de wens wijzigen")
    fields = csrf.text_fields(form)
    chosen = [str(value) for value in form.getlist("standards")]
    data = _form_input(fields, chosen)
    try:
        await wishes.change(session, identifier, data, principal, str(request.base_url))
    except InvalidInput as exc:
        await session.rollback()
        wish = await wishes.get_wish(session, identifier)
        errors = _form_errors(exc, data.standards)
        context = await _form_context(session, request, {**fields, "standards": chosen}, errors, wish)
        return render(request, "store/wishes_new.html", context, status=400)
    except Conflict:
        await session.rollback()
        return redirect(f"/wensen/{identifier}")
    flash(request, f"Wens {identifier} is gewijzigd; de aangesloten gemeenten hebben bericht.")
    return redirect(f"/wensen/{identifier}")


@router.post("/wensen/{identifier}/intrekken")
async def withdraw_wish(identifier: str, request: Request, session: SessionDep, principal: PagePrincipal,
                        form: csrf.CheckedForm) -> Response:
    principal = await _poster(session, identifier, principal, "de wens intrekken")
    fields = csrf.text_fields(form)
    try:
        await wishes.withdraw(session, identifier, fields.get("reason"), principal, str(request.base_url))
    except InvalidInput:
        return await _page_again(session, request, identifier, principal, {"reason": MESSAGES["reason"]}, fields,
                                 400)
    except Conflict:
        return await _page_again(session, request, identifier, principal, {
            "reason": "Alleen een open wens kan worden ingetrokken."}, fields, 409)
    flash(request, f"Wens {identifier} is ingetrokken; de aangesloten gemeenten hebben bericht.")
    return redirect(f"/wensen/{identifier}")


@router.post("/wensen/{identifier}/vervuld")
async def fulfil_wish(identifier: str, request: Request, session: SessionDep, principal: PagePrincipal,
                      form: csrf.CheckedForm) -> Response:
    if principal is None:
        raise Forbidden("log in als uitgever om een app aan een wens te koppelen")
    fields = csrf.text_fields(form)
    try:
        await wishes.fulfil(session, identifier, fields.get("app", ""), fields.get("version") or None, principal,
                            str(request.base_url))
    except NotFound:
        return await _page_again(session, request, identifier, principal, {"app": MESSAGES["app"]}, fields, 400)
    except InvalidInput as exc:
        missing = [param.reason.removeprefix("it does not name ") for param in exc.invalid_params
                   if param.code == "standards-not-met"]
        errors = ({"app": "Deze versie van de app noemt niet alle standaarden van de wens; ontbrekend: "
                   + ", ".join(missing)} if missing else
                  {param.name: MESSAGES.get(param.name, param.reason) for param in exc.invalid_params})
        return await _page_again(session, request, identifier, principal, errors, fields, 400)
    except Conflict:
        return await _page_again(session, request, identifier, principal, {
            "app": "Alleen een wens waarvoor de opdracht is verstrekt, kan vervuld worden."}, fields, 409)
    flash(request, f"Wens {identifier} is vervuld; de aangesloten gemeenten hebben bericht.")
    return redirect(f"/wensen/{identifier}")


# --- a municipality's wishes ----------------------------------------------------------------------


async def _municipality(session: AsyncSession, code: str) -> Organisation:
    try:
        return await organisations.get_by_code(session, code)
    except organisations.UnknownOrganisation as exc:
        raise NotFound(f"er is geen gemeente met code {code}") from exc


@router.get("/gemeenten/{code}/wensen")
async def municipality_wishes(code: str, request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    municipality = await _municipality(session, code)
    found = await wishes.municipality_wishes(session, code)
    counts = await wishes.participant_counts(session, [wish.id for wish in found])
    context = {"municipality": municipality, "found": [(wish, counts.get(wish.id, 0)) for wish in found],
               "manage": code in {managed for managed, _ in _managed(request)}}
    return render(request, "store/wishes_municipality.html", context)


async def municipality_parts(session: AsyncSession, municipality: Organisation) -> dict[str, Any]:
    """For the municipality's apps page: the wishes it posted or joined, with where each stands."""
    return {"wishes": await wishes.municipality_wishes(session, municipality.code)}
