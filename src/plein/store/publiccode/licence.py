"""legal.license: a valid SPDX licence expression, with current (not deprecated) licence identifiers."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from license_expression import get_spdx_licensing

from plein.store.publiccode.context import Context

_TOKEN = re.compile(r"[A-Za-z0-9.+:-]+")
_OPERATORS = frozenset({"and", "or", "with"})


@cache
def spdx_licensing() -> Any:
    """The SPDX licence index; building it takes tens of milliseconds, so it is built once per process."""
    return get_spdx_licensing()


def _validate(expression: str) -> Any | None:
    """The library's validation result, or None when the library cannot read the expression at all."""
    try:
        return spdx_licensing().validate(expression)
    except Exception:  # the library raises assorted errors (even AttributeError) on some malformed input
        return None


def check_license(ctx: Context, path: str, value: str) -> None:
    expression = value.strip()
    info = _validate(expression)
    if info is None or (not info.normalized_expression and not info.errors):
        ctx.error("publiccode.spdx", path, f"{path} '{value}' is geen geldige SPDX-licentie-expressie{_EXAMPLE}")
        return
    if info.errors:
        ctx.error("publiccode.spdx", path, _error_message(path, value, info))
        return
    for token in _TOKEN.findall(expression):
        _deprecated_id(ctx, path, token)


_EXAMPLE = " (bijvoorbeeld EUPL-1.2, of EUPL-1.2 OR AGPL-3.0-or-later; ids van https://spdx.org/licenses/)"


def _error_message(path: str, value: str, info: Any) -> str:
    first = str(info.errors[0])
    if not first.startswith("Unknown license key"):
        return f"{path} '{value}' is geen geldige SPDX-licentie-expressie ({first}){_EXAMPLE}"
    unknown = ", ".join(str(symbol) for symbol in info.invalid_symbols)
    message = f"{path} '{value}' noemt licentie-ids die niet op de SPDX-lijst staan: {unknown}"
    if any(str(symbol).startswith(("LicenseRef-", "DocumentRef-")) for symbol in info.invalid_symbols):
        message += "; LicenseRef-ids zijn niet toegestaan, de standaard vraagt opensourcelicenties van de SPDX-lijst"
    return message + _EXAMPLE


def _deprecated_id(ctx: Context, path: str, token: str) -> None:
    if token.lower() in _OPERATORS:
        return
    info = _validate(token)
    current = info.normalized_expression if info is not None and not info.errors else None
    if current and str(current).lower() != token.lower():
        ctx.warning(
            "publiccode.spdx-deprecated", path,
            f"{path} gebruikt het verouderde SPDX-id '{token}'; schrijf '{current}'",
        )
