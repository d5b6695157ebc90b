"""The processing log: append hash-chained records in order (one writer at a time), and verify the chain and the
Merkle tree over it against signed checkpoints."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import uuid
import weakref
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import orjson
from sqlalchemy import Row, Table, bindparam, column, insert, select, table, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from plein.db import time_ordered_uuid, utcnow
from plein.driver import Ready
from plein.errors import ServiceUnavailable
from plein.exchange import merkle
from plein.exchange.models import LogHead, LogRecord

GENESIS = "0" * 64
HEAD_ID = 1
VERIFY_BATCH = 1000
MAX_BATCH = 500  # entries appended in one statement at most (12 parameters each)
NOT_WRITTEN = "the processing log could not be written, so no data is returned"
RECORD_COLUMNS = ("id", "seq", "trace_id", "at", "client_id", "organisation", "activity", "register", "subject",
                  "fields", "action", "previous_hash", "hash")
READ, WRITE = "read", "write"  # a record's action: data delivered to the client, or data changed by it


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
    action: str = READ


@dataclass(frozen=True)
class Verification:
    """The outcome of checking the chain: how many records, and the first broken link if any."""

    records: int
    head: str
    broken_seq: int | None = None
    broken_id: str | None = None
    reason: str | None = None
    checkpoint_size: int = 0  # the largest checkpoint the log was found to agree with (0: none was checked)
    failed_checkpoint: int = 0  # the size of the checkpoint whose root the records no longer give (0: none)

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
    action: str = READ


def canonical(record: LogRecord | Link) -> bytes:
    """The record's content as canonical JSON (sorted keys, no spaces, UTC timestamp in microseconds). The action is
    written only for a write: a read's text is the same as before records had an action, so their hashes hold."""
    return _canonical(str(record.id), record.seq, record.trace_id, _moment(record.at), record.client_id,
                      record.organisation,
                      record.activity, record.register, record.subject, list(record.fields), record.previous_hash,
                      record.action)


def _moment(at: dt.datetime) -> str:
    """A record's time as its canonical JSON writes it: UTC, ISO 8601 with microseconds."""
    return (at if at.tzinfo is dt.UTC else at.astimezone(dt.UTC)).isoformat(timespec="microseconds")


def _canonical(ident: str, seq: int, trace_id: str, at: str, client_id: str, organisation: str | None,
               activity: str, register: str, subject: str, fields: list[str], previous_hash: str,
               action: str) -> bytes:
    content: dict[str, object] = {
        "id": ident, "seq": seq, "traceId": trace_id, "at": at,
        "clientId": client_id, "organisation": organisation, "activity": activity, "register": register,
        "subject": subject, "fields": fields, "previousHash": previous_hash,
    }
    if action != READ:
        content["action"] = action
    return orjson.dumps(content, option=orjson.OPT_SORT_KEYS)  # as json.dumps(sort_keys, no spaces, UTF-8) writes it


def canonical_parts(entry: Entry, record_id: uuid.UUID, at: dt.datetime) -> tuple[str, str, str]:
    """The canonical JSON of a record that is yet to get its place in the chain, as the text before its previous
    hash, the text between that hash and its seq, and the text after the seq: `canonical` is
    before + previous_hash + between + str(seq) + after (the keys sort so that previousHash and seq fall there).
    PostgreSQL chains a batch from these parts while it holds the head (_APPEND_POSTGRESQL)."""
    def members(*pairs: tuple[str, object]) -> str:
        return ",".join(f'"{key}":' + json.dumps(value, ensure_ascii=False, separators=(",", ":"))
                        for key, value in pairs)

    moment = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    action = members(("action", entry.action)) + "," if entry.action != READ else ""
    before = "{" + action + members(("activity", entry.activity), ("at", moment), ("clientId", entry.client_id),
                           ("fields", list(entry.fields)), ("id", str(record_id)),
                           ("organisation", entry.organisation)) + ',"previousHash":"'
    between = '",' + members(("register", entry.register)) + ',"seq":'
    after = "," + members(("subject", entry.subject), ("traceId", entry.trace_id)) + "}"
    return before, between, after


def record_hash(record: LogRecord | Link) -> str:
    """sha256 over the previous hash and the canonical serialisation of the record."""
    return chain_hash(record.previous_hash, canonical(record))


def chain_hash(previous_hash: str, text: bytes) -> str:
    """A record's hash in the chain: sha256 over the previous record's hash, a newline and its canonical JSON."""
    return hashlib.sha256(previous_hash.encode("ascii") + b"\n" + text).hexdigest()


async def _lock_head(session: AsyncSession) -> tuple[int, str]:
    """Take the chain head for this transaction on SQLite and return its (seq, hash).

    The insert-if-missing comes first on purpose: it is a write, so the transaction holds the database's write lock
    before it reads the head, and concurrent appenders wait for each other (busy timeout) instead of reading a head
    that is about to change.
    """
    await session.execute(sqlite.insert(LogHead).values(id=HEAD_ID, seq=0, hash=GENESIS).on_conflict_do_nothing())
    row = (await session.execute(select(LogHead.seq, LogHead.hash).where(LogHead.id == HEAD_ID))).one()
    return int(row[0]), str(row[1])


def _is_postgresql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _chain(entries: Sequence[Entry], seq: int, previous: str) -> list[Link]:
    """The entries as records following (seq, previous), each hashed over the one before."""
    now = utcnow()
    records = []
    for entry in entries:
        seq += 1
        record = Link(time_ordered_uuid(), seq, entry.trace_id, now, entry.client_id, entry.organisation,
                      entry.activity, entry.register, entry.subject, list(entry.fields), previous, action=entry.action)
        record.hash = previous = record_hash(record)
        records.append(record)
    return records


async def append(session: AsyncSession, entries: Sequence[Entry]) -> None:
    """Append the entries as consecutive chained records and move the head; the caller commits.

    The head stays locked from the read until the commit. On PostgreSQL one statement locks the head, chains the
    records, inserts them and moves the head (_APPEND_POSTGRESQL); on SQLite the records are chained here.
    """
    if not entries:
        return
    if _is_postgresql(session):
        await _append_on_postgresql(await session.connection(), entries)
        return
    seq, previous = await _lock_head(session)
    records = _chain(entries, seq, previous)
    await session.execute(insert(cast(Table, LogRecord.__table__)),
                          [{column: getattr(record, column) for column in RECORD_COLUMNS} for record in records])
    await session.execute(_MOVE_HEAD, {"head_seq": records[-1].seq, "head_hash": records[-1].hash})


async def _append_on_postgresql(connection: AsyncConnection, entries: Sequence[Entry]) -> None:
    """_APPEND_POSTGRESQL on this connection (in its transaction, or as its own in autocommit); the head row is
    added first when there is none yet (the very first append)."""
    parameters = _append_parameters(entries)
    if not await _APPEND_POSTGRESQL.connection_rows(connection, parameters):
        await connection.execute(postgresql.insert(LogHead).values(id=HEAD_ID, seq=0, hash=GENESIS)
                                 .on_conflict_do_nothing())
        await _APPEND_POSTGRESQL.connection_rows(connection, parameters)


def _append_parameters(entries: Sequence[Entry]) -> dict[str, object]:
    """The entries as the arrays _APPEND_POSTGRESQL takes: their columns, and their canonical text around the place
    in the chain that PostgreSQL fills in."""
    at, ids = utcnow(), [time_ordered_uuid() for _ in entries]
    parts = [canonical_parts(entry, record_id, at) for entry, record_id in zip(entries, ids, strict=True)]
    return {
        "id": ids, "at": at, "trace_id": [e.trace_id for e in entries], "client_id": [e.client_id for e in entries],
        "organisation": [e.organisation for e in entries], "activity": [e.activity for e in entries],
        "register": [e.register for e in entries], "subject": [e.subject for e in entries],
        "fields": [json.dumps(list(e.fields)) for e in entries], "action": [e.action for e in entries],
        "before": [part[0] for part in parts], "between": [part[1] for part in parts],
        "after": [part[2] for part in parts],
    }


_HEAD = cast(Table, LogHead.__table__)
_MOVE_HEAD = (update(_HEAD).where(_HEAD.c.id == HEAD_ID)
              .values(seq=bindparam("head_seq"), hash=bindparam("head_hash")))
# PostgreSQL: one statement takes the head (a row lock until the commit), chains the batch the way record_hash does
# (sha256 over the previous hash, a newline and the canonical JSON, built from canonical_parts around the previous
# hash and the seq), inserts the records and moves the head. Outside a transaction it is its own transaction, so the
# head is held for one statement and its commit: no round trip, and no turn of the event loop, while it is locked.
# No row comes back when there is no head yet.
_APPEND_POSTGRESQL = Ready(text("""
WITH RECURSIVE head AS (
    SELECT seq, hash FROM exchange_log_head WHERE id = 1 FOR UPDATE
), chain (n, seq, previous_hash, hash) AS (
    SELECT 0::bigint, head.seq, NULL::text, head.hash::text FROM head
    UNION ALL
    SELECT chain.n + 1, chain.seq + 1, chain.hash,
           encode(sha256(convert_to(chain.hash || E'\\n' || (CAST(:before AS text[]))[chain.n + 1] || chain.hash
                                    || (CAST(:between AS text[]))[chain.n + 1] || (chain.seq + 1)::text
                                    || (CAST(:after AS text[]))[chain.n + 1], 'UTF8')), 'hex')
    FROM chain WHERE chain.n < cardinality(CAST(:before AS text[]))
), appended AS (
    INSERT INTO exchange_log (id, seq, trace_id, at, client_id, organisation, activity, register, subject, fields,
                              action, previous_hash, hash)
    SELECT entry.id, chain.seq, entry.trace_id, CAST(:at AS timestamptz), entry.client_id, entry.organisation,
           entry.activity, entry.register, entry.subject, entry.fields, entry.action, chain.previous_hash, chain.hash
    FROM unnest(CAST(:id AS uuid[]), CAST(:trace_id AS varchar[]), CAST(:client_id AS varchar[]),
                CAST(:organisation AS varchar[]), CAST(:activity AS varchar[]), CAST(:register AS varchar[]),
                CAST(:subject AS varchar[]), CAST(:fields AS jsonb[]), CAST(:action AS varchar[]))
         WITH ORDINALITY AS entry (id, trace_id, client_id, organisation, activity, register, subject, fields, action,
                                   n)
    JOIN chain ON chain.n = entry.n
)
UPDATE exchange_log_head SET seq = last.seq, hash = last.hash
FROM (SELECT seq, hash FROM chain ORDER BY n DESC LIMIT 1) AS last
WHERE exchange_log_head.id = 1
RETURNING exchange_log_head.seq
"""))


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
    """Append on PostgreSQL in one statement that is its own transaction (see _APPEND_POSTGRESQL), on a pooled
    connection in autocommit: the head is locked only while that statement runs and commits."""
    try:
        async with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
            await _append_on_postgresql(connection, entries)
    except (SQLAlchemyError, OSError) as exc:
        raise ServiceUnavailable(NOT_WRITTEN) from exc


_appenders: weakref.WeakKeyDictionary[AsyncEngine, Appender] = weakref.WeakKeyDictionary()


async def write_shared(engine: AsyncEngine, entries: Sequence[Entry]) -> None:
    """Append and commit through this process's Appender for the engine (see Appender); a failure is a 503."""
    appender = _appenders.get(engine)
    if appender is None or appender.loop is not asyncio.get_running_loop():
        appender = _appenders[engine] = Appender(engine)
    await appender.write(entries)


_STORED = table("exchange_log", *[column(name) for name in RECORD_COLUMNS])  # untyped: values as the driver gives


async def rows(session: AsyncSession, after: int = 0, until: int | None = None,
               batch: int = VERIFY_BATCH) -> AsyncIterator[Sequence[Row[Any]]]:
    """The records after position `after` (up to `until`) in order, a batch at a time, as the driver returns them
    (no ORM objects, no type conversion: a walk over the whole log reads millions); `content` makes their text."""
    while until is None or after < until:
        query = select(*_STORED.c).where(_STORED.c.seq > after).order_by(_STORED.c.seq).limit(batch)
        if until is not None:
            query = query.where(_STORED.c.seq <= until)
        found = (await session.execute(query)).all()
        if not found:
            return
        yield found
        after = found[-1].seq
        if len(found) < batch:
            return


def content(row: Row[Any]) -> bytes:
    """The canonical JSON of a record read by `rows`: its id, time and fields as SQLite stores them (32 hex digits,
    naive UTC text, JSON text) or as asyncpg returns them."""
    ident, seq, trace_id, at, client_id, organisation, activity, register, subject, fields, action, previous, _ = (
        cast(tuple[Any, ...], row))
    ident = ident if isinstance(ident, str) else str(ident)
    if len(ident) == 32:
        ident = f"{ident[:8]}-{ident[8:12]}-{ident[12:16]}-{ident[16:20]}-{ident[20:]}"
    if not isinstance(at, str):
        at = _moment(at)
    elif len(at) == 26 and at[10] == " ":  # SQLite: "YYYY-MM-DD HH:MM:SS.ffffff" in UTC
        at = f"{at[:10]}T{at[11:]}+00:00"
    else:
        at = _moment(dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC))
    if isinstance(fields, str | bytes):
        fields = orjson.loads(fields)
    return _canonical(ident, seq, trace_id, at, client_id, organisation, activity, register, subject, fields, previous,
                      action)


def leaf(row: Row[Any]) -> bytes:
    """A record's leaf hash in the log's Merkle tree (read by `rows`): over its canonical JSON (merkle.leaf_hash)."""
    return merkle.leaf_hash(content(row))


@dataclass(frozen=True)
class Expected:
    """What a signed checkpoint says the first `size` records were: their Merkle root and the newest one's hash."""

    size: int
    root_hash: str
    head_hash: str
    label: str  # how the report names it, e.g. "the checkpoint of 2026-12-07T12:00:00Z"


async def verify(session: AsyncSession, checkpoints: Sequence[Expected] = (),
                 progress: Callable[[int], None] | None = None) -> Verification:
    """Walk the log in order: positions without gaps, each record pointing at the one before, hashes intact, and the
    first `size` records giving each checkpoint's Merkle root and head (so that a log rewritten or cut after a
    checkpoint is found even when every later hash was recomputed). `progress` hears the count after each batch."""
    expected = sorted(checkpoints, key=lambda checkpoint: checkpoint.size)
    walk = _Walk(expected)
    async for batch in rows(session, batch=VERIFY_BATCH * 10):
        broken = walk.steps(batch)
        if broken:
            return broken
        if progress:
            progress(walk.count)
    return walk.unmet() or await _check_head(session, walk.count, walk.previous, walk.passed)


class _Walk:
    """The state of `verify` along the chain: what came before, the Merkle tree so far, the checkpoints ahead."""

    def __init__(self, checkpoints: list[Expected]) -> None:
        self.count, self.previous = 0, GENESIS
        self.tree = merkle.Frontier()
        self.ahead = checkpoints
        self.passed: Expected | None = None

    def steps(self, records: Sequence[Row[Any]]) -> Verification | None:
        """Take the next records; the first broken link, or a checkpoint they do not give, ends the walk."""
        push, leaf_prefix = self.tree.push, merkle.LEAF_PREFIX
        seq, previous = self.count, self.previous
        next_checkpoint = self.ahead[0].size if self.ahead else -1
        for record in records:
            seq += 1
            text = content(record)
            reason = _broken(record, seq, previous, text)
            if reason:
                return Verification(seq - 1, previous, record.seq, str(record.id), reason, self._held())
            push(hashlib.sha256(leaf_prefix + text).digest())
            previous = record.hash
            if seq == next_checkpoint:
                self.count, self.previous = seq, previous
                broken = self._at_checkpoint(seq)
                if broken:
                    return broken
                next_checkpoint = self.ahead[0].size if self.ahead else -1
        self.count, self.previous = seq, previous
        return None

    def _at_checkpoint(self, seq: int) -> Verification | None:
        while self.ahead and self.ahead[0].size == seq:
            checkpoint = self.ahead.pop(0)
            if (self.tree.root().hex(), self.previous) != (checkpoint.root_hash, checkpoint.head_hash):
                after = self.passed.size if self.passed else 0
                return Verification(
                    self.count, self.previous, after + 1, None,
                    f"records #1 to #{seq} no longer give the root of {checkpoint.label}: a record from #{after + 1} "
                    f"to #{seq} was changed, removed or put in after that checkpoint (and the hashes after it "
                    "recomputed)", self._held(), seq)
            self.passed = checkpoint
        return None

    def unmet(self) -> Verification | None:
        """The log ended before a checkpoint's size: it was cut."""
        if not self.ahead:
            return None
        checkpoint = self.ahead[-1]
        return Verification(self.count, self.previous, self.count + 1, None,
                            f"the log ends at record #{self.count}, but {checkpoint.label} says it had "
                            f"{checkpoint.size} records: records #{self.count + 1} to #{checkpoint.size} are gone",
                            self._held())

    def _held(self) -> int:
        return self.passed.size if self.passed else 0


def _broken(record: Row[Any], expected_seq: int, previous: str, text: bytes) -> str | None:
    if record.seq != expected_seq:
        return f"record #{expected_seq} is missing (the next one found is #{record.seq})"
    if record.previous_hash != previous:
        return f"record #{record.seq} does not point at the hash of record #{record.seq - 1}"
    if chain_hash(previous, text) != record.hash:
        return f"record #{record.seq} was changed after it was written (its hash does not match its content)"
    return None


async def _check_head(session: AsyncSession, count: int, last_hash: str, passed: Expected | None) -> Verification:
    held = passed.size if passed else 0
    head = await session.get(LogHead, HEAD_ID, populate_existing=True)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if (head_seq, head_hash) != (count, last_hash):
        reason = f"the chain head says record #{head_seq} is the newest, but the log ends at record #{count}"
        if head_seq == count:
            reason = f"the chain head's hash does not match record #{count}"
        return Verification(count, last_hash, count + 1 if head_seq > count else count, None, reason, held)
    return Verification(count, last_hash, checkpoint_size=held)
