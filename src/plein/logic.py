"""JSON Logic as Plein evaluates it: the conditions, validations and values of service definitions and manifests.

Evaluation is maykin-json-logic-py, the implementation Open Formulieren uses (standard JSON Logic plus dates:
`date`, `datetime`, `rdelta`, `duration`). Plein adds one operator, because Dutch deadlines count working days and
JSON Logic has no calendar: `{"werkdag": [date, n]}` is the n-th working day after the date (plein.werkdagen:
weekends and the holidays of the Algemene termijnenwet do not count). Everything else is standard, so a
municipality's website can evaluate the same expressions with a JSON Logic library that knows the date operators
(and `werkdag`, when a service uses it). Two rules of Plein's own:

- `log` is refused: it would write the data it is given (personal data) to the server's log.
- An expression that cannot be evaluated (a missing value, a date that does not parse, a type error) gives None,
  "unknown". `holds` keeps unknown apart from false, so that a validation whose data is missing does not fail a user
  and a condition whose data is missing does not hold.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

from json_logic import jsonLogic, operations, scoped_operations

from plein import werkdagen

logger = logging.getLogger("plein.logic")


def _werkdag(start: Any, count: Any = 0) -> dt.date | None:
    """The operator `werkdag`: the count-th working day after a date (a date or ISO text); None when not a date."""
    day = start if isinstance(start, dt.date) else None
    if isinstance(start, str):
        try:
            day = dt.date.fromisoformat(start[:10])
        except ValueError:
            return None
    if day is None or isinstance(count, bool) or not isinstance(count, int | float):
        return None
    return werkdagen.werkdag(day, int(count))


operations.setdefault("werkdag", _werkdag)
REFUSED = frozenset({"log"})
DATA_OPERATORS = frozenset({"var", "missing", "missing_some"})


class LogicError(ValueError):
    """An expression is not JSON Logic that Plein evaluates; the message says where and why."""


def evaluate(expression: Any, data: dict[str, Any]) -> Any:
    """The value of the expression over the data; None when it cannot be evaluated. Dates come back as ISO text."""
    try:
        return _plain(jsonLogic(expression, data))
    except Exception as exc:  # any failure of an expression over user data means "unknown"
        logger.debug("JSON Logic expression could not be evaluated: %s", exc)
        return None


def holds(expression: Any, data: dict[str, Any]) -> bool | None:
    """True or False as JSON Logic's truthiness says (an empty list is false), None when the value is unknown."""
    value = evaluate(expression, data)
    if value is None:
        return None
    if isinstance(value, list | dict | str):
        return len(value) > 0
    return bool(value)


def _plain(value: Any) -> Any:
    """Dates and date-times as ISO text, so results can be stored and compared with answers."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def problems(expression: Any, where: str = "") -> list[str]:
    """What keeps an expression from being JSON Logic Plein evaluates (empty when it is fine): objects with more
    or fewer than one operator, operators that do not exist or are refused."""
    found: list[str] = []
    for path, node in _nodes(expression, where):
        operator_keys = [key for key in node if not key.startswith("_")]
        if len(operator_keys) != 1:
            found.append(f"{path}: an operation has exactly one operator (found {', '.join(operator_keys) or 'none'})")
            continue
        operator = operator_keys[0]
        if operator in REFUSED:
            found.append(f"{path}: the operator '{operator}' is not allowed (it writes data to the server's log)")
        elif operator not in operations and operator not in scoped_operations and operator not in DATA_OPERATORS:
            found.append(f"{path}: '{operator}' is not a JSON Logic operator")
    return found


def variables(expression: Any) -> set[str]:
    """The data paths an expression reads with var (literal names only; a computed name is not known beforehand).
    Names inside map, filter, reduce, all, some and none refer to their own items and are left out."""
    found: set[str] = set()
    _collect(expression, found)
    return found


def _collect(expression: Any, found: set[str]) -> None:
    if isinstance(expression, list):
        for item in expression:
            _collect(item, found)
        return
    if not isinstance(expression, dict) or len(expression) != 1:
        return
    ((operator, argument),) = expression.items()
    arguments = argument if isinstance(argument, list) else [argument]
    if operator == "var":
        if arguments and isinstance(arguments[0], str) and arguments[0]:
            found.add(arguments[0])
        _collect(arguments[1:], found)
    elif operator in scoped_operations:
        _collect(arguments[:1], found)  # the list itself; the scoped expression reads its own items
        _collect(arguments[2:], found)  # reduce's initial value
    else:
        _collect(arguments, found)


def _nodes(expression: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every operation in the expression with a dotted path to it."""
    if isinstance(expression, list):
        for index, item in enumerate(expression):
            yield from _nodes(item, f"{path}[{index}]")
        return
    if not isinstance(expression, dict):
        return
    yield path or "expression", expression
    for key, value in expression.items():
        yield from _nodes(value, f"{path}.{key}" if path else key)


def check(expression: Any, where: str = "") -> None:
    """Raise LogicError when the expression has problems."""
    found = problems(expression, where)
    if found:
        raise LogicError("; ".join(found))
