"""Signed checkpoints of the processing log: proofs that check out with a verifier of our own (tests.exchange.verifier,
apart from plein.exchange.merkle), signatures under the published key, and tampering found."""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from plein.exchange import checkpoints, log, merkle
from plein.exchange.insight import make_citizen_token
from plein.exchange.models import LogRecord
from plein.settings import Settings
from tests.exchange.helpers import JAN, KLAAS, PIET, append_many, bsn, entry, tamper
from tests.exchange.verifier import consistent, included, signature_holds, tree_hash

REFUSED = r"append-only|moves only by an append"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "processing-log.md"

# --- the tree itself -----------------------------------------------------------------------------------------------


def test_proofs_of_every_small_tree_check_out() -> None:
    data = [f"record {n}".encode() for n in range(33)]
    hashes = [merkle.leaf_hash(item) for item in data]

    def proof(spans: list[merkle.Span]) -> list[bytes]:
        return [merkle.span_hash(start, end, lambda node: subtree(*node)) for start, end in spans]

    def subtree(level: int, number: int) -> bytes:
        return tree_hash(data[number << level:(number + 1) << level])

    for size in range(1, len(data) + 1):
        root = tree_hash(data[:size])
        assert merkle.span_hash(0, size, lambda node: subtree(*node)) == root
        frontier = merkle.Frontier()
        for value in hashes[:size]:
            frontier.push(value)
        assert frontier.root() == root
        for index in range(size):
            assert included(data[index], index, size, proof(merkle.inclusion_spans(index, size)), root)
            assert not included(data[index], (index + 1) % size, size, proof(merkle.inclusion_spans(index, size)),
                                root) or size == 1
        for first in range(1, size + 1):
            spans = merkle.consistency_spans(first, size)
            assert consistent(first, size, proof(spans), tree_hash(data[:first]), root)


# --- checkpoints, signatures and proofs over the API ---------------------------------------------------------------


async def sign(session: AsyncSession, settings: Settings) -> checkpoints.Checkpoint:
    made = await checkpoints.make(session, checkpoints.signing_key(settings))
    assert made is not None
    return made


async def test_checkpoints_are_signed_with_the_published_key(client: httpx.AsyncClient, session: AsyncSession,
                                                             settings: Settings) -> None:
    await append_many(session, 5)
    await sign(session, settings)
    assert await checkpoints.make(session, checkpoints.signing_key(settings)) is None  # nothing new: none made
    await append_many(session, 3)
    await sign(session, settings)
    served = (await client.get("/api/inzage/v1/checkpoints")).json()
    assert [c["treeSize"] for c in served["checkpoints"]] == [8, 5]
    records = (await session.scalars(select(LogRecord).order_by(LogRecord.seq))).all()
    for checkpoint in served["checkpoints"]:
        size = checkpoint["treeSize"]
        assert signature_holds(checkpoint, served["publicKey"])
        assert checkpoint["rootHash"] == tree_hash([log.canonical(r) for r in records[:size]]).hex()
        assert checkpoint["headHash"] == records[size - 1].hash
        assert checkpoint["keyId"] == hashlib.sha256(base64.b64decode(served["publicKey"])).hexdigest()[:16]
    forged = {**served["checkpoints"][0], "treeSize": 9}
    assert not signature_holds(forged, served["publicKey"])


async def test_checkpoints_signed_before_the_key_was_replaced_still_verify(
        client: httpx.AsyncClient, session: AsyncSession, settings: Settings, app: FastAPI) -> None:
    await append_many(session, 4)
    old = await sign(session, settings)
    old_public = checkpoints.public_key_text(checkpoints.signing_key(settings))
    replaced = settings.model_copy(update={"log_signing_key": SecretStr(checkpoints.new_key_text()),
                                           "log_previous_public_keys": old_public})
    app.state.settings = replaced
    await append_many(session, 2)
    new = await sign(session, replaced)
    assert new.key_id != old.key_id
    assert (await checkpoints.audit(session, checkpoints.verifying_keys(replaced), (old,))).ok
    with pytest.raises(ValueError, match=f"keyId {old.key_id}"):  # without the old key its checkpoints are not ours
        await checkpoints.audit(session, checkpoints.verifying_keys(replaced)[:1])
    served = (await client.get("/api/inzage/v1/checkpoints")).json()
    assert served["previousKeys"] == [{"publicKey": old_public, "keyId": old.key_id}]
    published = {served["keyId"]: served["publicKey"], old.key_id: old_public}
    assert [c["keyId"] for c in served["checkpoints"]] == [new.key_id, old.key_id]
    assert all(signature_holds(c, published[c["keyId"]]) for c in served["checkpoints"])


def test_a_previous_key_that_is_no_public_key_is_refused() -> None:
    with pytest.raises(ValueError, match="PLEIN_LOG_PREVIOUS_PUBLIC_KEYS: key 2"):
        Settings(log_previous_public_keys=f"{base64.b64encode(bytes(32)).decode()}, bm90IGEga2V5")


async def test_the_signing_key_is_kept_in_the_data_folder_outside_production(settings: Settings) -> None:
    key = checkpoints.signing_key(settings)
    assert (settings.data_dir / checkpoints.KEY_FILE).stat().st_mode & 0o077 == 0
    assert checkpoints.public_key_text(checkpoints.signing_key(settings)) == checkpoints.public_key_text(key)


async def test_a_citizen_gets_a_proof_for_each_record_about_them(client: httpx.AsyncClient, session: AsyncSession,
                                                                 settings: Settings) -> None:
    await append_many(session, 3)
    await log.write(session, [entry(JAN), entry(PIET)])
    await sign(session, settings)
    await append_many(session, 4)
    await log.write(session, [entry(JAN)])  # newer than the newest checkpoint: one is made on demand
    token = make_citizen_token(JAN, settings.secret_key.get_secret_value())
    public_key = (await client.get("/api/inzage/v1/checkpoints")).json()["publicKey"]
    mine = (await session.scalars(select(LogRecord).where(LogRecord.subject == JAN))).all()
    assert len(mine) == 2
    for record in mine:
        response = await client.get(f"/api/inzage/v1/verwerkingen/{record.id}/bewijs",
                                    headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        proof = response.json()
        checkpoint = proof["checkpoint"]
        assert signature_holds(checkpoint, public_key)
        assert proof["leafIndex"] == record.seq - 1 and proof["record"].encode() == log.canonical(record)
        assert included(proof["record"].encode(), proof["leafIndex"], checkpoint["treeSize"],
                        [bytes.fromhex(h) for h in proof["auditPath"]], bytes.fromhex(checkpoint["rootHash"]))
    others = (await session.scalars(select(LogRecord).where(LogRecord.subject == PIET))).all()
    refused = await client.get(f"/api/inzage/v1/verwerkingen/{others[0].id}/bewijs",
                               headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 404
    anonymous = await client.get(f"/api/inzage/v1/verwerkingen/{mine[0].id}/bewijs")
    assert anonymous.status_code == 401


async def test_any_two_checkpoints_are_proven_consistent(client: httpx.AsyncClient, session: AsyncSession,
                                                         settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkpoints, "MAX_GROWTH", 5)  # a checkpoint grows the tree by 5 at most: many steps
    sizes = []
    for count in (1, 2, 1, 4, 8, 3, 13):
        await append_many(session, count)
        while (made := await checkpoints.make(session, checkpoints.signing_key(settings))) is not None:
            sizes.append(made.tree_size)
    assert sizes == [1, 3, 4, 8, 13, 16, 19, 24, 29, 32]
    served = {c["treeSize"]: c for c in (await client.get("/api/inzage/v1/checkpoints")).json()["checkpoints"]}
    for first, second in itertools.combinations_with_replacement(sizes, 2):
        response = await client.get("/api/inzage/v1/checkpoints/consistency", params={"from": first, "to": second})
        assert response.status_code == 200, response.text
        proof = [bytes.fromhex(h) for h in response.json()["proof"]]
        assert consistent(first, second, proof, bytes.fromhex(served[first]["rootHash"]),
                          bytes.fromhex(served[second]["rootHash"])), (first, second)
    beyond = await client.get("/api/inzage/v1/checkpoints/consistency", params={"from": 3, "to": 33})
    assert beyond.status_code == 400 and beyond.json()["invalidParams"][0]["name"] == "to"


# --- tampering -----------------------------------------------------------------------------------------------------


async def audit(session: AsyncSession, settings: Settings,
                given: tuple[checkpoints.Checkpoint, ...] = ()) -> log.Verification:
    return await checkpoints.audit(session, checkpoints.verifying_keys(settings), given)


async def test_deleting_the_newest_records_and_moving_the_head_back_is_found(session: AsyncSession,
                                                                             settings: Settings) -> None:
    await append_many(session, 6)
    kept = await sign(session, settings)
    await append_many(session, 2)
    fourth = await session.scalar(select(LogRecord.hash).where(LogRecord.seq == 4))
    await tamper(session, "DELETE FROM exchange_log WHERE seq > 4", "DELETE FROM exchange_log_checkpoints",
                 f"UPDATE exchange_log_head SET seq = 4, hash = '{fourth}'")
    assert (await log.verify(session)).ok  # the chain alone cannot tell
    result = await audit(session, settings, (kept,))
    assert not result.ok and result.broken_seq == 5
    assert "ends at record #4" in (result.reason or "") and "#5 to #6 are gone" in (result.reason or "")


async def test_a_changed_and_rehashed_log_is_found(session: AsyncSession, settings: Settings) -> None:
    await append_many(session, 3)
    first = await sign(session, settings)
    await append_many(session, 4)
    second = await sign(session, settings)
    records = (await session.scalars(select(LogRecord).order_by(LogRecord.seq))).all()
    statements, previous = [], records[4].previous_hash
    for record in records[4:]:  # change record #5 and recompute every hash after it, and the head
        record.previous_hash = previous
        if record.seq == 5:
            record.subject = KLAAS
        previous = log.record_hash(record)
        statements.append(f"UPDATE exchange_log SET subject = '{record.subject}', previous_hash = "
                          f"'{record.previous_hash}', hash = '{previous}' WHERE seq = {record.seq}")
    await session.rollback()
    await tamper(session, *statements, f"UPDATE exchange_log_head SET hash = '{previous}'")
    assert (await log.verify(session)).ok  # the chain alone cannot tell
    result = await audit(session, settings, (first, second))
    assert not result.ok and result.checkpoint_size == 3
    assert "a record from #4 to #7 was changed" in (result.reason or "")
    assert result.broken_seq == 5 and "nodes Plein stored when it signed point at record #5 or #6" in result.reason


async def test_a_log_changed_before_it_was_signed_is_not_signed(client: httpx.AsyncClient, session: AsyncSession,
                                                              settings: Settings) -> None:
    await append_many(session, 3)
    await sign(session, settings)
    await append_many(session, 3)
    await tamper(session, f"UPDATE exchange_log SET subject = '{KLAAS}' WHERE seq = 5")
    with pytest.raises(checkpoints.ChainBroken, match="record #5 does not chain"):
        await checkpoints.make(session, checkpoints.signing_key(settings))
    await session.rollback()
    assert [c.tree_size for c in await checkpoints.everything(session)] == [3]
    record = await session.scalar(select(LogRecord).where(LogRecord.seq == 6))
    assert record is not None
    token = make_citizen_token(record.subject, settings.secret_key.get_secret_value())
    refused = await client.get(f"/api/inzage/v1/verwerkingen/{record.id}/bewijs",
                               headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 503 and "record #5 does not chain" in refused.json()["detail"]


@pytest.mark.parametrize("table", ["exchange_log", "exchange_log_head", "exchange_log_nodes",
                                   "exchange_log_checkpoints"])
async def test_emptying_a_log_table_is_refused(session: AsyncSession, settings: Settings, table: str) -> None:
    await append_many(session, 3)
    await sign(session, settings)
    postgresql = session.get_bind().dialect.name == "postgresql"
    with pytest.raises(DBAPIError, match=REFUSED):
        await session.execute(text(f"TRUNCATE {table}" if postgresql else f"DELETE FROM {table}"))
    await session.rollback()
    assert (await audit(session, settings)).ok


@pytest.mark.parametrize("change", [
    "UPDATE exchange_log_head SET seq = 2, hash = '{second}'",  # back
    "UPDATE exchange_log_head SET hash = '{second}'",  # another hash
    "UPDATE exchange_log_head SET seq = 5, hash = '{second}'",  # beyond the log
    "DELETE FROM exchange_log_head",
    "INSERT INTO exchange_log_head (id, seq, hash) VALUES (2, 3, '{second}')",
    "UPDATE exchange_log_checkpoints SET tree_size = 2",
    "DELETE FROM exchange_log_checkpoints",
    "UPDATE exchange_log_nodes SET level = 9",
])
async def test_changes_to_the_head_and_checkpoints_are_refused(session: AsyncSession, settings: Settings,
                                                               change: str) -> None:
    await append_many(session, 3)
    await sign(session, settings)
    second = await session.scalar(select(LogRecord.hash).where(LogRecord.seq == 2))
    with pytest.raises(DBAPIError, match=REFUSED):
        await session.execute(text(change.format(second=second)))
    await session.rollback()
    await log.write(session, [entry(bsn("after"))])  # an append still moves the head
    assert (await audit(session, settings)).ok


async def test_the_production_role_appends_and_signs_but_cannot_change_the_log(app: FastAPI,
                                                                               session: AsyncSession,
                                                                               settings: Settings) -> None:
    """The grants docs/processing-log.md gives the production role, on a role of this test's own."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("database roles are PostgreSQL's")
    role = f"plein_log_writer_{os.getpid()}"
    grants = DOCS.read_text("utf-8").split("```sql\n", 1)[1].split("```", 1)[0].replace("plein_app", role)
    async with app.state.engine.connect() as admin:
        await admin.execute(text(f"DROP ROLE IF EXISTS {role}"))
        await admin.execute(text(f"CREATE ROLE {role} NOLOGIN"))
        for statement in filter(str.strip, grants.split(";")):
            await admin.execute(text(statement))
        await admin.commit()
    async with app.state.engine.connect() as connection:
        await connection.execute(text(f"SET ROLE {role}"))
        await connection.commit()
        try:
            async with AsyncSession(bind=connection) as restricted:
                await append_many(restricted, 3)
                await sign(restricted, settings)
                for statement in ("UPDATE exchange_log SET subject = 'x'", "DELETE FROM exchange_log",
                                  "TRUNCATE exchange_log", "TRUNCATE exchange_log_head",
                                  "DELETE FROM exchange_log_head", "DELETE FROM exchange_log_checkpoints",
                                  "UPDATE exchange_log_nodes SET level = 9"):
                    with pytest.raises(DBAPIError, match="permission denied"):
                        await restricted.execute(text(statement))
                    await restricted.rollback()
                with pytest.raises(DBAPIError, match="moves only by an append"):
                    await restricted.execute(text("UPDATE exchange_log_head SET seq = 1"))
                await restricted.rollback()
        finally:
            await connection.execute(text("RESET ROLE"))
            await connection.commit()
    async with app.state.engine.connect() as admin:
        await admin.execute(text(f"DROP OWNED BY {role}"))
        await admin.execute(text(f"DROP ROLE {role}"))
        await admin.commit()
    result = await audit(session, settings)
    assert result.ok and result.records == 3 and result.checkpoint_size == 3
