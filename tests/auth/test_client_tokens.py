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


def test_only_verified_tokens_are_remembered() -> None:
    before = len(auth._VERIFIED)
    for number in range(50):
        forged = jwt.encode({"client_id": "zaaksysteem", "iat": int(dt.datetime.now(dt.UTC).timestamp()),
                             "padding": "x" * 2000 + str(number)}, "not-the-secret-but-long-enough-anyway",
                            algorithm="HS256")
        auth.token_claims(forged)
        with pytest.raises(auth.AuthError):
            auth.verify_client_token(forged, key())
    assert len(auth._VERIFIED) == before


def test_the_verified_tokens_are_bounded_by_bytes_as_well_as_entries() -> None:
    remembered = auth.VerifiedTokens(max_entries=1000, max_bytes=50_000)
    for number in range(100):
        remembered.put(f"{number}-" + "t" * 1000, b"digest", {"iat": 1})
    assert remembered.bytes <= 50_000 and len(remembered) < 100
    assert remembered.get("99-" + "t" * 1000) is not None and remembered.get("0-" + "t" * 1000) is None
    few = auth.VerifiedTokens(max_entries=3)
    for number in range(5):
        few.put(str(number), b"digest", {})
    assert len(few) == 3


def test_a_token_longer_than_the_limit_is_refused_before_decoding() -> None:
    with pytest.raises(auth.AuthError, match="longer than 4096"):
        auth.token_claims("a" * (auth.MAX_TOKEN_LENGTH + 1))


@pytest.mark.parametrize("iat", [10**30, -(10**30), 1e308, float("inf"), float("nan"), True, "1700000000"])
def test_a_correctly_signed_token_with_an_absurd_iat_is_refused(iat: Any) -> None:
    value = jwt.encode({"client_id": "zaaksysteem", "iat": iat}, SECRET, algorithm="HS256")
    with pytest.raises(auth.AuthError):
        auth.verify_client_token(value, key())
