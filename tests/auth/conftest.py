"""Auth test fixtures: a fake OpenID Connect broker on loopback, a movable clock and a page that says who is asking."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from plein.auth import logins
from plein.http import OptionalPrincipal
from tests.auth.fake_broker import FakeBroker
from tests.auth.helpers import Clock


@pytest.fixture
def broker() -> Iterator[FakeBroker]:
    running = FakeBroker().start()
    yield running
    running.stop()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moving = Clock()
    monkeypatch.setattr(logins, "now", moving)
    return moving


@pytest.fixture
def whoami(app: FastAPI) -> str:
    """A page (test only) answering the principal of the request as JSON."""

    async def who(principal: OptionalPrincipal) -> dict[str, Any] | None:
        if principal is None:
            return None
        return {"kind": principal.kind, "id": principal.id, "name": principal.display_name, "loa": principal.loa,
                "branch": principal.branch, "actingPerson": principal.acting_person,
                "roles": sorted(f"{role}@{code}" for code, role in principal.roles)}

    app.add_api_route("/test/wie", who, methods=["GET"])
    return "/test/wie"
