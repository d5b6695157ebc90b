"""An independent verifier of the processing log's proofs and checkpoints, written from RFC 9162 (§2.1.1 tree hash,
§2.1.3.2 inclusion, §2.1.4.2 consistency) and docs/processing-log.md, apart from the code under test."""

from __future__ import annotations

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def tree_hash(leaves: list[bytes]) -> bytes:
    """MTH over leaf data, straight from the definition (RFC 9162 §2.1.1)."""
    if not leaves:
        return sha(b"")
    if len(leaves) == 1:
        return sha(b"\x00" + leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return sha(b"\x01" + tree_hash(leaves[:k]) + tree_hash(leaves[k:]))


def included(leaf: bytes, index: int, size: int, path: list[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, sha(b"\x00" + leaf)
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = sha(b"\x01" + p + r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = sha(b"\x01" + r + p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def consistent(first: int, second: int, proof: list[bytes], first_hash: bytes, second_hash: bytes) -> bool:
    """RFC 9162 §2.1.4.2 (equal sizes: an empty proof and equal roots)."""
    if first == second:
        return not proof and first_hash == second_hash
    if not proof or not 0 < first < second:
        return False
    if first & (first - 1) == 0:
        proof = [first_hash, *proof]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = sha(b"\x01" + c + fr), sha(b"\x01" + c + sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = sha(b"\x01" + sr + c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_hash and sr == second_hash and sn == 0


def note_of(checkpoint: dict[str, object]) -> bytes:
    """The signed text as docs/processing-log.md describes it."""
    return ("plein-processing-log/v1\n{treeSize}\n{rootHash}\n{headHash}\n{timestamp}\n"
            .format(**checkpoint).encode("ascii"))


def signature_holds(checkpoint: dict[str, object], public_key: str) -> bool:
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key))
    try:
        key.verify(base64.b64decode(str(checkpoint["signature"])), note_of(checkpoint))
    except InvalidSignature:
        return False
    return True


