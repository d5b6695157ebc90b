"""The processing log: append hash-chained records in order (one writer at a time) and verify the chain."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import uuid
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import asyncpg
from sqlalchemy import Table, bindparam, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from plein.db import utcnow
from plein.errors import ServiceUnavailable
from plein.exchange.models import LogHead, LogRecord

GENESIS = "0" * 64
HEAD_ID = 1
VERIFY_BATCH = 1000
MAX_BATCH = 500  # entries appended in one statement at most (12 parameters each)
NOT_WRITTEN = "the processing log could not be written, so no data is returned"
RECORD_COLUMNS = ("id", "seq", "trace_id", "at", "client_id", "organisation", "activity", "register", "subject",
                  "fields", "previous_hash", "hash")


@dataclass(frozen=True)
class Entry:
    """What one record says, before it gets its place in the chain."""

    trace_id: str
    client_id: str
    organisation: str | None
    activity: str
    register: str
    subject: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Verification:
    """The outcome of checking the chain: how many records, and the first broken link if any."""

    records: int
    head: str
    broken_seq: int | None = None
    broken_id: str | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


@dataclass(slots=True)
class Link:
    """A record as appended: the columns of exchange_log, without the ORM's bookkeeping (the append is hot)."""

    id: uuid.UUID
    seq: int
    trace_id: str
    at: dt.datetime
    client_id: str
    organisation: str | None
    activity: str
    register: str
    subject: str
    fields: list[str]
    previous_hash: str
    hash: str = ""


def canonical(record: LogRecord | Link) -> bytes:
    """The record's content as canonical JSON (sorted keys, no spaces, UTC timestamp in microseconds)."""
    content = {
        "id": str(record.id), "seq": record.seq, "traceId": record.trace_id,
        "at": record.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "clientId": record.client_id, "organisation": record.organisation, "activity": record.activity,
        "register": record.register, "subject": record.subject, "fields": list(record.fields),
        "previousHash": record.previous_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record_hash(record: LogRecord | Link) -> str:
    """sha256 over the previous hash and the canonical serialisation of the record."""
    return hashlib.sha256(record.previous_hash.encode("ascii") + b"\n" + canonical(record)).hexdigest()


async def _lock_head(session: AsyncSession) -> tuple[int, str]:
    """Take the chain head for this transaction and return its (seq, hash): a row lock on PostgreSQL, the database
    write lock on SQLite.

    On SQLite the insert-if-missing comes first on purpose: it is a write, so the transaction holds the write lock
    before it reads the head, and concurrent appenders wait for each other (busy timeout) instead of reading a head
    that is about to change. On PostgreSQL the row lock is taken first; the head row is inserted only once.
    """
    locked = select(LogHead.seq, LogHead.hash).where(LogHead.id == HEAD_ID).with_for_update()
    values = {"id": HEAD_ID, "seq": 0, "hash": GENESIS}
    if _is_postgresql(session):
        row = (await session.execute(locked)).first()
        if row is not None:
            return int(row[0]), str(row[1])
        await session.execute(postgresql.insert(LogHead).values(**values).on_conflict_do_nothing())
    else:
        await session.execute(sqlite.insert(LogHead).values(**values).on_conflict_do_nothing())
    row = (await session.execute(locked)).one()
    return int(row[0]), str(row[1])


def _is_postgresql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _chain(entries: Sequence[Entry], seq: int, previous: str) -> list[Link]:
    """The entries as records following (seq, previous), each hashed over the one before."""
    now = utcnow()
    records = []
    for entry in entries:
        seq += 1
        record = Link(uuid.uuid4(), seq, entry.trace_id, now, entry.client_id, entry.organisation, entry.activity,
                      entry.register, entry.subject, list(entry.fields), previous)
        record.hash = previous = record_hash(record)
        records.append(record)
    return records


async def append(session: AsyncSession, entries: Sequence[Entry]) -> list[Link]:
    """Append the entries as consecutive chained records and move the head; the caller commits.

    The head stays locked from the read until the commit, so the lock is taken last and the records and the new
    head are written in one INSERT (and, on PostgreSQL, in the same statement as the head's UPDATE).
    """
    if not entries:
        return []
    seq, previous = await _lock_head(session)
    records = _chain(entries, seq, previous)
    new_head = {"head_seq": records[-1].seq, "head_hash": records[-1].hash}
    if _is_postgresql(session):
        columns = {column: [getattr(record, column) for record in records] for column in RECORD_COLUMNS}
        columns["fields"] = [json.dumps(fields) for fields in columns["fields"]]
        await session.execute(_APPEND_POSTGRESQL, {**columns, **new_head})
    else:
        rows = [{column: getattr(record, column) for column in RECORD_COLUMNS} for record in records]
        await session.execute(insert(cast(Table, LogRecord.__table__)), rows)
        await session.execute(_MOVE_HEAD, new_head)
    return records


_HEAD = cast(Table, LogHead.__table__)
_MOVE_HEAD = (update(_HEAD).where(_HEAD.c.id == HEAD_ID)
              .values(seq=bindparam("head_seq"), hash=bindparam("head_hash")))
# PostgreSQL: the records (one array per column) and the head's move in one statement whose text is the same for any
# number of records, so it is compiled and prepared once.
_APPEND_POSTGRESQL = text("""
WITH appended AS (
    INSERT INTO exchange_log (id, seq, trace_id, at, client_id, organisation, activity, register, subject, fields,
                              previous_hash, hash)
    SELECT * FROM unnest(CAST(:id AS uuid[]), CAST(:seq AS integer[]), CAST(:trace_id AS varchar[]),
                         CAST(:at AS timestamptz[]), CAST(:client_id AS varchar[]), CAST(:organisation AS varchar[]),
                         CAST(:activity AS varchar[]), CAST(:register AS varchar[]), CAST(:subject AS varchar[]),
                         CAST(:fields AS jsonb[]), CAST(:previous_hash AS varchar[]), CAST(:hash AS varchar[]))
)
UPDATE exchange_log_head SET seq = :head_seq, hash = :head_hash WHERE id = 1
""")



async def write(session: AsyncSession, entries: Sequence[Entry]) -> None:
    """Append and commit; any database failure becomes a 503 and nothing of it is kept."""
    try:
        await append(session, entries)
        await session.commit()
    except SQLAlchemyError as exc:
        await session.rollback()
        raise ServiceUnavailable(NOT_WRITTEN) from exc


class Appender:
    """Writes the entries of concurrent callers of one process together: one transaction (head lock, one INSERT,
    commit) per batch instead of one per caller.

    The head lock serialises every append of every server process; holding it for one batch at a time instead of
    once per response is what lets the log keep up when many reads run at once. A caller waits until its batch is
    committed; if the batch fails, every caller in it gets the 503 and none of them returns data.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = weakref.ref(engine)  # the registry below is keyed by the engine: no strong reference back
        self.loop = asyncio.get_running_loop()
        self.waiting: list[tuple[Sequence[Entry], asyncio.Future[None]]] = []
        self.task: asyncio.Task[None] | None = None

    async def write(self, entries: Sequence[Entry]) -> None:
        done: asyncio.Future[None] = self.loop.create_future()
        self.waiting.append((entries, done))
        if self.task is None:
            self.task = self.loop.create_task(self._drain())
        await done  # a caller that goes away leaves the batch: the others' records are written all the same

    async def _drain(self) -> None:
        try:
            while self.waiting:
                batch = self._next_batch()
                try:
                    engine = self.engine()
                    if engine is None:
                        raise ServiceUnavailable(NOT_WRITTEN)
                    flat = [entry for entries, _ in batch for entry in entries]
                    if engine.dialect.name == "postgresql":
                        await _write_on_driver(engine, flat)
                    else:
                        async with AsyncSession(engine) as session:
                            await write(session, flat)
                except BaseException as exc:
                    for _, done in batch:
                        if not done.done():
                            error = ServiceUnavailable(NOT_WRITTEN)  # one per caller: each raises its own
                            error.__cause__ = exc.__cause__ if isinstance(exc, ServiceUnavailable) else exc
                            done.set_exception(error)
                    if not isinstance(exc, Exception):
                        raise
                else:
                    for _, done in batch:
                        if not done.done():
                            done.set_result(None)
        finally:
            self.task = None

    def _next_batch(self) -> list[tuple[Sequence[Entry], asyncio.Future[None]]]:
        """The callers waiting now, in order, up to MAX_BATCH entries (at least one caller)."""
        count, taken = 0, 0
        for entries, _ in self.waiting:
            if taken and count + len(entries) > MAX_BATCH:
                break
            count, taken = count + len(entries), taken + 1
        batch, self.waiting = self.waiting[:taken], self.waiting[taken:]
        return batch


async def _write_on_driver(engine: AsyncEngine, entries: Sequence[Entry]) -> None:
    """Append and commit on PostgreSQL straight on the pooled asyncpg connection: the same statements as `write`,
    without the ORM's per-statement cost (this runs once per batch of reads, and the head is locked meanwhile)."""
    try:
        async with engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None
            async with driver.transaction():
                head = await driver.fetchrow(_LOCK_HEAD_SQL)
                if head is None:
                    await driver.execute(_ADD_HEAD_SQL, GENESIS)
                    head = await driver.fetchrow(_LOCK_HEAD_SQL)
                records = _chain(entries, int(head[0]), str(head[1]))
                columns = [[getattr(record, column) for record in records] for column in RECORD_COLUMNS]
                columns[RECORD_COLUMNS.index("fields")] = [json.dumps(record.fields) for record in records]
                await driver.execute(_APPEND_SQL, *columns, records[-1].seq, records[-1].hash)
    except (SQLAlchemyError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise ServiceUnavailable(NOT_WRITTEN) from exc


_LOCK_HEAD_SQL = "SELECT seq, hash FROM exchange_log_head WHERE id = 1 FOR UPDATE"  # HEAD_ID
_ADD_HEAD_SQL = "INSERT INTO exchange_log_head (id, seq, hash) VALUES (1, 0, $1) ON CONFLICT DO NOTHING"
_APPEND_SQL = """
WITH appended AS (
    INSERT INTO exchange_log (id, seq, trace_id, at, client_id, organisation, activity, register, subject, fields,
                              previous_hash, hash)
    SELECT * FROM unnest($1::uuid[], $2::integer[], $3::varchar[], $4::timestamptz[], $5::varchar[], $6::varchar[],
                         $7::varchar[], $8::varchar[], $9::varchar[], $10::jsonb[], $11::varchar[], $12::varchar[])
)
UPDATE exchange_log_head SET seq = $13, hash = $14 WHERE id = 1
"""


_appenders: weakref.WeakKeyDictionary[AsyncEngine, Appender] = weakref.WeakKeyDictionary()


async def write_shared(engine: AsyncEngine, entries: Sequence[Entry]) -> None:
    """Append and commit through this process's Appender for the engine (see Appender); a failure is a 503."""
    appender = _appenders.get(engine)
    if appender is None or appender.loop is not asyncio.get_running_loop():
        appender = _appenders[engine] = Appender(engine)
    await appender.write(entries)


async def verify(session: AsyncSession) -> Verification:
    """Walk the chain in order: positions without gaps, each record pointing at the one before, hashes intact."""
    expected_seq, previous, count = 1, GENESIS, 0
    while True:
        query = select(LogRecord).where(LogRecord.seq >= expected_seq).order_by(LogRecord.seq).limit(VERIFY_BATCH)
        batch = list((await session.scalars(query)).all())
        for record in batch:
            reason = _broken(record, expected_seq, previous)
            if reason:
                return Verification(count, previous, record.seq, str(record.id), reason)
            expected_seq, previous, count = expected_seq + 1, record.hash, count + 1
        if len(batch) < VERIFY_BATCH:
            break
    return await _check_head(session, count, previous)


def _broken(record: LogRecord, expected_seq: int, previous: str) -> str | None:
    if record.seq != expected_seq:
        return f"record #{expected_seq} is missing (the next one found is #{record.seq})"
    if record.previous_hash != previous:
        return f"record #{record.seq} does not point at the hash of record #{record.seq - 1}"
    if record_hash(record) != record.hash:
        return f"record #{record.seq} was changed after it was written (its hash does not match its content)"
    return None


async def _check_head(session: AsyncSession, count: int, last_hash: str) -> Verification:
    head = await session.get(LogHead, HEAD_ID, populate_existing=True)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if (head_seq, head_hash) != (count, last_hash):
        reason = f"the chain head says record #{head_seq} is the newest, but the log ends at record #{count}"
        if head_seq == count:
            reason = f"the chain head's hash does not match record #{count}"
        return Verification(count, last_hash, count + 1 if head_seq > count else count, None, reason)
    return Verification(count, last_hash)
