"""Domain errors that every part raises and the API turns into application/problem+json responses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class InvalidParam:
    """One bad input: which field (dotted path), which rule, and what is wrong."""

    name: str
    code: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "code": self.code, "reason": self.reason}


class PleinError(Exception):
    """Base of the errors a caller can act on; status and title follow RFC 9457 problem details."""

    status = 400
    title = "Bad request"
    code = "invalid"

    def __init__(
        self, detail: str, invalid_params: list[InvalidParam] | None = None, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.invalid_params = invalid_params or []
        self.extra = extra or {}


class InvalidInput(PleinError):
    status = 400
    title = "The input is not valid"
    code = "invalid"


class NotAuthenticated(PleinError):
    status = 401
    title = "Not authenticated"
    code = "not-authenticated"


class Forbidden(PleinError):
    status = 403
    title = "Not allowed"
    code = "forbidden"


class NotFound(PleinError):
    status = 404
    title = "Not found"
    code = "not-found"


class Conflict(PleinError):
    status = 409
    title = "Conflict with the current state"
    code = "conflict"


class PayloadTooLarge(PleinError):
    status = 413
    title = "The upload is too large"
    code = "too-large"


class ServiceUnavailable(PleinError):
    status = 503
    title = "A service Plein needs is not available"
    code = "unavailable"
