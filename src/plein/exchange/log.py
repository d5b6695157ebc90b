"""The processing log: append hash-chained records in order (one writer at a time) and verify the chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from plein.db import utcnow
from plein.errors import ServiceUnavailable
from plein.exchange.models import LogHead, LogRecord

GENESIS = "0" * 64
HEAD_ID = 1
VERIFY_BATCH = 1000


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


def canonical(record: LogRecord) -> bytes:
    """The record's content as canonical JSON (sorted keys, no spaces, UTC timestamp in microseconds)."""
    content = {
        "id": str(record.id), "seq": record.seq, "traceId": record.trace_id,
        "at": record.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "clientId": record.client_id, "organisation": record.organisation, "activity": record.activity,
        "register": record.register, "subject": record.subject, "fields": list(record.fields),
        "previousHash": record.previous_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record_hash(record: LogRecord) -> str:
    """sha256 over the previous hash and the canonical serialisation of the record."""
    return hashlib.sha256(record.previous_hash.encode("ascii") + b"\n" + canonical(record)).hexdigest()


async def _lock_head(session: AsyncSession) -> LogHead:
    """Take the chain head for this transaction: a row lock on PostgreSQL, the database write lock on SQLite.

    The insert-if-missing comes first on purpose: on SQLite it is a write, so the transaction holds the write
    lock before it reads the head, and concurrent appenders wait for each other (busy timeout) instead of
    reading a head that is about to change.
    """
    dialect = session.get_bind().dialect.name
    values = {"id": HEAD_ID, "seq": 0, "hash": GENESIS}
    if dialect == "postgresql":
        await session.execute(postgresql.insert(LogHead).values(**values).on_conflict_do_nothing())
    else:
        await session.execute(sqlite.insert(LogHead).values(**values).on_conflict_do_nothing())
    query = select(LogHead).where(LogHead.id == HEAD_ID).with_for_update().execution_options(populate_existing=True)
    return (await session.scalars(query)).one()


async def append(session: AsyncSession, entries: Sequence[Entry]) -> list[LogRecord]:
    """Append the entries as consecutive chained records and move the head; the caller commits."""
    head = await _lock_head(session)
    seq, previous = head.seq, head.hash
    now = utcnow()
    records = []
    for entry in entries:
        seq += 1
        record = LogRecord(
            id=uuid.uuid4(), seq=seq, trace_id=entry.trace_id, at=now, client_id=entry.client_id,
            organisation=entry.organisation, activity=entry.activity, register=entry.register,
            subject=entry.subject, fields=list(entry.fields), previous_hash=previous,
        )
        record.hash = previous = record_hash(record)
        records.append(record)
    session.add_all(records)
    await session.flush()
    await session.execute(update(LogHead).where(LogHead.id == HEAD_ID).values(seq=seq, hash=previous))
    return records


async def write(session: AsyncSession, entries: Sequence[Entry]) -> None:
    """Append and commit; any database failure becomes a 503 and nothing of it is kept."""
    try:
        await append(session, entries)
        await session.commit()
    except SQLAlchemyError as exc:
        await session.rollback()
        raise ServiceUnavailable("the processing log could not be written, so no data is returned") from exc


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
