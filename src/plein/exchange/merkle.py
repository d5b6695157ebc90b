"""The processing log as a Merkle tree (RFC 9162 §2.1): leaf and node hashes, and which subtrees make a root, an
inclusion proof and a consistency proof. Pure functions: where the hashes come from is the caller's business."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

Node = tuple[int, int]  # (level, index): the complete subtree over leaves index·2^level … (index+1)·2^level − 1
Span = tuple[int, int]  # [start, end): the leaves a hash in a proof covers

LEAF_PREFIX, NODE_PREFIX = b"\x00", b"\x01"  # domain separation: no leaf hash can pass for a node hash


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data): the hash of one record (its canonical JSON) as a leaf."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): the hash of an inner node."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split(size: int) -> int:
    """The largest power of two smaller than size (size > 1): where RFC 9162 splits a list of leaves."""
    return 1 << ((size - 1).bit_length() - 1)


def nodes(start: int, end: int) -> list[Node]:
    """The complete subtrees whose hashes make the hash of leaves [start, end), left to right. The span is one that
    RFC 9162's recursion produces, so each subtree starts at a multiple of its own size."""
    size = end - start
    if size & (size - 1) == 0:
        level = size.bit_length() - 1
        return [(level, start >> level)]
    middle = start + split(size)
    return nodes(start, middle) + nodes(middle, end)


def span_hash(start: int, end: int, complete: Callable[[Node], bytes]) -> bytes:
    """MTH(D[start:end]) from the hashes of complete subtrees (see `nodes`); the empty tree hashes the empty string."""
    size = end - start
    if size == 0:
        return hashlib.sha256(b"").digest()
    if size & (size - 1) == 0:
        level = size.bit_length() - 1
        return complete((level, start >> level))
    middle = start + split(size)
    return node_hash(span_hash(start, middle, complete), span_hash(middle, end, complete))


def inclusion_spans(index: int, size: int) -> list[Span]:
    """The audit path of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1), as spans, leaf side first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    path: list[Span] = []
    start, end = 0, size
    while end - start > 1:
        middle = start + split(end - start)
        if index < middle:
            path.append((middle, end))
            end = middle
        else:
            path.append((start, middle))
            start = middle
    return path[::-1]


def consistency_spans(old: int, new: int) -> list[Span]:
    """The consistency proof between the trees of `old` and `new` leaves (RFC 9162 §2.1.4.1), as spans."""
    if not 0 <= old <= new:
        raise ValueError(f"a tree of {old} leaves cannot be the start of one of {new}")
    if old in (0, new):
        return []
    proof: list[Span] = []
    start, end, whole = 0, new, True
    while end != old:
        middle = start + split(end - start)
        if old <= middle:
            proof.append((middle, end))
            end = middle
        else:
            proof.append((start, middle))
            start = middle
            whole = False
    if not whole:
        proof.append((start, end))
    return proof[::-1]


class Frontier:
    """The right edge of a tree being built leaf by leaf: the roots of its complete subtrees, largest first. Pushing a
    leaf costs one node hash on average; `root` folds the edge into the tree's hash at any moment."""

    __slots__ = ("edge", "size")

    def __init__(self) -> None:
        self.edge: list[bytes] = []
        self.size = 0

    def push(self, leaf: bytes) -> None:
        node, size = leaf, self.size
        while size & 1:
            node = node_hash(self.edge.pop(), node)
            size >>= 1
        self.edge.append(node)
        self.size += 1

    def root(self) -> bytes:
        if not self.edge:
            return hashlib.sha256(b"").digest()
        node = self.edge[-1]
        for left in reversed(self.edge[:-1]):
            node = node_hash(left, node)
        return node
