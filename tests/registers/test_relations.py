"""Relations are consistent: a partner lists the other back, and parents and children match."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import Conflict, InvalidInput
from plein.registers.brp import service
from plein.registers.brp.models import Person, Relation
from plein.registers.brp.service import NameData, NewPerson
from tests.registers.helpers import CAUSE, bsn, person, world


async def current(session: AsyncSession, number: str, soort: str) -> list[Relation]:
    statement = select(Relation).where(Relation.bsn == number, Relation.soort == soort, Relation.valid_to.is_(None))
    return list((await session.scalars(statement.order_by(Relation.occurrence))).all())


async def test_the_small_world_has_no_inconsistent_relations(session: AsyncSession) -> None:
    w = await world(session)
    assert await service.relation_problems(session) == []
    assert [r.related_bsn for r in await current(session, w.anna, "partner")] == [w.jan]
    assert [r.related_bsn for r in await current(session, w.jan, "partner")] == [w.anna]
    assert [(r.related_bsn, r.ouder_aanduiding) for r in await current(session, w.pieter, "ouder")] == [
        (w.anna, "1"), (w.jan, "2")]
    assert [r.related_bsn for r in await current(session, w.anna, "kind")] == [w.pieter]
    assert [r.related_bsn for r in await current(session, w.jan, "kind")] == [w.pieter]
    mother = (await current(session, w.pieter, "ouder"))[0]
    assert (mother.geslachtsnaam, mother.voorvoegsel, mother.geboortedatum, mother.geslacht) == (
        "Vries", "de", "19800512", "V")


async def test_divorce_closes_the_partnership_on_both_lists(session: AsyncSession) -> None:
    w = await world(session)
    await service.dissolve_partnership(session, w.anna, w.jan, "20200101", CAUSE, reden="R")
    await session.commit()
    for number, other in ((w.anna, w.jan), (w.jan, w.anna)):
        rows = (await session.scalars(select(Relation).where(Relation.bsn == number, Relation.soort == "partner")
                                      .order_by(Relation.id))).all()
        assert [(r.related_bsn, r.aangaan_datum, r.ontbinding_datum, r.valid_to) for r in rows] == [
            (other, "20050601", None, "20200101"), (other, None, "20200101", None)]
    assert await service.relation_problems(session) == []
    await service.register_partnership(session, w.anna, w.kaster, "20210101", CAUSE, soort="P")
    with pytest.raises(Conflict):
        await service.register_partnership(session, w.anna, w.groenlo, "20220101", CAUSE)


async def test_a_death_ends_the_partnership_of_the_survivor(session: AsyncSession) -> None:
    w = await world(session)
    await service.register_death(session, w.jan, "20230315", CAUSE, plaats="0363")
    await session.commit()
    jan = await session.get(Person, w.jan)
    assert jan is not None and (jan.overlijdensdatum, jan.opschorting_reden) == ("20230315", "O")
    survivor = await current(session, w.anna, "partner")
    assert [(r.related_bsn, r.ontbinding_datum, r.ontbinding_reden) for r in survivor] == [
        (w.jan, "20230315", "O")]
    assert [r.ontbinding_datum for r in await current(session, w.jan, "partner")] == [None]
    assert await service.relation_problems(session) == []
    with pytest.raises(Conflict):
        await service.register_death(session, w.jan, "20230316", CAUSE)


async def test_a_birth_needs_at_most_two_known_parents(session: AsyncSession) -> None:
    w = await world(session)
    child = NewPerson(bsn("baby"), "V", "20240101", NameData("Vries", "Lotte", "de"))
    with pytest.raises(InvalidInput):
        await service.register_birth(session, child, [w.anna, w.jan, w.kaster], CAUSE)
    with pytest.raises(InvalidInput):
        await service.register_birth(session, child, [w.anna, w.anna], CAUSE)
    await service.register_birth(session, child, [w.anna], CAUSE)
    assert [r.related_bsn for r in await current(session, w.anna, "kind")] == [w.pieter, child.bsn]
    assert [r.occurrence for r in await current(session, w.anna, "kind")] == [1, 2]


async def test_relation_problems_name_what_is_not_listed_back(session: AsyncSession) -> None:
    one = await person(session, "een", "Een", "Eerste", "19600101", None)
    two = await person(session, "twee", "Twee", "Tweede", "19610101", None)
    session.add(Relation(bsn=one, soort="partner", occurrence=1, related_bsn=two, geslachtsnaam="Twee",
                         valid_from="19900101"))
    session.add(Relation(bsn=two, soort="kind", occurrence=1, related_bsn=one, geslachtsnaam="Een",
                         valid_from="19900101"))
    await session.commit()
    problems = await service.relation_problems(session)
    assert {(p.bsn, p.soort, p.related_bsn) for p in problems} == {(one, "partner", two), (two, "kind", one)}
