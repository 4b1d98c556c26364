"""A tamper-evident log (RFC 6962 Merkle tree) stored and served as tiles, as x/mod/sumdb/tlog defines it.

Hashes are kept in the "stored hash index" order: record n's leaf hash is followed by the hashes of
the subtrees it completes, so the log only ever appends.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from pytest_goenv.base.errors import GoenvError

HASH_SIZE = 32
TILE_HEIGHT = 8
"""The tile height the go command asks for."""

EMPTY_TREE_HASH = hashlib.sha256(b"").digest()
TREE_NOTE_HEADER = "go.sum database tree\n"


class TlogError(GoenvError, ValueError):
    """A tile path, a record or a tree is malformed, or asks for what the log does not hold."""


def record_hash(data: bytes) -> bytes:
    """The leaf hash of a record: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def stored_hash_index(level: int, n: int) -> int:
    """Where the n'th hash at ``level`` sits in the log's linear hash storage."""
    for _ in range(level):
        n = 2 * n + 1
    index = 0
    while n > 0:
        index += n
        n >>= 1
    return index + level


def split_stored_hash_index(index: int) -> tuple[int, int]:
    """The (level, n) coordinates of a stored hash index; the inverse of stored_hash_index."""
    n = index // 2
    index_n = stored_hash_index(0, n)
    while True:
        following = index_n + 1 + _trailing_zeros(n + 1)
        if following > index:
            break
        n += 1
        index_n = following
    level = index - index_n
    return level, n >> level


def stored_hash_count(n: int) -> int:
    """How many hashes a log of ``n`` records stores."""
    if n == 0:
        return 0
    count = stored_hash_index(0, n - 1) + 1
    i = n - 1
    while i & 1:
        count += 1
        i >>= 1
    return count


def _trailing_zeros(n: int) -> int:
    return (n & -n).bit_length() - 1


def _largest_power_of_two_below(n: int) -> tuple[int, int]:
    """The largest k = 2**level with k < n, and level (n >= 2)."""
    level = (n - 1).bit_length() - 1
    return 1 << level, level


@dataclass(frozen=True)
class Tile:
    """A tile: ``width`` consecutive hashes at tree level ``height * level`` from ``number * 2**height``.

    Level -1 is the data tile, which holds the records themselves.
    """

    height: int
    level: int
    number: int
    width: int

    @property
    def full(self) -> bool:
        return self.width == 1 << self.height

    @property
    def path(self) -> str:
        """The coordinate path: ``tile/H/L/x001/x234/067[.p/W]`` (``data`` for level -1)."""
        digits = f"{self.number % 1000:03d}"
        rest = self.number // 1000
        while rest > 0:
            digits = f"x{rest % 1000:03d}/{digits}"
            rest //= 1000
        level = "data" if self.level == -1 else str(self.level)
        partial = "" if self.full else f".p/{self.width}"
        return f"tile/{self.height}/{level}/{digits}{partial}"

    @classmethod
    def parse(cls, path: str) -> Tile:
        """Parse a tile coordinate path; raise TlogError if it is not the canonical form."""
        match = re.fullmatch(r"tile/(\d+)/(data|\d+)/((?:x\d{3}/)*\d{3})(?:\.p/(\d+))?", path)
        if match is None:
            raise TlogError(f"malformed tile path {path!r}: want tile/H/L/NNN or tile/H/L/NNN.p/W")
        height = int(match[1])
        level = -1 if match[2] == "data" else int(match[2])
        number = int(match[3].replace("x", "").replace("/", ""))
        if not 1 <= height <= 30 or level > 63:
            raise TlogError(f"malformed tile path {path!r}: height or level out of range")
        width = int(match[4]) if match[4] is not None else 1 << height
        if not 1 <= width <= 1 << height:
            raise TlogError(f"malformed tile path {path!r}: width out of range")
        tile = cls(height, level, number, width)
        if tile.path != path:
            raise TlogError(f"malformed tile path {path!r}: the canonical form is {tile.path!r}")
        return tile


def tile_for_index(height: int, index: int) -> Tile:
    """The narrowest tile of ``height`` that holds (or lets one recompute) the stored hash ``index``."""
    level, n = split_stored_hash_index(index)
    tile_level = level // height
    level -= tile_level * height
    number = (n << level) >> height
    n -= (number << height) >> level
    return Tile(height, tile_level, number, (n + 1) << level)


def new_tiles(height: int, old_size: int, new_size: int) -> list[Tile]:
    """The hash tiles that change when the log grows from ``old_size`` to ``new_size`` records."""
    tiles: list[Tile] = []
    level = 0
    while new_size >> (height * level) > 0:
        old_n = old_size >> (height * level)
        new_n = new_size >> (height * level)
        if old_n != new_n:
            tiles.extend(Tile(height, level, n, 1 << height) for n in range(old_n >> height, new_n >> height))
            number = new_n >> height
            width = new_n - (number << height)
            if width > 0:
                tiles.append(Tile(height, level, number, width))
        level += 1
    return tiles


def format_tree(size: int, root: bytes) -> str:
    """The text of a signed tree head: header line, record count, base64 root hash."""
    return f"{TREE_NOTE_HEADER}{size}\n{base64.b64encode(root).decode()}\n"


def parse_tree(text: str) -> tuple[int, bytes]:
    """The (size, root hash) of a tree head text; raise TlogError if it is malformed."""
    lines = text.split("\n")
    if not text.startswith(TREE_NOTE_HEADER) or len(lines) < 4 or not re.fullmatch(r"0|[1-9]\d*", lines[1]):
        raise TlogError(f"malformed tree note {text[:80]!r}")
    try:
        root = base64.b64decode(lines[2], validate=True)
    except ValueError:
        root = b""
    if len(root) != HASH_SIZE:
        raise TlogError(f"malformed tree note {text[:80]!r}: bad root hash")
    return int(lines[1]), root


def check_record_text(text: bytes) -> bytes:
    """Return ``text`` if it is valid record text (UTF-8, lines ending in newline, no blank lines)."""
    try:
        decoded = text.decode()
    except UnicodeDecodeError:
        raise TlogError("malformed record: not valid UTF-8") from None
    if not decoded.endswith("\n") or "\n\n" in decoded or decoded.startswith("\n"):
        raise TlogError(f"malformed record {decoded!r}: want non-blank lines, each ending in newline")
    if any(ch < " " and ch != "\n" for ch in decoded):
        raise TlogError(f"malformed record {decoded!r}: control characters are not allowed")
    return text


def format_record(record_id: int, text: bytes) -> bytes:
    """A record as a lookup answers it: its id, its text, then a blank line."""
    return f"{record_id}\n".encode() + check_record_text(text) + b"\n"


class Log:
    """An in-memory, append-only transparency log of records, safe to use from several threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[bytes] = []
        self._hashes: list[bytes] = []

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def append(self, text: bytes) -> int:
        """Add a record; its id (the log's size before it)."""
        check_record_text(text)
        with self._lock:
            n = len(self._records)
            leaf = record_hash(text)
            new = [leaf]
            for i in range(_trailing_zeros(n + 1)):
                leaf = node_hash(self._hashes[stored_hash_index(i, (n >> i) - 1)], leaf)
                new.append(leaf)
            self._records.append(text)
            self._hashes.extend(new)
            return n

    def record(self, record_id: int) -> bytes:
        """The text of record ``record_id``."""
        with self._lock:
            if not 0 <= record_id < len(self._records):
                raise TlogError(f"record {record_id} is not in the log of {len(self._records)} records")
            return self._records[record_id]

    def tree_hash(self, size: int | None = None) -> bytes:
        """The root hash of the tree of the first ``size`` records (default: all of them)."""
        with self._lock:
            if size is None:
                size = len(self._records)
            if not 0 <= size <= len(self._records):
                raise TlogError(f"no tree of size {size} in a log of {len(self._records)} records")
            if size == 0:
                return EMPTY_TREE_HASH
            subtrees: list[bytes] = []
            low = 0
            while low < size:
                k, level = _largest_power_of_two_below(size - low + 1)
                subtrees.append(self._hashes[stored_hash_index(level, low >> level)])
                low += k
            root = subtrees[-1]
            for left in reversed(subtrees[:-1]):
                root = node_hash(left, root)
            return root

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        """The stored hashes at ``indexes``."""
        with self._lock:
            for index in indexes:
                if not 0 <= index < len(self._hashes):
                    raise TlogError(f"hash index {index} is not in the log ({len(self._hashes)} stored)")
            return [self._hashes[i] for i in indexes]

    def tile(self, tile: Tile) -> bytes:
        """The bytes of a tile: hashes concatenated, or for a data tile, records each followed by a blank line.

        Raises TlogError if the log does not yet hold all of the tile (the server answers 404).
        """
        start = tile.number << tile.height
        with self._lock:
            size = len(self._records)
        if tile.level == -1:
            if start + tile.width > size:
                raise TlogError(f"{tile.path} is beyond the log of {size} records")
            return b"".join(self.record(start + i) + b"\n" for i in range(tile.width))
        level = tile.height * tile.level
        if (start + tile.width) << level > size:
            raise TlogError(f"{tile.path} is beyond the log of {size} records")
        indexes = [stored_hash_index(level, start + i) for i in range(tile.width)]
        return b"".join(self.read_hashes(indexes))
