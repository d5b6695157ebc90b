"""Dutch working days: Saturdays, Sundays and the generally recognised holidays of the Algemene termijnenwet
(article 3) are no working days. Deadlines in law count in these days (e.g. a burial no later than the sixth
working day after the death, Wet op de lijkbezorging article 16)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

# The Algemene termijnenwet names New Year's Day, Easter Monday and Whit Monday, Ascension Day, both Christmas days,
# the King's birthday as celebrated (27 April, or 26 April when that is a Sunday) and 5 May. The holidays library
# supplies the dates that move (Easter, Ascension, Whitsun, King's Day); its Dutch list also has Good Friday, which
# the law does not count, and lacks 5 May in most years, which the law counts every year.
TERMIJNENWET = ("New Year's Day", "Easter Monday", "Ascension Day", "Pentecost Monday", "Whit Monday",
                "Christmas Day", "Second Day of Christmas", "King's Day")


@lru_cache(maxsize=64)
def feestdagen(year: int) -> frozenset[dt.date]:
    """The generally recognised holidays of one year."""
    found = {day for day, name in holidays.country_holidays("NL", years=year, language="en_US").items()
             if any(name.startswith(wanted) for wanted in TERMIJNENWET)}
    found.add(dt.date(year, 5, 5))
    return frozenset(found)


def is_werkdag(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in feestdagen(day.year)


def werkdag(start: dt.date, count: int) -> dt.date:
    """The `count`-th working day after `start` (count 0: `start` itself when it is a working day, else the next)."""
    day = start
    if count <= 0:
        while not is_werkdag(day):
            day += dt.timedelta(days=1)
        return day
    while count:
        day += dt.timedelta(days=1)
        if is_werkdag(day):
            count -= 1
    return day
