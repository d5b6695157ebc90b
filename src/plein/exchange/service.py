"""Exchange layer domain logic: who may read which register fields for which activity, and the processing log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal

ACTIVITY_HEADER = "X-Verwerkingsactiviteit"
TRANSACTION_HEADER = "X-Transaction-Id"


@dataclass(frozen=True)
class ReadPermit:
    """A checked right to read: these fields of this register, for this activity, within this scope."""

    client_id: str
    organisation_code: str | None
    activity: str
    register: str
    fields: frozenset[str]
    municipalities: frozenset[str] | None
    trace_id: str


async def authorize_read(
    session: AsyncSession, principal: Principal | None, register: str, fields: Iterable[str],
    activity: str | None, trace_id: str,
) -> ReadPermit:
    """Check that the client holds live grants covering every requested field for the named activity.

    Raises NotAuthenticated (no client), InvalidInput (no or unknown activity, naming the header) or Forbidden
    (problem+json whose invalidParams list every ungranted field). A revoked or expired grant counts as absent.
    """
    raise NotImplementedError("implemented by the exchange layer work in progress")


async def log_reads(session: AsyncSession, permit: ReadPermit, subjects: list[tuple[str, list[str]]]) -> None:
    """Append one hash-chained processing-log record per person returned (BSN, fields delivered) and commit.

    Called before the response is sent; if it raises, the caller returns an error and no data leaves.
    """
    raise NotImplementedError("implemented by the exchange layer work in progress")
