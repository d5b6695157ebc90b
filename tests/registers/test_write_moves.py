"""A move of several persons under a write grant (the service engine's brp.verhuizing): everyone moves with their own
record in the log, or nobody moves: a municipality outside the grant or a person named twice changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import Forbidden, InvalidInput
from plein.exchange.models import LogRecord
from plein.exchange.service import WritePermit
from plein.registers.brp import service as brp
from plein.registers.brp.models import Mutation, Residence
from tests.registers.helpers import CAUSE, dam_singel_oudegracht, person


def permit(*municipalities: str) -> WritePermit:
    return WritePermit("verhuizingen", "0344", "verhuizing-verwerken", "brp", "verhuizing", frozenset(municipalities),
                       "trace-moves")


async def current(session: AsyncSession, bsn: str) -> Residence:
    row = await session.scalar(select(Residence).where(Residence.bsn == bsn, Residence.valid_to.is_(None)))
    assert row is not None
    return row


async def household(session: AsyncSession) -> tuple[list[str], brp.NewResidence]:
    dam, _, oudegracht = await dam_singel_oudegracht(session)
    els = await person(session, "els", "Dekker", "Els", "19850704", dam, since="20100101")
    joop = await person(session, "joop", "Meijer", "Joop", "19800101", dam, geslacht="M", since="20120101")
    await session.commit()
    return [els, joop], brp.NewResidence("20260101", oudegracht.nummeraanduiding)


async def test_everyone_moves_with_a_record_each_and_the_municipality_they_left(session: AsyncSession) -> None:
    persons, utrecht = await household(session)
    moved = await brp.write_moves(session, permit("0344"), [(bsn, utrecht) for bsn in persons], CAUSE)
    await session.commit()
    assert [(item.bsn, item.previous_gemeente, item.residence.gemeente_van_inschrijving) for item in moved] == [
        (persons[0], "0363", "0344"), (persons[1], "0363", "0344")]
    for bsn in persons:
        now = await current(session, bsn)
        assert (now.gemeente_van_inschrijving, now.valid_from) == ("0344", "20260101")
        closed = await session.scalar(select(Residence).where(Residence.bsn == bsn, Residence.valid_to == "20260101"))
        assert closed is not None and closed.gemeente_van_inschrijving == "0363"
    assert await session.scalar(select(func.count()).select_from(Mutation).where(Mutation.action == "move")) == 2
    logged = set(await session.scalars(select(LogRecord.subject).where(LogRecord.trace_id == "trace-moves")))
    assert logged == set(persons)


@pytest.mark.parametrize("case", ["outside the grant", "named twice"])
async def test_nobody_moves_when_one_cannot(session: AsyncSession, case: str) -> None:
    persons, utrecht = await household(session)
    if case == "outside the grant":
        with pytest.raises(Forbidden, match="outside the write grant"):
            await brp.write_moves(session, permit("0363"), [(bsn, utrecht) for bsn in persons], CAUSE)
    else:
        with pytest.raises(InvalidInput) as raised:
            await brp.write_moves(session, permit("0344"), [(persons[0], utrecht), (persons[0], utrecht)], CAUSE)
        assert [problem.name for problem in raised.value.invalid_params] == ["burgerservicenummer"]
    written = await session.scalar(select(func.count()).select_from(Residence).where(
        Residence.valid_from == "20260101"))
    assert written == 0 and not session.new and not session.dirty  # refused before anything was written
    await session.rollback()
    assert [(await current(session, bsn)).gemeente_van_inschrijving for bsn in persons] == ["0363", "0363"]
    assert await session.scalar(select(func.count()).select_from(LogRecord).where(
        LogRecord.trace_id == "trace-moves")) == 0
