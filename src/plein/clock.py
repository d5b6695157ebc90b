"""Plein's clock: moments are kept in UTC; calendar days, and times written without an offset, are Dutch."""

from __future__ import annotations

import datetime as dt
import zoneinfo

try:
    LOCAL_TIME: dt.tzinfo = zoneinfo.ZoneInfo("Europe/Amsterdam")
except zoneinfo.ZoneInfoNotFoundError:  # pragma: no cover - systems without time zone data
    LOCAL_TIME = dt.UTC


def now() -> dt.datetime:
    """The moment in the Netherlands, local time."""
    return dt.datetime.now(LOCAL_TIME)


def today() -> dt.date:
    """The day in the Netherlands: between midnight and 01:00 (02:00 in summer) UTC still says yesterday."""
    return now().date()


def day_of(moment: dt.datetime) -> dt.date:
    """The Dutch calendar day of a moment (a zaak closed at 00:30 in Amsterdam ends that day, not the one before)."""
    return moment.astimezone(LOCAL_TIME).date()


def aware(moment: dt.datetime) -> dt.datetime:
    """The moment with its offset: one written without an offset is Dutch time, as the ZGW reference reads it."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=LOCAL_TIME)


def parse(text: str) -> dt.datetime:
    """An ISO 8601 date-time as the APIs take it, in UTC: 'Z' or an offset as written, none as Dutch time.

    Raises ValueError for text that is not one; callers name the field."""
    return aware(dt.datetime.fromisoformat(text.replace("Z", "+00:00"))).astimezone(dt.UTC)


def days(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The Dutch days first to last (inclusive) as moments in UTC: from the start of first to the start of the day
    after last."""
    return (dt.datetime.combine(first, dt.time.min, LOCAL_TIME).astimezone(dt.UTC),
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, LOCAL_TIME).astimezone(dt.UTC))
