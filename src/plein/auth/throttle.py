"""Failed staff log-ins, counted per account and per client address: after a few, each next try waits longer."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

FREE_FAILURES = 5  # failures that cost nothing; the next waits 1 s, then 2, 4, … up to MAX_WAIT
MAX_WAIT = 15 * 60.0
FORGET_AFTER = 60 * 60.0  # a key without failures for this long starts again from nothing
MAX_KEYS = 50_000  # bounded memory: the least recently failed keys are forgotten first


@dataclass
class _Failures:
    count: int
    last: float


class LoginThrottle:
    """Failed log-ins in this process, by key ('account:<name>' and 'address:<ip>'); `clock` is monotonic seconds.

    Kept in memory per worker process: with N workers an attacker gets at most N times the allowance, still growing
    delays; a restart forgets (see docs/security.md)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._keys: OrderedDict[str, _Failures] = OrderedDict()

    def wait(self, *keys: str) -> int:
        """Whole seconds before another try for these keys may be checked (0: now)."""
        now = self.clock()
        longest = 0.0
        for key in keys:
            found = self._keys.get(key)
            if found is None or now - found.last > FORGET_AFTER:
                continue
            longest = max(longest, found.last + delay(found.count) - now)
        return math.ceil(longest) if longest > 0 else 0

    def failed(self, *keys: str) -> None:
        now = self.clock()
        for key in keys:
            found = self._keys.pop(key, None)
            if found is None or now - found.last > FORGET_AFTER:
                found = _Failures(0, now)
            found.count, found.last = found.count + 1, now
            self._keys[key] = found
        while len(self._keys) > MAX_KEYS:
            self._keys.popitem(last=False)

    def succeeded(self, account_key: str) -> None:
        """A correct password clears the account's failures (not the address's)."""
        self._keys.pop(account_key, None)


def delay(failures: int) -> float:
    """Seconds to wait after this many failures in a row."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(MAX_WAIT, 2.0 ** (failures - FREE_FAILURES))


def account_key(username: str) -> str:
    return f"account:{username.strip().casefold()[:150]}"


def address_key(address: str | None) -> str:
    return f"address:{address or 'unknown'}"
