"""The processing log: append-only (database triggers), hash-chained, verified, serialised, and fail-closed."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import time
import uuid

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from plein.db import time_ordered_uuid
from plein.errors import ServiceUnavailable
from plein.exchange import log
from plein.exchange.models import LogHead, LogRecord
from plein.exchange.service import new_trace_id
from tests.exchange.helpers import (
    JAN,
    KLAAS,
    PERSONS_URL,
    add_register_route,
    append_many,
    bsn,
    client_with_grant,
    entry,
    tamper,
)


async def test_the_chain_verifies(session: AsyncSession) -> None:
    assert (await log.verify(session)).ok
    await append_many(session, 5)
    await log.write(session, [entry(JAN), entry(KLAAS)])
    result = await log.verify(session)
    assert result.ok and result.records == 7
    records = (await session.scalars(select(LogRecord).order_by(LogRecord.seq))).all()
    assert [r.seq for r in records] == list(range(1, 8))
    assert records[0].previous_hash == log.GENESIS
    assert all(later.previous_hash == earlier.hash for earlier, later in itertools.pairwise(records))
    assert all(log.record_hash(r) == r.hash for r in records)


def test_time_ordered_ids_are_version_7_and_sort_by_time() -> None:
    before = dt.datetime.now(dt.UTC)
    ids = []
    for _ in range(3):
        ids.append(time_ordered_uuid())
        time.sleep(0.002)
    after = dt.datetime.now(dt.UTC)
    assert all(value.version == 7 and value.variant == uuid.RFC_4122 for value in ids)
    assert ids == sorted(ids) and len(set(ids)) == 3
    moments = [dt.datetime.fromtimestamp((value.int >> 80) / 1000, dt.UTC) for value in ids]
    assert all(before - dt.timedelta(milliseconds=1) <= moment <= after for moment in moments)
    assert len(new_trace_id()) == 32 and uuid.UUID(new_trace_id()).version == 7


async def test_records_get_ids_in_the_order_they_are_appended(app: FastAPI, session: AsyncSession) -> None:
    """Time-ordered ids put new records at the end of the log's primary-key index."""
    for number in range(3):
        await log.write_shared(app.state.engine, [entry(bsn(f"o{number}-{i}")) for i in range(2)])
        await asyncio.sleep(0.002)
    ids = (await session.scalars(select(LogRecord.id).order_by(LogRecord.seq))).all()
    assert len(ids) == 6 and all(value.version == 7 for value in ids)
    assert [value.int >> 80 for value in ids] == sorted(value.int >> 80 for value in ids)


ANY_TEXT = st.text(max_size=30)  # any code point: quotes, backslashes, control characters, beyond the BMP


@given(trace=ANY_TEXT, client=ANY_TEXT, organisation=st.none() | ANY_TEXT, activity=ANY_TEXT, register=ANY_TEXT,
       subject=ANY_TEXT, fields=st.lists(ANY_TEXT, max_size=4), seq=st.integers(1, 2**31 - 1),
       previous=st.text("0123456789abcdef", min_size=64, max_size=64),
       at=st.datetimes(timezones=st.just(dt.UTC)))
def test_the_canonical_parts_put_together_are_the_canonical_json(
        trace: str, client: str, organisation: str | None, activity: str, register: str, subject: str,
        fields: list[str], seq: int, previous: str, at: dt.datetime) -> None:
    """PostgreSQL chains a batch from these parts; `verify` recomputes each hash from the whole record."""
    entry_ = log.Entry(trace, client, organisation, activity, register, subject, tuple(fields))
    record = log.Link(uuid.uuid4(), seq, trace, at, client, organisation, activity, register, subject, fields,
                      previous)
    before, between, after = log.canonical_parts(entry_, record.id, at)
    assert (before + previous + between + str(seq) + after).encode("utf-8") == log.canonical(record)
    assert json.loads(log.canonical(record))["previousHash"] == previous


async def test_records_with_any_text_are_chained_as_verify_recomputes_them(app: FastAPI,
                                                                            session: AsyncSession) -> None:
    odd = [log.Entry('tr"ace\\', "cliënt\n", None, "activiteit-ä", "brp", "𝔰𝔲𝔟𝔧𝔢𝔠𝔱", ("naam", 'a"b', "\\u00e9")),
           log.Entry("t" * 32, "zaaksysteem", "0363", "verhuizing", "brp", "", ())]
    await log.write(session, odd[:1])
    await log.write_shared(app.state.engine, odd)
    result = await log.verify(session)
    assert result.ok and result.records == 3, result.reason
    stored = (await session.scalars(select(LogRecord).order_by(LogRecord.seq))).all()
    assert [(r.client_id, r.organisation, list(r.fields)) for r in stored] == [
        (e.client_id, e.organisation, list(e.fields)) for e in (odd[0], *odd)]


@pytest.mark.parametrize("statement", [
    "UPDATE exchange_log SET fields = '[\"naam\", \"geboorte\"]' WHERE seq = 3",
    "DELETE FROM exchange_log WHERE seq = 1",
])
async def test_update_and_delete_are_refused(session: AsyncSession, statement: str) -> None:
    await append_many(session, 3)
    with pytest.raises(DBAPIError, match="append-only"):
        await session.execute(text(statement))
    await session.rollback()
    assert await session.scalar(select(func.count()).select_from(LogRecord)) == 3
    assert (await log.verify(session)).ok


async def test_a_changed_record_is_the_first_broken_link(session: AsyncSession) -> None:
    await append_many(session, 5)
    await tamper(session, f"UPDATE exchange_log SET subject = '{KLAAS}' WHERE seq = 3")
    result = await log.verify(session)
    assert not result.ok
    assert result.broken_seq == 3 and "changed" in (result.reason or "")


async def test_a_rehashed_record_breaks_the_next_link(session: AsyncSession) -> None:
    await append_many(session, 4)
    record = await session.scalar(select(LogRecord).where(LogRecord.seq == 2))
    assert record is not None
    record.subject = KLAAS
    forged = log.record_hash(record)
    await session.rollback()
    await tamper(session, f"UPDATE exchange_log SET subject = '{KLAAS}', hash = '{forged}' WHERE seq = 2")
    result = await log.verify(session)
    assert result.broken_seq == 3 and "does not point" in (result.reason or "")


async def test_a_deleted_record_is_found(session: AsyncSession) -> None:
    await append_many(session, 4)
    await tamper(session, "DELETE FROM exchange_log WHERE seq = 2")
    result = await log.verify(session)
    assert result.broken_seq == 3 and "#2 is missing" in (result.reason or "")


async def test_a_cut_off_tail_is_found(session: AsyncSession) -> None:
    await append_many(session, 4)
    await tamper(session, "DELETE FROM exchange_log WHERE seq = 4")
    result = await log.verify(session)
    assert not result.ok and "head" in (result.reason or "")


async def test_concurrent_appends_keep_one_valid_chain(app: FastAPI) -> None:
    async def writer(number: int) -> None:
        async with app.state.sessions() as own:
            for round_ in range(6):
                await log.write(own, [entry(bsn(f"w{number}-{round_}-{i}"), trace=f"{number:032d}") for i in range(3)])

    await asyncio.gather(*(writer(number) for number in range(8)))
    async with app.state.sessions() as session:
        result = await log.verify(session)
        assert result.ok, result.reason
        assert result.records == 8 * 6 * 3
        head = await session.get(LogHead, log.HEAD_ID)
        assert head is not None and head.seq == result.records


async def test_concurrent_readers_share_batches_and_keep_one_valid_chain(app: FastAPI) -> None:
    engine = app.state.engine
    callers = [[entry(bsn(f"s{number}-{i}"), trace=f"{number:032d}") for i in range(number % 3 + 1)]
               for number in range(40)]
    await asyncio.gather(*(log.write_shared(engine, entries) for entries in callers))
    async with app.state.sessions() as session:
        result = await log.verify(session)
        assert result.ok, result.reason
        assert result.records == sum(len(entries) for entries in callers)
        records = (await session.scalars(select(LogRecord).order_by(LogRecord.seq))).all()
    # each caller's records are consecutive and in its order: one caller's response is one piece of the chain
    by_trace = itertools.groupby(records, key=lambda record: record.trace_id)
    assert [[r.subject for r in group] for _, group in by_trace] == [[e.subject for e in es] for es in callers]


async def test_a_failed_batch_fails_every_reader_in_it(app: FastAPI, session: AsyncSession) -> None:
    await append_many(session, 1)
    # a record that takes the next place in the chain without moving the head: the next batch must fail
    await session.execute(text(
        "INSERT INTO exchange_log (id, seq, trace_id, at, client_id, organisation, activity, register, subject, "
        "fields, previous_hash, hash) VALUES ('0123456789abcdef0123456789abcdef', 2, 'x', '2026-01-01 00:00:00', "
        "'x', NULL, 'x', 'brp', 'x', '[]', 'x', 'x')"))
    await session.commit()
    outcomes = await asyncio.gather(*(log.write_shared(app.state.engine, [entry(bsn(f"f{n}"))]) for n in range(5)),
                                    return_exceptions=True)
    assert all(isinstance(outcome, ServiceUnavailable) for outcome in outcomes)
    assert await session.scalar(select(func.count()).select_from(LogRecord)) == 2


async def test_a_failing_log_write_returns_no_data(app: FastAPI, client: httpx.AsyncClient,
                                                  session: AsyncSession) -> None:
    add_register_route(app)
    headers, _ = await client_with_grant(session)
    ok = await client.get(PERSONS_URL, params={"fields": "naam", "burgerservicenummer": JAN}, headers=headers)
    assert ok.status_code == 200
    # a record that takes the next place in the chain without moving the head: the next append must fail
    await session.execute(text(
        "INSERT INTO exchange_log (id, seq, trace_id, at, client_id, organisation, activity, register, subject, "
        "fields, previous_hash, hash) VALUES ('0123456789abcdef0123456789abcdef', 2, 'x', '2026-01-01 00:00:00', "
        "'x', NULL, 'x', 'brp', 'x', '[]', 'x', 'x')"))
    await session.commit()
    failed = await client.get(PERSONS_URL, params={"fields": "naam", "burgerservicenummer": JAN}, headers=headers)
    assert failed.status_code == 503
    assert failed.headers["content-type"] == "application/problem+json"
    assert "Jansen" not in failed.text and "personen" not in failed.json()
    subjects = (await session.scalars(select(LogRecord.subject).order_by(LogRecord.seq))).all()
    assert list(subjects) == [JAN, "x"]
