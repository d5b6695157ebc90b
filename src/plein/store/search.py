"""Finding apps: full-text search over names, descriptions and features, facets with counts, sorting, pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from plein.bounds import MAX_PAGE
from plein.errors import InvalidInput, InvalidParam
from plein.organisations.models import Organisation
from plein.store.listing import FACETS, tokens
from plein.store.models import App, AppFacet, AppTerm

Sort = Literal["relevance", "adoptions", "newest", "rating"]
SORTS: tuple[str, ...] = ("relevance", "adoptions", "newest", "rating")
MAX_PAGE_SIZE = 100
MAX_QUERY_TERMS = 10


@dataclass
class SearchQuery:
    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str | None = None
    page: int = 1
    page_size: int = 20

    def validate(self) -> None:
        problems = []
        if self.sort is not None and self.sort not in SORTS:
            problems.append(InvalidParam("sort", "enum", f"must be one of {', '.join(SORTS)}"))
        if not 1 <= self.page <= MAX_PAGE:
            problems.append(InvalidParam("page", "range", f"must be between 1 and {MAX_PAGE}"))
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            problems.append(InvalidParam("pageSize", "range", f"must be between 1 and {MAX_PAGE_SIZE}"))
        problems += [InvalidParam(name, "unknown-facet", f"facets are: {', '.join(FACETS)}")
                     for name in self.filters if name not in FACETS]
        if len(self.text) > 200:
            problems.append(InvalidParam("q", "maxLength", "must be at most 200 characters"))
        if problems:
            raise InvalidInput("the search parameters are not valid", problems)


@dataclass
class SearchResult:
    apps: list[tuple[App, float]]
    total: int
    facets: dict[str, list[dict[str, Any]]]
    query: SearchQuery

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.page_size))


def _prefix_range(term: str) -> ColumnElement[bool]:
    """term LIKE 'abc%' as a range (term >= 'abc' AND term < 'abd'), which uses the index on every database."""
    upper = term[:-1] + chr(ord(term[-1]) + 1)
    return and_(AppTerm.term >= term, AppTerm.term < upper)


def _matches(query: SearchQuery) -> tuple[Any, bool]:
    """A select of (app_id, score) for the listed apps that match the text and the facet filters."""
    terms = list(dict.fromkeys(tokens(query.text)))[:MAX_QUERY_TERMS]
    if terms:
        which = case(*[(_prefix_range(term), index) for index, term in enumerate(terms)], else_=None)
        base = (
            select(AppTerm.app_id.label("app_id"), func.sum(AppTerm.weight).label("score"))
            .where(or_(*[_prefix_range(term) for term in terms]))
            .group_by(AppTerm.app_id)
            .having(func.count(func.distinct(which)) == len(terms))
        )
    else:
        base = select(App.id.label("app_id"), literal(0).label("score"))
    for facet, values in query.filters.items():
        chosen = select(AppFacet.app_id).where(AppFacet.facet == facet, AppFacet.value.in_(values))
        column = AppTerm.app_id if terms else App.id
        base = base.where(column.in_(chosen))
    return base, bool(terms)


async def search_apps(session: AsyncSession, query: SearchQuery) -> SearchResult:
    query.validate()
    matches, has_text = _matches(query)
    matched = matches.subquery("matched")
    listed = select(App, matched.c.score).join(matched, matched.c.app_id == App.id).where(App.listed.is_(True))
    sort = query.sort or ("relevance" if has_text else "adoptions")
    orders: dict[str, list[Any]] = {
        "relevance": [matched.c.score.desc(), App.adoption_count.desc()],
        "adoptions": [App.adoption_count.desc(), App.latest_released_at.desc()],
        "newest": [App.latest_released_at.desc()],
        # unrated apps last on both databases (NULLs sort first in a PostgreSQL DESC)
        "rating": [func.coalesce(App.rating_average, 0).desc(), App.review_count.desc(), App.adoption_count.desc()],
    }
    order = orders[sort]
    page = listed.order_by(*order, App.id).limit(query.page_size).offset((query.page - 1) * query.page_size)
    rows = (await session.execute(page)).all()
    everything = not has_text and not query.filters
    facets = await _facet_counts(session, None if everything else matched)
    total = sum(item["count"] for item in facets["kind"])  # every listed app has exactly one kind facet
    return SearchResult([(row[0], float(row[1] or 0)) for row in rows], total, facets, query)


async def _facet_counts(session: AsyncSession, matched: Any) -> dict[str, list[dict[str, Any]]]:
    """For each facet, its values with the number of matching listed apps (matched None: all), most common first.

    Facet rows exist only for listed apps (they are the listing), so counting the whole store needs no join.
    """
    counts = select(AppFacet.facet, AppFacet.value, func.count().label("n")).group_by(AppFacet.facet, AppFacet.value)
    if matched is not None:
        counts = (
            counts.join(matched, matched.c.app_id == AppFacet.app_id)
            .join(App, App.id == AppFacet.app_id).where(App.listed.is_(True))
        )
    result: dict[str, list[dict[str, Any]]] = {facet: [] for facet in FACETS}
    for facet, value, count in (await session.execute(counts)).all():
        result[facet].append({"value": value, "count": count})
    for values in result.values():
        values.sort(key=lambda item: (-item["count"], item["value"]))
    await _label_publishers(session, result["publisher"])
    return result


async def _label_publishers(session: AsyncSession, values: list[dict[str, Any]]) -> None:
    codes = [item["value"] for item in values]
    if not codes:
        return
    names = dict((await session.execute(
        select(Organisation.code, Organisation.name).where(Organisation.code.in_(codes))
    )).all())
    for item in values:
        item["label"] = names.get(item["value"], item["value"])
