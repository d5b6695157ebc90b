"""Signed checkpoints of the processing log: the Merkle tree's nodes grown from the records, Ed25519-signed statements
of its size, root and chain head, inclusion and consistency proofs, and the background checkpointer."""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import hashlib
import logging
import os
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import FastAPI
from sqlalchemy import Table, insert, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from plein.background import loop_while_serving
from plein.db import utcnow
from plein.errors import NotFound, ServiceUnavailable
from plein.exchange import log, merkle
from plein.exchange.models import LogCheckpoint, LogHead, LogNode, LogRecord
from plein.settings import Settings, SettingsError

logger = logging.getLogger("plein.exchange")
KEY_FILE = "log-signing-key"
NOTE_HEADER = "plein-processing-log/v1"
MAX_GROWTH = 1 << 16  # records a checkpoint adds at most: the nodes of a step are built in memory
CHECKPOINT_LOCK = 0x706C6F67  # PostgreSQL advisory lock: one checkpointer at a time across processes


class ChainBroken(Exception):
    """The records since the last checkpoint do not chain onto it: the checkpointer signs nothing (the message says
    where; `plein exchange log verify` says more)."""


class ProofUnavailable(Exception):
    """The proof asked for is not possible: the message says which size or record is outside the signed tree."""


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement: the first `tree_size` records have this Merkle root, and the newest of them this hash."""

    tree_size: int
    root_hash: str
    head_hash: str
    at: dt.datetime
    key_id: str
    signature: str

    @property
    def timestamp(self) -> str:
        return timestamp(self.at)

    def note(self) -> bytes:
        return note(self.tree_size, self.root_hash, self.head_hash, self.at)

    def as_json(self) -> dict[str, object]:
        return {"treeSize": self.tree_size, "rootHash": self.root_hash, "headHash": self.head_hash,
                "timestamp": self.timestamp, "keyId": self.key_id, "signature": self.signature}

    def expected(self) -> log.Expected:
        return log.Expected(self.tree_size, self.root_hash, self.head_hash, f"the checkpoint of {self.timestamp}")

    @classmethod
    def of(cls, row: LogCheckpoint) -> Checkpoint:
        return cls(row.tree_size, row.root_hash, row.head_hash, row.at, row.key_id, row.signature)

    @classmethod
    def from_json(cls, data: object) -> Checkpoint:
        """A checkpoint as the API serves it; ValueError names the member that is missing or wrong."""
        if not isinstance(data, dict):
            raise ValueError("a checkpoint is a JSON object")
        try:
            size, at = data["treeSize"], dt.datetime.fromisoformat(str(data["timestamp"]).replace("Z", "+00:00"))
            root, head, key_id, signature = (str(data[name]) for name in ("rootHash", "headHash", "keyId",
                                                                           "signature"))
        except KeyError as exc:
            raise ValueError(f"the checkpoint has no {exc.args[0]}") from exc
        if not isinstance(size, int) or size < 0:
            raise ValueError("treeSize must be a whole number, 0 or more")
        return cls(size, root, head, at.astimezone(dt.UTC), key_id, signature)


def timestamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def note(tree_size: int, root_hash: str, head_hash: str, at: dt.datetime) -> bytes:
    """The text a checkpoint's signature is over (docs/processing-log.md): five lines, each ending in a newline."""
    return f"{NOTE_HEADER}\n{tree_size}\n{root_hash}\n{head_hash}\n{timestamp(at)}\n".encode("ascii")


# --- keys ----------------------------------------------------------------------------------------------------------


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """PLEIN_LOG_SIGNING_KEY; outside production, when unset, the key kept in the data folder (made once)."""
    configured = settings.log_signing_key.get_secret_value()
    if configured:
        return private_key(configured, "PLEIN_LOG_SIGNING_KEY")
    if settings.env == "production":
        raise SettingsError("PLEIN_LOG_SIGNING_KEY must be set in production")
    path = Path(settings.data_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        made = path.with_name(f"{KEY_FILE}.{os.getpid()}")
        descriptor = os.open(made, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(new_key_text() + "\n")
        try:  # whole or not at all; when another process was first, its key stays
            os.link(made, path)
        except FileExistsError:
            pass
        finally:
            made.unlink()
    return private_key(path.read_text("ascii").strip(), str(path))


def new_key_text() -> str:
    """A new Ed25519 private key: its 32 bytes in base64."""
    return base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode("ascii")


def _key_bytes(value: str) -> bytes:
    """A key's 32 bytes from base64; ValueError naming what is wrong."""
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except binascii.Error as exc:
        raise ValueError(f"must be 32 bytes in base64: {exc}") from exc
    if len(raw) != 32:
        raise ValueError(f"must be 32 bytes in base64, not {len(raw)} bytes")
    return raw


def private_key(value: str, where: str) -> Ed25519PrivateKey:
    try:
        return Ed25519PrivateKey.from_private_bytes(_key_bytes(value))
    except ValueError as exc:
        raise SettingsError(f"{where} {exc}") from exc


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public key's 32 bytes in base64: what Plein publishes."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return base64.b64encode(public.public_bytes_raw()).decode("ascii")


def public_key(value: str) -> Ed25519PublicKey:
    """A published public key (32 bytes in base64); ValueError when it is not one."""
    try:
        return Ed25519PublicKey.from_public_bytes(_key_bytes(value))
    except ValueError as exc:
        raise ValueError(f"the public key {exc}") from exc


def verifying_keys(settings: Settings) -> list[Ed25519PublicKey]:
    """The public keys whose checkpoints are Plein's: the signing key's, then PLEIN_LOG_PREVIOUS_PUBLIC_KEYS."""
    return [signing_key(settings).public_key(), *(public_key(text) for text in settings.previous_log_keys())]


def key_for(checkpoint: Checkpoint, keys: Sequence[Ed25519PublicKey]) -> Ed25519PublicKey | None:
    """The key among `keys` that signed the checkpoint (by its keyId and signature), or None."""
    for key in keys:
        if key_id(key) == checkpoint.key_id and signed_by(checkpoint, key):
            return key
    return None


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The first 8 bytes of the SHA-256 of the public key, in hex: which key signed a checkpoint."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return hashlib.sha256(public.public_bytes_raw()).hexdigest()[:16]


def signed_by(checkpoint: Checkpoint, key: Ed25519PublicKey) -> bool:
    """The checkpoint's signature is this key's over its note."""
    try:
        key.verify(base64.b64decode(checkpoint.signature, validate=True), checkpoint.note())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


# --- the tree ------------------------------------------------------------------------------------------------------


async def latest(session: AsyncSession) -> Checkpoint | None:
    row = await session.scalar(select(LogCheckpoint).order_by(LogCheckpoint.tree_size.desc()).limit(1))
    return Checkpoint.of(row) if row else None


async def listed(session: AsyncSession, limit: int) -> list[Checkpoint]:
    """The newest checkpoints first."""
    found = await session.scalars(select(LogCheckpoint).order_by(LogCheckpoint.tree_size.desc()).limit(limit))
    return [Checkpoint.of(row) for row in found]


async def everything(session: AsyncSession) -> list[Checkpoint]:
    return [Checkpoint.of(row) for row in await session.scalars(select(LogCheckpoint)
                                                                .order_by(LogCheckpoint.tree_size))]


async def make(session: AsyncSession, key: Ed25519PrivateKey) -> Checkpoint | None:
    """Grow the tree over the records added since the last checkpoint (at most MAX_GROWTH) and sign a checkpoint of
    it; commits. None when nothing was added, or another process is making one right now."""
    locking = session.get_bind().dialect.name == "postgresql"
    if locking and not await session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": CHECKPOINT_LOCK}):
        return None
    previous = await latest(session)
    built = previous.tree_size if previous else 0
    head = await session.scalar(select(LogHead.seq).where(LogHead.id == log.HEAD_ID))
    size = min(head or 0, built + MAX_GROWTH)
    if size <= built:
        await session.rollback()
        return None
    head_hash = await _grow(session, built, size, previous.head_hash if previous else log.GENESIS)
    complete = await fetch(session, merkle.nodes(0, size))
    root = merkle.span_hash(0, size, complete.__getitem__).hex()
    at = utcnow()
    signature = base64.b64encode(key.sign(note(size, root, head_hash, at))).decode("ascii")
    checkpoint = Checkpoint(size, root, head_hash, at, key_id(key), signature)
    session.add(LogCheckpoint(tree_size=size, root_hash=root, head_hash=head_hash, at=at, key_id=checkpoint.key_id,
                              signature=signature))
    await session.commit()
    return checkpoint


async def _grow(session: AsyncSession, built: int, size: int, head_hash: str) -> str:
    """Store the nodes of the complete subtrees that end in leaves built … size−1, once the new records are found to
    chain onto the last checkpoint's head (`head_hash`); the hash of record #size."""
    first = built & ~1  # a level-1 node may pair the last leaf of the built tree with the first new one
    hashes: list[bytes] = []
    async for batch in log.rows(session, first, size, batch=10_000):
        for record in batch:
            text = log.content(record)
            if record.seq > built:
                if record.seq != len(hashes) + first + 1 or log.chain_hash(head_hash, text) != record.hash \
                        or record.previous_hash != head_hash:
                    raise ChainBroken(f"record #{len(hashes) + first + 1} does not chain onto the records before it: "
                                      "no checkpoint is signed until the log is repaired")
                head_hash = record.hash
            hashes.append(merkle.leaf_hash(text))
    if len(hashes) != size - first:
        raise ChainBroken(f"records #{len(hashes) + first + 1} to #{size} are missing")
    start, level, made = first, 0, []
    while (size >> (level + 1)) > (built >> (level + 1)):
        level += 1
        low, high = built >> level, size >> level
        if start > 2 * low:  # the left child of the first new node is an older node of the level below
            older = await fetch(session, [(level - 1, start - 1)])
            hashes, start = [older[(level - 1, start - 1)], *hashes], start - 1
        offset = 2 * low - start
        hashes = [merkle.node_hash(hashes[offset + 2 * k], hashes[offset + 2 * k + 1]) for k in range(high - low)]
        start = low
        made += [{"level": level, "number": low + k, "hash": value} for k, value in enumerate(hashes)]
    for chunk in range(0, len(made), 5000):
        await session.execute(insert(cast(Table, LogNode.__table__)), made[chunk:chunk + 5000])
    return head_hash


async def fetch(session: AsyncSession, wanted: Sequence[merkle.Node]) -> dict[merkle.Node, bytes]:
    """The hashes of these complete subtrees: leaves from the records, higher nodes from exchange_log_nodes."""
    found: dict[merkle.Node, bytes] = {}
    for number in sorted({number for level, number in wanted if level == 0}):
        async for records in log.rows(session, number, number + 1):
            found.update({(0, record.seq - 1): log.leaf(record) for record in records})
    inner = sorted({node for node in wanted if node[0] > 0})
    for chunk in range(0, len(inner), 500):
        rows = await session.execute(select(LogNode.level, LogNode.number, LogNode.hash)
                                     .where(tuple_(LogNode.level, LogNode.number).in_(inner[chunk:chunk + 500])))
        found.update({(level, number): bytes(value) for level, number, value in rows})
    missing = [node for node in wanted if node not in found]
    if missing:
        raise ProofUnavailable(f"the tree has no node {missing[0]} yet")
    return found


async def _span_hashes(session: AsyncSession, spans: Sequence[merkle.Span]) -> list[str]:
    wanted = [node for start, end in spans for node in merkle.nodes(start, end)]
    complete = await fetch(session, wanted)
    return [merkle.span_hash(start, end, complete.__getitem__).hex() for start, end in spans]


async def inclusion_proof(session: AsyncSession, seq: int, tree_size: int) -> list[str]:
    """The audit path of record #seq (leaf seq−1) in the tree of the first tree_size records."""
    if not 1 <= seq <= tree_size:
        raise ProofUnavailable(f"record #{seq} is not among the first {tree_size} records")
    return await _span_hashes(session, merkle.inclusion_spans(seq - 1, tree_size))


async def consistency_proof(session: AsyncSession, old: int, new: int) -> list[str]:
    """The proof that the tree of the first `old` records is the start of the tree of the first `new`."""
    signed = await latest(session)
    if not 0 < old <= new or new > (signed.tree_size if signed else 0):
        raise ProofUnavailable(f"there is no consistency proof from {old} to {new} records: both must be between 1 "
                               "and the newest checkpoint's size, the first not above the second")
    return await _span_hashes(session, merkle.consistency_spans(old, new))


async def covering(session: AsyncSession, seq: int, key: Ed25519PrivateKey) -> Checkpoint:
    """The newest checkpoint, made now if record #seq is newer than it (a checkpoint on demand)."""
    newest = await latest(session)
    while newest is None or newest.tree_size < seq:
        try:
            made = await make(session, key)
        except ChainBroken as exc:
            await session.rollback()
            raise ServiceUnavailable(f"no checkpoint can be signed now, so no proof can be given: {exc}") from exc
        if made is None:  # another process is making one: wait for it
            await asyncio.sleep(0.05)
        newest = await latest(session)
    return newest


async def audit(session: AsyncSession, keys: Sequence[Ed25519PublicKey], given: Sequence[Checkpoint] = (),
                progress: Callable[[int], None] | None = None) -> log.Verification:
    """Verify the log against the checkpoints given (e.g. kept by an auditor) and those Plein stored; each must be
    signed by one of `keys` (the signing key, and those it replaced), or ValueError says which is not."""
    stored = await everything(session)
    for checkpoint in [*given, *stored]:
        if key_for(checkpoint, keys) is None:
            raise ValueError(f"the checkpoint of {checkpoint.timestamp} ({checkpoint.tree_size} records, keyId "
                             f"{checkpoint.key_id}) is not signed by the public key"
                             f"{'s' if len(keys) > 1 else ''} {', '.join(public_key_text(key) for key in keys)}")
    result = await log.verify(session, [checkpoint.expected() for checkpoint in [*given, *stored]], progress)
    if result.failed_checkpoint:
        place = await locate(session, result.failed_checkpoint)
        if place:
            return replace(result, broken_seq=place, reason=f"{result.reason}; the tree nodes Plein stored when it "
                           f"signed point at record #{place} or #{place + 1}")
    return result


async def locate(session: AsyncSession, size: int) -> int | None:
    """Where the first `size` records differ from the tree Plein stored when it signed them: the first record of the
    first pair whose level-1 node no longer matches, found by descending from the largest subtrees. A diagnosis only
    (the stored nodes are the operator's): that the log differs is decided by the signed root alone."""
    for level, number in merkle.nodes(0, size):
        place = await _descend(session, level, number)
        if place:
            return place
    return None


async def _descend(session: AsyncSession, level: int, number: int) -> int | None:
    if level == 0:
        return None  # a leaf has no stored hash of its own: its parent's tells
    stored = await session.scalar(select(LogNode.hash).where(LogNode.level == level, LogNode.number == number))
    if stored is None or bytes(stored) == await _recomputed(session, level, number):
        return None
    if level == 1:
        return 2 * number + 1
    return await _descend(session, level - 1, 2 * number) or await _descend(session, level - 1, 2 * number + 1)


async def _recomputed(session: AsyncSession, level: int, number: int) -> bytes:
    """The hash of complete subtree (level, number) from the records as they are now."""
    tree = merkle.Frontier()
    async for batch in log.rows(session, number << level, (number + 1) << level, batch=10_000):
        for record in batch:
            tree.push(log.leaf(record))
    return tree.root()


@dataclass(frozen=True)
class RecordProof:
    """What a citizen needs to check that one record about them is in the log: its canonical JSON, its place, the
    audit path to the root of a signed checkpoint, and that checkpoint."""

    record: str
    leaf_index: int
    audit_path: list[str]
    checkpoint: Checkpoint


async def record_proof(session: AsyncSession, record_id: str, subject: str, key: Ed25519PrivateKey) -> RecordProof:
    """The inclusion proof of the citizen's own record (NotFound for another's, or one that does not exist)."""
    try:
        wanted = uuid.UUID(record_id)
    except ValueError as exc:
        raise NotFound(f"there is no processing record {record_id!r} about you") from exc
    record = await session.scalar(select(LogRecord).where(LogRecord.id == wanted, LogRecord.subject == subject))
    if record is None:
        raise NotFound(f"there is no processing record {record_id!r} about you")
    return (await _proofs(session, [record], key))[0]


async def proofs_about(session: AsyncSession, subject: str, low: dt.datetime, high: dt.datetime,
                       key: Ed25519PrivateKey) -> list[RecordProof]:
    """The inclusion proofs of every record about the subject from `low` up to `high`, against one checkpoint."""
    records = list(await session.scalars(select(LogRecord).where(LogRecord.subject == subject, LogRecord.at >= low,
                                                                 LogRecord.at < high).order_by(LogRecord.seq)))
    return await _proofs(session, records, key) if records else []


async def _proofs(session: AsyncSession, records: Sequence[LogRecord], key: Ed25519PrivateKey) -> list[RecordProof]:
    checkpoint = await covering(session, max(record.seq for record in records), key)
    return [RecordProof(log.canonical(record).decode("utf-8"), record.seq - 1,
                        await inclusion_proof(session, record.seq, checkpoint.tree_size), checkpoint)
            for record in records]


# --- in the background ---------------------------------------------------------------------------------------------


async def run(sessions: async_sessionmaker[AsyncSession], key: Ed25519PrivateKey, interval: float,
              stop: asyncio.Event) -> None:
    """Make a checkpoint every `interval` seconds while records are added, until stop is set."""
    while not stop.is_set():
        try:
            async with sessions() as session:
                while await make(session, key) is not None and not stop.is_set():
                    pass  # catching up a log that grew by more than MAX_GROWTH
        except Exception:
            logger.exception("making a checkpoint of the processing log failed; trying again")
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)


@asynccontextmanager
async def in_process_checkpoints(app: FastAPI) -> AsyncIterator[None]:
    """Under `plein serve`: the checkpointer in the app's event loop, every PLEIN_LOG_CHECKPOINT_INTERVAL seconds."""
    settings: Settings = app.state.settings
    if not settings.log_checkpoint_interval:
        yield
        return
    key, interval = signing_key(settings), settings.log_checkpoint_interval
    async with loop_while_serving("plein-log-checkpoints", lambda stop: run(app.state.sessions, key, interval, stop)):
        yield
