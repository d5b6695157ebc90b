"""Client tokens: a signature is checked once per token and secret, but expiry and a new secret count on every
request."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import jwt
import pytest

from plein.auth import service as auth

SECRET = "a-client-secret-of-at-least-32-characters"


def key(secret: str = SECRET) -> auth.ClientKey:
    return auth.ClientKey("zaaksysteem", secret, [], False, None)


def token(**claims: Any) -> str:
    now = int(dt.datetime.now(dt.UTC).timestamp())
    return jwt.encode({"client_id": "zaaksysteem", "iat": now, **claims}, SECRET, algorithm="HS256")


class Later(dt.datetime):
    """The clock two minutes from now."""

    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> Later:
        moment = REAL_DATETIME.now(tz) + dt.timedelta(minutes=2)
        return cls.fromtimestamp(moment.timestamp(), tz)


REAL_DATETIME = dt.datetime
TWO_MINUTES_ON = SimpleNamespace(datetime=Later, UTC=dt.UTC, timedelta=dt.timedelta)  # for plein.auth.service.dt


def test_a_token_passes_again_and_again() -> None:
    value = token()
    assert [auth.verify_client_token(value, key()).id for _ in range(3)] == ["zaaksysteem"] * 3


def test_a_token_is_refused_once_the_secret_changes() -> None:
    value = token()
    auth.verify_client_token(value, key())
    with pytest.raises(auth.AuthError, match="not valid"):
        auth.verify_client_token(value, key("another-secret-of-at-least-32-characters"))


def test_an_expiry_that_passes_after_the_first_check_still_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    value = token(exp=int(dt.datetime.now(dt.UTC).timestamp()) + 60)
    auth.verify_client_token(value, key())
    monkeypatch.setattr(auth, "dt", TWO_MINUTES_ON)
    with pytest.raises(auth.AuthError, match="expired"):
        auth.verify_client_token(value, key())


def test_a_forged_token_is_refused_every_time() -> None:
    forged = jwt.encode({"client_id": "zaaksysteem", "iat": int(dt.datetime.now(dt.UTC).timestamp())},
                        "not-the-secret-but-long-enough-anyway", algorithm="HS256")
    for _ in range(2):
        with pytest.raises(auth.AuthError, match="not valid"):
            auth.verify_client_token(forged, key())
