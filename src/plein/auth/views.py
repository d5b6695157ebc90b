"""Login pages for citizens and businesses: the choice at /inloggen, DigiD and eHerkenning through their brokers, and
the login simulator (dev, demo and test only)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from plein.auth import assurance, logins, oidc, simulator
from plein.http import SessionDep
from plein.registers.brp import service as brp
from plein.settings import Settings
from plein.web import csrf
from plein.web.views import PagePrincipal, begin_login, flash, redirect, render, safe_next

router = APIRouter(include_in_schema=False)
NextPath = Annotated[str, Query(alias="next")]
Niveau = Annotated[str, Query(alias="niveau")]
Dienst = Annotated[str, Query(alias="dienst")]
SCHEMES: tuple[assurance.Scheme, ...] = (assurance.DIGID, assurance.EHERKENNING)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _link(path: str, next_path: str, required: str | None = None, service: str | None = None) -> str:
    params = {"next": next_path, **({"niveau": required} if required else {})}
    if service:
        params["dienst"] = service
    return f"{path}?{urlencode(params)}"


def _message(request: Request, status: int, title: str, text: str, links: list[tuple[str, str]]) -> Response:
    context = {"title": title, "text": text, "links": links, "status": status}
    return render(request, "inloggen_melding.html", context, status=status)


def welcome(login: logins.NewLogin) -> str:
    """The message after logging in."""
    via = " (simulator)" if login.provider == "simulator" else ""
    if login.kind == "business":
        return f"U bent ingelogd met {assurance.label(login.loa)}{via} voor KvK-nummer {login.subject}."
    return f"U bent ingelogd met {assurance.label(login.loa)}{via}."


def _service_name(service: str) -> str:
    return next((item.name for item in simulator.built_in_services() if item.id == service), service)


async def _logged_in(request: Request, session: SessionDep, login: logins.NewLogin, target: str,
                     service: str | None) -> Response:
    """Start the login; when it was for a service that the employee holds no machtiging for, say so (the service
    itself refuses them; the rest of Plein, such as /zakelijk, stays open)."""
    response = await begin_login(request, session, login, target, welcome(login))
    if login.kind == "business" and service and service not in login.mandates:
        flash(request, f"U heeft met deze inlog geen machtiging voor ‘{_service_name(service)}’. Vraag degene die "
                       "in uw bedrijf eHerkenning beheert om u voor deze dienst te machtigen.", "warning")
    return response


def _service(scheme: assurance.Scheme, value: str) -> str | None:
    """The service a login is for: only eHerkenning logins are for a service; anything but an app id is ignored."""
    value = value.strip()
    return value if scheme == assurance.EHERKENNING and logins.is_service_id(value) else None


@router.get("/inloggen")
async def choose(request: Request, principal: PagePrincipal, next_path: NextPath = "/",
                 dienst: Dienst = "") -> Response:
    settings = _settings(request)
    target = safe_next(next_path)
    service = _service(assurance.EHERKENNING, dienst)
    context = {
        "next": target, "simulator": settings.simulator_enabled,
        "configured": {scheme: oidc.broker(settings, scheme) is not None for scheme in SCHEMES},
        "links": {name: _link(path, target, service=service if name in ("eherkenning", "simulator") else None)
                  for name, path in (("digid", "/inloggen/digid"), ("eherkenning", "/inloggen/eherkenning"),
                                     ("staff", "/login"), ("simulator", "/inloggen/simulator"))},
    }
    return render(request, "inloggen.html", context)


async def _start(request: Request, scheme: assurance.Scheme, next_path: str, niveau: str, dienst: str = "") -> Response:
    settings = _settings(request)
    label = oidc.LABELS[scheme]
    target = safe_next(next_path)
    required = assurance.parse_level(niveau, scheme) if niveau else None
    if niveau and required is None:
        levels = ", ".join(assurance.LEVELS[scheme])
        return _message(request, 400, f"Inloggen met {label}",
                        f"Het betrouwbaarheidsniveau '{niveau}' bestaat niet voor {label}. Kies uit: {levels}.",
                        [(_link("/inloggen", target), "Terug naar inloggen")])
    pending = oidc.Pending(target, required, _service(scheme, dienst))
    broker = oidc.broker(settings, scheme)
    if broker is None:
        return _not_configured(request, scheme, pending)
    try:
        url = await oidc.authorization_url(request, broker, oidc.redirect_uri(settings, scheme), pending)
    except logins.LoginRefused as exc:
        return _refused(request, scheme, exc, pending)
    return redirect(url)


def _not_configured(request: Request, scheme: assurance.Scheme, pending: oidc.Pending) -> Response:
    label = oidc.LABELS[scheme]
    text = f"Inloggen met {label} is op deze omgeving niet ingesteld: er is geen koppeling met een {label}-makelaar."
    links = [(_link("/inloggen", pending.next_path, service=pending.service), "Terug naar inloggen")]
    if _settings(request).simulator_enabled:
        text += " Dit is een ontwikkel-, demo- of testomgeving: gebruik de inlogsimulator."
        links.insert(0, (_link("/inloggen/simulator", pending.next_path, pending.required, pending.service),
                         "Naar de inlogsimulator"))
    return _message(request, 503, f"Inloggen met {label} is niet ingesteld", text, links)


def _refused(request: Request, scheme: assurance.Scheme, exc: logins.LoginRefused,
             pending: oidc.Pending | None) -> Response:
    label = oidc.LABELS[scheme]
    again = _link(f"/inloggen/{scheme}", pending.next_path, pending.required, pending.service) if pending else \
        "/inloggen"
    return _message(request, exc.status, f"Inloggen met {label} is niet gelukt", str(exc),
                    [(again, "Opnieuw inloggen"), ("/", "Naar de startpagina")])


async def _callback(request: Request, session: SessionDep, scheme: assurance.Scheme) -> Response:
    settings = _settings(request)
    broker = oidc.broker(settings, scheme)
    if broker is None:
        return _not_configured(request, scheme, oidc.Pending("/", None))
    try:
        pending = await oidc.pending(request, broker)
    except logins.LoginRefused as exc:
        return _refused(request, scheme, exc, None)
    try:
        claims = await oidc.checked_claims(request, broker)
        login = oidc.citizen_login(claims, settings) if scheme == assurance.DIGID else \
            oidc.business_login(claims, settings)
        logins.check_level(login, pending.required)
    except logins.LoginRefused as exc:
        return _refused(request, scheme, exc, pending)
    return await _logged_in(request, session, login, pending.next_path, pending.service)


@router.get("/inloggen/digid")
async def digid(request: Request, next_path: NextPath = "/", niveau: Niveau = "") -> Response:
    """To the DigiD broker; `niveau` is the least level the login must have (basis, midden, substantieel, hoog)."""
    return await _start(request, assurance.DIGID, next_path, niveau)


@router.get("/inloggen/digid/callback")
async def digid_callback(request: Request, session: SessionDep) -> Response:
    return await _callback(request, session, assurance.DIGID)


@router.get("/inloggen/eherkenning")
async def eherkenning(request: Request, next_path: NextPath = "/", niveau: Niveau = "",
                      dienst: Dienst = "") -> Response:
    """To the eHerkenning broker; `niveau` is the least level the login must have (EH1 … EH4), `dienst` the service
    (an app id) the login is for, whose machtiging the broker is asked for."""
    return await _start(request, assurance.EHERKENNING, next_path, niveau, dienst)


@router.get("/inloggen/eherkenning/callback")
async def eherkenning_callback(request: Request, session: SessionDep) -> Response:
    return await _callback(request, session, assurance.EHERKENNING)


# --- the login simulator ---------------------------------------------------------------------------------------


def _require_simulator(request: Request) -> None:
    if not _settings(request).simulator_enabled:
        raise StarletteHTTPException(404)


async def _simulator_page(request: Request, session: SessionDep, values: dict[str, str],
                          errors: list[tuple[str, str]], status: int = 200,
                          checked: list[str] | None = None) -> Response:
    required = assurance.parse_level(values.get("vereist", ""))
    scheme = assurance.scheme_of(required)
    service = _service(assurance.EHERKENNING, values.get("dienst", ""))
    context: dict[str, Any] = {
        "persons": await brp.simulator_persons(session, simulator.PERSONS_SHOWN),
        "companies": simulator.DEMO_COMPANIES,
        "digid_levels": assurance.DIGID_LEVELS, "eh_levels": assurance.EHERKENNING_LEVELS,
        "labels": {level: assurance.label(level) for level in assurance.ACR_VALUES},
        "values": values, "errors": errors, "error_ids": {field_id for field_id, _ in errors},
        "summary": [(f"#{field_id}", message) for field_id, message in errors],
        "error_count": len(errors), "required": required, "next": safe_next(values.get("next", "/")),
        "default_digid": required if scheme == assurance.DIGID else "substantieel",
        "default_eh": required if scheme == assurance.EHERKENNING else "EH3",
        "services": simulator.services(service), "service": service,
        # none checked but the service the login is for; after a refused form, what was checked
        "mandates": set(checked if checked is not None else [service] if service else []),
    }
    return render(request, "inloggen_simulator.html", context, status=status)


@router.get("/inloggen/simulator")
async def simulator_form(request: Request, session: SessionDep, principal: PagePrincipal, next_path: NextPath = "/",
                         niveau: Niveau = "", dienst: Dienst = "") -> Response:
    """Choose a citizen or a business to log in as (only when PLEIN_LOGIN_SIMULATOR is on, never in production);
    `dienst` is the service a business login is for, checked as a machtiging to begin with."""
    _require_simulator(request)
    return await _simulator_page(request, session, {"next": next_path, "vereist": niveau, "dienst": dienst}, [])


@router.post("/inloggen/simulator")
async def simulator_login(request: Request, session: SessionDep, form: csrf.CheckedForm) -> Response:
    _require_simulator(request)
    fields = csrf.text_fields(form)
    checked = [value for value in form.getlist("machtiging") if isinstance(value, str)]
    if fields.get("soort") == "ondernemer":
        outcome = simulator.business(fields, checked)
    else:
        names = dict(await brp.simulator_persons(session, simulator.PERSONS_SHOWN))
        outcome = simulator.citizen(fields, names)
    again = checked if fields.get("soort") == "ondernemer" else None
    if outcome.login is None:
        return await _simulator_page(request, session, fields, outcome.errors, status=400, checked=again)
    try:
        logins.check_level(outcome.login, assurance.parse_level(fields.get("vereist", "")))
    except logins.LoginRefused as exc:
        level_field = "ondernemer-niveau-EH1" if fields.get("soort") == "ondernemer" else "inwoner-niveau-basis"
        return await _simulator_page(request, session, fields, [(level_field, str(exc))], status=exc.status,
                                     checked=again)
    return await _logged_in(request, session, outcome.login, fields.get("next", "/"),
                            _service(assurance.EHERKENNING, fields.get("dienst", "")))


def include(app: FastAPI) -> None:
    app.include_router(router)
