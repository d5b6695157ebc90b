"""The curator's pages: the admission policy (with its versions) and the list of standards apps may require.
Everyone may read them (reports name the policy version they ran under); only a curator may change them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.errors import Conflict, Forbidden, InvalidInput, NotFound
from plein.http import SessionDep
from plein.store import policy, service, standards
from plein.store.models import AdmissionPolicy
from plein.web import csrf
from plein.web.views import PagePrincipal, flash, redirect, render

router = APIRouter(include_in_schema=False)

POLICY_PAGE = "/toelatingsbeleid"
STANDARDS_PAGE = "/standaarden"
REASON_MESSAGE = (f"Schrijf waarom u het beleid wijzigt ({policy.REASON_MIN} tot en met {policy.REASON_MAX} "
                  "tekens); iedereen ziet de reden bij de versie")
STANDARD_MESSAGES = {
    "alias": "Vul een alias in van kleine letters en cijfers, gescheiden door een streepje of punt, zoals "
             "zgw-zaken-1.5 (hoogstens 60 tekens)",
    "title": "Vul de naam van de standaard in (hoogstens 200 tekens)",
    "url": "Vul een webadres in dat begint met http:// of https://",
}


def _curator(principal: Principal | None) -> Principal:
    if principal is None or not service.is_curator(principal):
        raise Forbidden("alleen een curator van de store mag dit wijzigen")
    return principal


def _rows(severities: Mapping[str, str]) -> list[dict[str, Any]]:
    """The settable codes by group, each with its check's severity and the policy's choice ('' = as the check)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for rule in policy.catalogue():
        groups.setdefault(rule.group, []).append({"rule": rule, "chosen": severities.get(rule.code, "")})
    return [{"id": group, "title": policy.GROUPS[group], "rules": rules} for group, rules in groups.items()]


async def _policy_context(session: AsyncSession, principal: Principal | None,
                          chosen: dict[str, str] | None = None) -> dict[str, Any]:
    current = await policy.current(session)
    versions = await policy.history(session)
    return {"current": current, "latest": versions[0] if versions else None,
            "groups": _rows(current.severities if chosen is None else chosen), "fixed": policy.FIXED,
            "curator": service.is_curator(principal), "errors": {}, "reason": ""}


@router.get(POLICY_PAGE)
async def policy_page(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    return render(request, "store/policy.html", await _policy_context(session, principal))


@router.post(POLICY_PAGE)
async def change_policy(request: Request, session: SessionDep, principal: PagePrincipal,
                        form: csrf.CheckedForm) -> Response:
    actor = _curator(principal)
    fields = csrf.text_fields(form)
    codes = policy.adjustable()
    chosen = {code: fields[code] for code in codes if fields.get(code)}
    try:
        saved = await policy.set_policy(session, chosen, fields.get("reason", ""), actor)
    except (InvalidInput, Conflict) as exc:
        context = await _policy_context(session, principal, chosen)
        errors = {p.name: REASON_MESSAGE if p.name == "reason" else _policy_message(p.name, p.code)
                  for p in exc.invalid_params} or {"severities": exc.detail}
        context.update(errors=errors, reason=fields.get("reason", ""), error_count=len(errors))
        return render(request, "store/policy.html", context, status=exc.status)
    flash(request, f"Versie {saved.version} van het toelatingsbeleid geldt nu voor elk nieuw pakket.")
    return redirect(f"{POLICY_PAGE}/versies/{saved.version}")


def _policy_message(name: str, code: str) -> str:
    if name == "severities":
        return "Er is niets gewijzigd: kies bij minstens één regel een andere ernst"
    if code == "fixed":
        return f"De regel {name} kan niet via het beleid worden ingesteld"
    return f"Kies bij {name} Fout, Waarschuwing of Zoals de controle"


@router.get(POLICY_PAGE + "/versies")
async def policy_history(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    return render(request, "store/policy_history.html", {"versions": await policy.history(session)})


def _changes(version: AdmissionPolicy, before: AdmissionPolicy | None) -> list[dict[str, str]]:
    """What this version changed against the one before: code, severity before and after ('' = as the check)."""
    old = before.severities if before is not None else {}
    codes = sorted(set(old) | set(version.severities))
    return [{"code": code, "before": old.get(code, ""), "after": version.severities.get(code, "")}
            for code in codes if old.get(code, "") != version.severities.get(code, "")]


@router.get(POLICY_PAGE + "/versies/{number}")
async def policy_version(number: str, request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    if not number.isdigit() or len(number) > 9:
        raise NotFound(f"er is geen versie {number[:20]} van het toelatingsbeleid")
    try:
        version = await policy.get_version(session, int(number))
    except NotFound as exc:
        raise NotFound(f"er is geen versie {number} van het toelatingsbeleid") from exc
    before = next((v for v in await policy.history(session) if v.version < version.version), None)
    context = {"version": version, "changes": _changes(version, before), "before": before,
               "rules": policy.adjustable()}
    return render(request, "store/policy_version.html", context)


# --- standards ------------------------------------------------------------------------------------------


async def _standards_page(request: Request, session: AsyncSession, principal: Principal | None, *,
                          errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
                          status: int = 200) -> Response:
    context = {"standards": await standards.list_standards(session), "curator": service.is_curator(principal),
               "errors": errors or {}, "values": values or {}, "error_count": len(errors or {})}
    return render(request, "store/standards.html", context, status=status)


def _standard_errors(exc: InvalidInput | Conflict) -> dict[str, str]:
    errors = {}
    for param in exc.invalid_params:
        if param.code == "duplicate":
            errors[param.name] = "Deze alias staat al op de lijst; kies een andere"
        else:
            errors[param.name] = STANDARD_MESSAGES.get(param.name, param.reason)
    return errors or {"alias": exc.detail}


@router.get(STANDARDS_PAGE)
async def standards_page(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    return await _standards_page(request, session, principal)


@router.post(STANDARDS_PAGE)
async def add_standard(request: Request, session: SessionDep, principal: PagePrincipal,
                       form: csrf.CheckedForm) -> Response:
    actor = _curator(principal)
    fields = csrf.text_fields(form)
    try:
        saved = await standards.save_standard(session, fields.get("alias", ""), fields.get("title", ""),
                                              fields.get("url", ""), actor)
    except (InvalidInput, Conflict) as exc:
        return await _standards_page(request, session, principal, errors=_standard_errors(exc), values=fields,
                                     status=exc.status)
    flash(request, f"De standaard {saved.alias} staat op de lijst.")
    return redirect(STANDARDS_PAGE)


@router.get(STANDARDS_PAGE + "/{alias}")
async def standard_form(alias: str, request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    _curator(principal)
    standard = await standards.get_standard(session, alias)
    values = {"alias": standard.alias, "title": standard.title, "url": standard.url}
    return render(request, "store/standard.html", {"standard": standard, "values": values, "errors": {}})


@router.post(STANDARDS_PAGE + "/{alias}")
async def change_standard(alias: str, request: Request, session: SessionDep, principal: PagePrincipal,
                          form: csrf.CheckedForm) -> Response:
    actor = _curator(principal)
    fields = csrf.text_fields(form)
    try:
        saved = await standards.save_standard(session, fields.get("alias", ""), fields.get("title", ""),
                                              fields.get("url", ""), actor, existing=alias)
    except (InvalidInput, Conflict) as exc:
        standard = await standards.get_standard(session, alias)
        errors = _standard_errors(exc)
        context = {"standard": standard, "values": fields, "errors": errors, "error_count": len(errors)}
        return render(request, "store/standard.html", context, status=exc.status)
    flash(request, f"De standaard {saved.alias} is gewijzigd.")
    return redirect(STANDARDS_PAGE)


@router.post(STANDARDS_PAGE + "/{alias}/verwijderen")
async def remove_standard(alias: str, request: Request, session: SessionDep, principal: PagePrincipal,
                          form: csrf.CheckedForm) -> Response:
    await standards.remove_standard(session, alias, _curator(principal))
    flash(request, f"De standaard {alias} staat niet meer op de lijst.")
    return redirect(STANDARDS_PAGE)
