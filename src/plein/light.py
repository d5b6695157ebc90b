"""Light rows: read-only copies of model rows without the ORM's per-object bookkeeping, for hot read paths.

Loading a model through the ORM costs tens of microseconds per object (identity map, instance state, events);
a page of a hundred zaken or a person with their name, residence and address spends more time there than in the
database. A light row has the model's attribute names as slots and nothing else: select `columns(Model)`, then
turn each result row into objects with `cut(row, Model, …)`. They are never added to a session; code that only
reads attributes (presenting, filtering) takes them where it takes the model, so they are typed as the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import make_dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from plein.driver import Ready, rows_of

Model = TypeVar("Model")
_SHAPES: dict[type[Any], tuple[type[Any], tuple[InstrumentedAttribute[Any], ...], int]] = {}


def _shape(model: type[Any]) -> tuple[type[Any], tuple[InstrumentedAttribute[Any], ...], int]:
    """The light row type of a model, its columns in slot order, and the position of its primary key."""
    found = _SHAPES.get(model)
    if found is None:
        mapper = sa_inspect(model)
        keys = [attribute.key for attribute in mapper.column_attrs]
        kind = make_dataclass(f"{model.__name__}Row", keys, slots=True)
        found = _SHAPES[model] = (kind, tuple(getattr(model, key) for key in keys),
                                  keys.index(mapper.primary_key[0].key))
    return found


def columns(*models: type[Any]) -> list[InstrumentedAttribute[Any]]:
    """The columns to select for light rows of these models, in order."""
    return [column for model in models for column in _shape(model)[1]]


def select_of(model: type[Any]) -> Select[Any]:
    """`select(*columns(model))`, built once per model (a select of many columns is costly to build); add to it."""
    found = _SELECTS.get(model)
    if found is None:
        found = _SELECTS[model] = select(*columns(model))
    return found


_SELECTS: dict[type[Any], Select[Any]] = {}


def cut(row: Sequence[Any], *models: type[Any]) -> list[Any]:
    """A result row of `columns(*models)` as one light row per model; None for a model an outer join did not find."""
    objects, start = [], 0
    for model in models:
        kind, selected, primary = _shape(model)
        values = row[start:start + len(selected)]
        objects.append(kind(*values) if values[primary] is not None else None)
        start += len(selected)
    return objects


def made(model: type[Model], **values: Any) -> Model:
    """A light row of a model from its column values (every column named), e.g. for a row just inserted by Core."""
    kind: type[Model] = _shape(model)[0]
    return kind(**values)


async def rows(session: AsyncSession, model: type[Model], statement: Select[Any] | Ready,
               parameters: dict[str, Any] | None = None) -> list[Model]:
    """The light rows of a select of `columns(model)` (or of a Ready statement of one)."""
    kind = _shape(model)[0]
    return [kind(*row) for row in await rows_of(session, statement, parameters)]

