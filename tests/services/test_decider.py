"""The decision loop of straight-through aanvragen: a new due aanvraag starts as soon as a decision slot is free (not
after the slowest decision of a batch), and one whose decision fails waits a poll interval before it is tried
again instead of being retried at once, over and over."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from typing import Any

import pytest

from plein.services import decisions, tasks
from plein.settings import Settings

SLOW, QUICK, LATE, BROKEN = (uuid.uuid4() for _ in range(4))


class Loop:
    """A Decider whose due aanvragen and decisions are stand-ins (no database), run until stopped."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, due: list[uuid.UUID], seconds: dict[uuid.UUID, float]) -> None:
        settings = Settings(env="test", services_decide_concurrency=2, notifications_poll_interval=0.2)
        self.decider = tasks.Decider(contextlib.nullcontext, settings)  # type: ignore[arg-type]
        self.decider.payments_at = self.decider.cleaned_at = time.monotonic() + 3600  # not in these tests
        self.due, self.started, self.ended = due, {}, {}
        self.attempts: dict[uuid.UUID, int] = {}

        async def due_now(limit: int) -> list[uuid.UUID]:
            return self.due[:limit]

        async def decide(_session: Any, key: uuid.UUID, *_: Any) -> object:
            self.attempts[key] = self.attempts.get(key, 0) + 1
            self.started.setdefault(key, time.monotonic())
            if key == BROKEN:
                raise RuntimeError("the register is away")
            await asyncio.sleep(seconds.get(key, 0.01))
            self.ended[key] = time.monotonic()
            self.due.remove(key)
            return object()

        monkeypatch.setattr(self.decider, "due", due_now)
        monkeypatch.setattr(decisions, "decide_automatically", decide)

    async def run_for(self, seconds: float, during: Any = None) -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(self.decider.run(stop))
        if during is not None:
            await during()
        await asyncio.sleep(seconds)
        stop.set()
        await task


async def test_a_new_due_aanvraag_does_not_wait_for_the_slowest_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = Loop(monkeypatch, [SLOW, QUICK], {SLOW: 0.6, QUICK: 0.05})

    async def late_submission() -> None:
        await asyncio.sleep(0.15)  # both are being decided now
        loop.due.append(LATE)
        loop.decider.nudge()

    await loop.run_for(0.8, late_submission)
    assert set(loop.ended) == {SLOW, QUICK, LATE}
    assert loop.ended[LATE] < loop.ended[SLOW]  # it took QUICK's place, not a place in the next batch


async def test_a_failing_decision_waits_a_poll_interval_before_the_next_try(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = Loop(monkeypatch, [BROKEN, QUICK], {})
    await loop.run_for(0.5)
    assert QUICK in loop.ended and loop.due == [BROKEN]  # still due, for a case worker to look at or a next try
    assert 1 <= loop.attempts[BROKEN] <= 3  # every 0.2 s at most, not as fast as the loop can go


async def test_a_single_pass_counts_only_what_it_decided(monkeypatch: pytest.MonkeyPatch) -> None:
    """`plein worker --once` decides until a pass decides nothing: one that keeps failing must not keep it going."""
    loop = Loop(monkeypatch, [BROKEN, QUICK], {})
    assert await loop.decider.run_once() == 1
    assert await loop.decider.run_once() == 0 and loop.due == [BROKEN]
