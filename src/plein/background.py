"""A loop that runs beside the requests of a `plein serve` process for as long as the app lives."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

logger = logging.getLogger(__name__)


@asynccontextmanager
async def loop_while_serving(name: str, run: Callable[[asyncio.Event], Coroutine[Any, Any, None]], *,
                             stop_within: float = 30) -> AsyncIterator[None]:
    """Start `run(stop)` as a task; when the app stops, set `stop` and give the task `stop_within` seconds to end
    what it is doing (a task still busy then is left to be cancelled with the event loop; what it held is leased
    and taken up again by the next process)."""
    stop = asyncio.Event()
    task = asyncio.create_task(run(stop), name=name)
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, stop_within)
        except TimeoutError:
            logger.warning("%s did not stop within %s s", name, stop_within)
