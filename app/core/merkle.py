"""RFC 6962 Merkle trees over raw SHA-256 leaf hashes, with the RFC 9162 section 2.1 algorithms.

``leaf_hash(data) = H(0x00 || data)``, ``node_hash(l, r) = H(0x01 || l || r)``, the split at
the largest power of two below n, and ``H("")`` for the empty tree. Proofs are lists of 32-byte
hashes in the RFC's order (inclusion: the leaf's sibling first; consistency: SUBPROOF order).
The same proofs come from a log's stored perfect subtrees (``Frontier``, ``inclusion_ranges``,
``consistency_ranges``, ``range_root``) in O(log n) hashes, without the leaves. Re-exported by ``app.core.tlog``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from hashlib import sha256


def leaf_hash(data: bytes) -> bytes:
    """``H(0x00 || data)``, the hash of a leaf's data."""
    return sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``H(0x01 || left || right)``, an interior node."""
    return sha256(b"\x01" + left + right).digest()


def empty_root() -> bytes:
    """The root of the empty tree, ``H("")``."""
    return sha256(b"").digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes, in one pass keeping the perfect subtrees on a stack."""
    if not leaves:
        return empty_root()
    stack: list[tuple[int, bytes]] = []  # (height, hash), heights strictly decreasing
    for leaf in leaves:
        stack.append((0, leaf))
        while len(stack) > 1 and stack[-1][0] == stack[-2][0]:
            (h, right), (_, left) = stack.pop(), stack.pop()
            stack.append((h + 1, node_hash(left, right)))
    acc = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        acc = node_hash(left, acc)
    return acc


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 section 2.1.3.1 for the leaf at ``index``."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"index {index} is outside a tree of {len(leaves)} leaves")
    path: list[bytes] = []
    lo, hi = 0, len(leaves)
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            path.append(merkle_root(leaves[lo + k : hi]))
            hi = lo + k
        else:
            path.append(merkle_root(leaves[lo : lo + k]))
            lo += k
    return path[::-1]


def consistency_proof(old_size: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 section 2.1.4.1, from ``old_size`` to ``len(leaves)``.

    Empty when ``old_size`` is 0 or the whole tree (tlog-witness sends no lines then).
    """
    n = len(leaves)
    if not 0 <= old_size <= n:
        raise ValueError(f"cannot prove {old_size} leaves consistent with {n}")
    if old_size in (0, n):
        return []

    def subproof(m: int, lo: int, hi: int, whole: bool) -> list[bytes]:
        if m == hi - lo:
            return [] if whole else [merkle_root(leaves[lo:hi])]
        k = _split(hi - lo)
        if m <= k:
            return subproof(m, lo, lo + k, whole) + [merkle_root(leaves[lo + k : hi])]
        return subproof(m - k, lo + k, hi, False) + [merkle_root(leaves[lo : lo + k])]

    return subproof(old_size, 0, n, True)


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 section 2.1.3.2: does ``proof`` lead from ``leaf`` at ``index`` to ``root``?"""
    if not 0 <= index < size or any(len(h) != 32 for h in (leaf, root, *proof)):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 section 2.1.4.2: is the tree ``old_root`` of ``old_size`` a prefix of ``new_root``?

    As tlog-witness asks: from size 0 the proof is empty (the empty tree is a prefix of every
    tree); between equal sizes it is empty and the roots are equal.
    """
    if not 0 <= old_size <= new_size or any(len(h) != 32 for h in (old_root, new_root, *proof)):
        return False
    if old_size == 0:
        empty_new = new_size > 0 or new_root == old_root
        return not proof and old_root == empty_root() and empty_new
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # an exact power of two: the old root is a node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


# --- stored trees: perfect subtrees by (level, index), and the frontier of a growing log --------
#
# A log that grows one leaf at a time keeps every perfect subtree it completes: the subtree of
# ``2**level`` leaves starting at leaf ``index * 2**level`` is the node ``(level, index)``. Each
# append completes the leaf and at most log2(n) parents. Every hash a proof needs is the root of
# a range ``[lo, hi)`` of the RFC 6962 tree, and such a range is a few perfect subtrees (one per
# set bit of ``hi - lo``), so proofs and roots read O(log n) stored nodes instead of n leaves.


def node_number(level: int, index: int) -> int:
    """A single integer for the node ``(level, index)``: its position in an in-order walk."""
    return (index << (level + 1)) + (1 << level) - 1


def perfect_parts(lo: int, hi: int) -> list[tuple[int, int]]:
    """The range ``[lo, hi)`` as the perfect subtrees ``(level, index)`` it splits into, largest first.

    Every range an RFC 6962 tree splits into (a subtree, a proof step) starts on a multiple of
    its largest part; anything else raises ValueError.
    """
    if not 0 <= lo < hi:
        raise ValueError(f"[{lo}, {hi}) is not a range of leaves")
    parts = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        if lo & ((1 << level) - 1):
            raise ValueError(f"[{lo}, {hi}) is not a subtree of an RFC 6962 tree")
        parts.append((level, lo >> level))
        lo += 1 << level
    return parts


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose roots make PATH(index, D[size]), in the proof's order (leaf's sibling first)."""
    if not 0 <= index < size:
        raise ValueError(f"index {index} is outside a tree of {size} leaves")
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    return ranges[::-1]


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The ranges whose roots make PROOF(old_size, D[new_size]), in SUBPROOF order."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"cannot prove {old_size} leaves consistent with {new_size}")
    if old_size in (0, new_size):
        return []

    def subproof(m: int, lo: int, hi: int, whole: bool) -> list[tuple[int, int]]:
        if m == hi - lo:
            return [] if whole else [(lo, hi)]
        k = _split(hi - lo)
        if m <= k:
            return subproof(m, lo, lo + k, whole) + [(lo + k, hi)]
        return subproof(m - k, lo + k, hi, False) + [(lo, lo + k)]

    return subproof(old_size, 0, new_size, True)


def parts_of(ranges: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
    """Every stored node that the roots of ``ranges`` are made of."""
    return {part for lo, hi in ranges for part in perfect_parts(lo, hi)}


def range_root(lo: int, hi: int, nodes: Mapping[tuple[int, int], bytes]) -> bytes:
    """MTH(D[lo:hi]) from the stored perfect subtrees (KeyError when one is missing)."""
    hashes = [nodes[part] for part in perfect_parts(lo, hi)]
    acc = hashes[-1]
    for left in reversed(hashes[:-1]):
        acc = node_hash(left, acc)
    return acc


def proof_of(
    ranges: Sequence[tuple[int, int]], nodes: Mapping[tuple[int, int], bytes]
) -> list[bytes]:
    """The roots of ``ranges`` (from ``inclusion_ranges`` or ``consistency_ranges``): the proof."""
    return [range_root(lo, hi, nodes) for lo, hi in ranges]


def tree_root(size: int, nodes: Mapping[tuple[int, int], bytes]) -> bytes:
    """MTH(D[size]) from the stored nodes (``perfect_parts(0, size)`` of them)."""
    return range_root(0, size, nodes) if size else empty_root()


class Frontier:
    """The compact range ``[0, size)`` of a log: one perfect subtree root per set bit of ``size``.

    Enough to append a leaf (learning which nodes it completes) and to give the root, in
    O(log n) hashes, without the leaves.
    """

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()):
        if size < 0 or len(hashes) != size.bit_count():
            raise ValueError(f"a frontier of {size} leaves has {size.bit_count()} hashes")
        self.size = size
        self.hashes = list(hashes)

    @classmethod
    def of(cls, leaves: Sequence[bytes]) -> Frontier:
        frontier = cls()
        for leaf in leaves:
            frontier.append(leaf)
        return frontier

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add the next leaf; returns the nodes ``(level, index, hash)`` it completes, leaf first."""
        index, level, acc = self.size, 0, leaf
        made = [(0, index, leaf)]
        while index & 1:  # a right child: it completes its parent with the frontier's last subtree
            acc = node_hash(self.hashes.pop(), acc)
            index >>= 1
            level += 1
            made.append((level, index, acc))
        self.hashes.append(acc)
        self.size += 1
        return made

    def root(self) -> bytes:
        """MTH of the leaves so far."""
        if not self.hashes:
            return empty_root()
        acc = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            acc = node_hash(left, acc)
        return acc

    def parts(self) -> list[tuple[int, int]]:
        """The ``(level, index)`` of each hash, largest first (``perfect_parts(0, size)``)."""
        return perfect_parts(0, self.size) if self.size else []
