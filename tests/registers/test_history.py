"""BRP mutations keep history: a move closes one residence and opens the next; nothing is overwritten in place."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import Conflict, InvalidInput, NotFound
from plein.registers.brp import service
from plein.registers.brp.models import Mutation, Person, PersonName, Residence
from plein.registers.brp.service import Cause, NameData, NewPerson, NewResidence
from tests.registers.helpers import CAUSE, address, bsn, dam_singel_oudegracht, person


async def residences(session: AsyncSession, number: str) -> list[Residence]:
    return list((await session.scalars(select(Residence).where(Residence.bsn == number)
                                       .order_by(Residence.valid_from, Residence.id))).all())


async def test_a_move_closes_one_residence_and_opens_the_next(session: AsyncSession) -> None:
    dam, singel, utrecht = await dam_singel_oudegracht(session)
    number = await person(session, "mover", "Bakker", "Sanne", "19900101", dam, since="20100101")

    await service.register_move(session, number, NewResidence("20150601", singel.nummeraanduiding), CAUSE)
    await service.register_move(session, number, NewResidence("20200301", utrecht.nummeraanduiding),
                                Cause("Verhuizing naar Utrecht", "zaak:ZAAK-2020-1"))
    await session.commit()

    rows = await residences(session, number)
    assert [(row.address_id, row.valid_from, row.valid_to) for row in rows] == [
        (dam.id, "20100101", "20150601"), (singel.id, "20150601", "20200301"), (utrecht.id, "20200301", None)]
    assert [row.gemeente_van_inschrijving for row in rows] == ["0363", "0363", "0344"]
    assert [row.datum_inschrijving for row in rows] == ["20100101", "20100101", "20200301"]
    moves = (await session.scalars(select(Mutation).where(Mutation.bsn == number, Mutation.action == "move")
                                   .order_by(Mutation.id))).all()
    assert [(m.reason, m.case_ref) for m in moves] == [("Test", "zaak:test-1"),
                                                      ("Verhuizing naar Utrecht", "zaak:ZAAK-2020-1")]


async def test_a_move_abroad_and_a_move_back_in_time_is_refused(session: AsyncSession) -> None:
    dam = await address(session, 1, "Dam", 1, "1012JS")
    number = await person(session, "emigrant", "Visser", "Tom", "19850101", dam, since="20100101")
    with pytest.raises(InvalidInput):
        await service.register_move(session, number, NewResidence("20090101", dam.nummeraanduiding), CAUSE)
    abroad = await service.register_move(session, number, NewResidence(
        "20210101", land="5002", regels=("12 Rue de la Paix", "75002 Paris", None)), CAUSE)
    assert (abroad.soort, abroad.gemeente_van_inschrijving, abroad.land) == ("VerblijfplaatsBuitenland", "1999", "5002")
    emigrant = await session.get(Person, number)
    assert emigrant is not None and (emigrant.opschorting_reden, emigrant.opschorting_datum) == ("E", "20210101")
    with pytest.raises(InvalidInput):
        await service.register_move(session, number, NewResidence("20220101", "0363209999999999"), CAUSE)
    await service.register_move(session, number, NewResidence("20230101", dam.nummeraanduiding), CAUSE)
    assert (emigrant.opschorting_reden, emigrant.opschorting_datum) == (None, None)


async def test_one_current_residence_and_name_per_person_is_enforced_by_the_database(session: AsyncSession) -> None:
    dam = await address(session, 1, "Dam", 1, "1012JS")
    number = await person(session, "unique", "Smit", "Eva", "19700101", dam)
    await session.commit()
    session.add(Residence(bsn=number, soort="Adres", address_id=dam.id, gemeente_van_inschrijving="0363",
                          valid_from="20200101"))
    with pytest.raises(IntegrityError):
        await session.flush()
    await session.rollback()
    session.add(service.name_row(number, "19700101", NameData("Anders"), "20200101"))
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_a_name_change_keeps_the_old_name(session: AsyncSession) -> None:
    number = await person(session, "renamed", "Jansen", "Kim", "19950505", None)
    await service.change_name(session, number, NameData("Pietersen", "Kim", naamgebruik="P"), "20200202", CAUSE)
    await session.commit()
    names = (await session.scalars(select(PersonName).where(PersonName.bsn == number)
                                   .order_by(PersonName.valid_from))).all()
    assert [(n.geslachtsnaam, n.valid_from, n.valid_to) for n in names] == [
        ("Jansen", "19950505", "20200202"), ("Pietersen", "20200202", None)]
    assert names[1].geslachtsnaam_key == "pietersen" and names[1].geboortedatum == "19950505"


async def test_mutations_need_a_reason_and_a_case_and_valid_input(session: AsyncSession) -> None:
    with pytest.raises(InvalidInput):
        Cause("", "zaak:1")
    with pytest.raises(InvalidInput):
        Cause("Geboorte", " ")
    good = NewPerson(bsn("valid"), "V", "20000101", NameData("Dijk"))
    with pytest.raises(InvalidInput, match="11-check"):
        await service.register_person(session, NewPerson("123456789", "V", "20000101", NameData("Dijk")), None, CAUSE)
    with pytest.raises(InvalidInput):
        await service.register_person(session, NewPerson(good.bsn, "X", "20000101", NameData("Dijk")), None, CAUSE)
    with pytest.raises(InvalidInput):
        await service.register_person(session, NewPerson(good.bsn, "V", "20001301", NameData("Dijk")), None, CAUSE)
    await service.register_person(session, good, None, CAUSE)
    with pytest.raises(Conflict):
        await service.register_person(session, good, None, CAUSE)
    with pytest.raises(NotFound):
        await service.register_move(session, bsn("nobody"), NewResidence("20200101", land="5002"), CAUSE)
    assert await session.get(Person, good.bsn) is not None
