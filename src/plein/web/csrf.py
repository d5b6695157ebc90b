"""Cross-site request forgery protection: one random token per session, checked on every POSTed form."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from plein.errors import Forbidden

FIELD = "csrf_token"
SESSION_KEY = "csrf"


class CsrfError(Forbidden):
    """The form did not carry this session's token: it may have been sent from another site."""

    code = "csrf"


def csrf_token(request: Request) -> str:
    """The session's token, created on first use; forms send it back in the hidden field `csrf_token`."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


def renew_token(request: Request) -> str:
    """A fresh token, e.g. after logging in (together with a fresh session)."""
    request.session.pop(SESSION_KEY, None)
    return csrf_token(request)


def token_matches(request: Request, sent: object) -> bool:
    expected = request.session.get(SESSION_KEY)
    if not isinstance(expected, str) or not expected or not isinstance(sent, str):
        return False
    return hmac.compare_digest(expected.encode(), sent.encode())


async def checked_form(request: Request) -> FormData:
    """The POSTed form, after checking its CSRF token (403 when it is missing or wrong)."""
    form = await request.form()
    if not token_matches(request, form.get(FIELD)):
        raise CsrfError("het formulier is verlopen of komt niet van deze site; laad de pagina opnieuw en probeer "
                        "het nog eens")
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def text_fields(form: FormData) -> dict[str, str]:
    """The form's text fields (the last value of each name), without the CSRF token."""
    return {name: value for name, value in form.items() if isinstance(value, str) and name != FIELD}
