"""The transparency log: stored hash indexes, tree hashes against RFC 6962's definition, tiles, records."""

from __future__ import annotations

import hashlib

import pytest

from pytest_goenv.modules.sumdb.tlog import (
    EMPTY_TREE_HASH,
    HASH_SIZE,
    Log,
    Tile,
    TlogError,
    format_record,
    format_tree,
    new_tiles,
    node_hash,
    parse_tree,
    record_hash,
    split_stored_hash_index,
    stored_hash_count,
    stored_hash_index,
    tile_for_index,
)


def merkle_tree_hash(leaves: list[bytes]) -> bytes:
    """RFC 6962 section 2.1, written out as the definition, to check the stored-hash arithmetic."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    left, right = merkle_tree_hash(leaves[:k]), merkle_tree_hash(leaves[k:])
    return hashlib.sha256(b"\x01" + left + right).digest()


def records(n: int) -> list[bytes]:
    return [f"example.com/m{i} v1.0.0 h1:x\n".encode() for i in range(n)]


def filled_log(n: int) -> Log:
    log = Log()
    for i, text in enumerate(records(n)):
        assert log.append(text) == i
    return log


def test_stored_hash_index_small_values() -> None:
    # Record 0: leaf at 0; record 1: leaf at 1, its parent at 2; record 2: leaf at 3; record 3: 4, 5, 6.
    assert [stored_hash_index(0, n) for n in range(5)] == [0, 1, 3, 4, 7]
    assert stored_hash_index(1, 0) == 2
    assert stored_hash_index(1, 1) == 5
    assert stored_hash_index(2, 0) == 6
    assert [stored_hash_count(n) for n in range(6)] == [0, 1, 3, 4, 7, 8]


def test_split_stored_hash_index_inverts_stored_hash_index() -> None:
    for level in range(6):
        for n in range(200):
            assert split_stored_hash_index(stored_hash_index(level, n)) == (level, n)
    for index in range(stored_hash_count(300)):
        assert stored_hash_index(*split_stored_hash_index(index)) == index


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 255, 256, 257, 513, 700])
def test_tree_hash_matches_rfc6962_definition(size: int) -> None:
    log = filled_log(size)
    assert len(log) == size
    assert log.tree_hash() == merkle_tree_hash(records(size))
    # Every earlier tree stays computable from the append-only storage.
    for smaller in {0, min(size, 1), size // 2, max(size - 1, 0)}:
        assert log.tree_hash(smaller) == merkle_tree_hash(records(smaller))


def test_empty_tree_and_leaf_hashes() -> None:
    assert Log().tree_hash() == EMPTY_TREE_HASH
    assert record_hash(b"a") == hashlib.sha256(b"\x00a").digest()
    assert node_hash(b"l", b"r") == hashlib.sha256(b"\x01lr").digest()
    with pytest.raises(TlogError, match="no tree of size 2"):
        filled_log(1).tree_hash(2)


@pytest.mark.parametrize(
    ("tile", "path"),
    [
        (Tile(8, 0, 0, 256), "tile/8/0/000"),
        (Tile(8, 0, 0, 5), "tile/8/0/000.p/5"),
        (Tile(8, 1, 1234, 256), "tile/8/1/x001/234"),
        (Tile(3, 4, 1234067, 1), "tile/3/4/x001/x234/067.p/1"),
        (Tile(8, -1, 2, 17), "tile/8/data/002.p/17"),
    ],
)
def test_tile_paths_round_trip(tile: Tile, path: str) -> None:
    assert tile.path == path
    assert Tile.parse(path) == tile


@pytest.mark.parametrize(
    "path",
    [
        "tile/8/0",
        "tile/8/0/1",
        "tile/8/0/000.p/256",
        "tile/8/0/000.p/0",
        "tile/0/0/000",
        "tile/8/0/x000/001",
        "tile/8/-1/000",
        "lookup/8/0/000",
        "tile/8/0/000.p/",
    ],
)
def test_malformed_tile_paths_are_refused(path: str) -> None:
    with pytest.raises(TlogError, match="malformed tile path"):
        Tile.parse(path)


def hashes_of(tile_bytes: bytes) -> list[bytes]:
    return [tile_bytes[i : i + HASH_SIZE] for i in range(0, len(tile_bytes), HASH_SIZE)]


def test_level0_tiles_hold_leaf_hashes_and_partial_tiles_their_prefix() -> None:
    log = filled_log(300)
    full = hashes_of(log.tile(Tile(8, 0, 0, 256)))
    assert full == [record_hash(r) for r in records(256)]
    partial = hashes_of(log.tile(Tile(8, 0, 1, 44)))
    assert partial == [record_hash(r) for r in records(300)[256:]]
    assert hashes_of(log.tile(Tile(8, 0, 1, 3))) == partial[:3]


def test_level1_tile_holds_roots_of_full_level0_tiles() -> None:
    log = filled_log(513)
    level1 = hashes_of(log.tile(Tile(8, 1, 0, 2)))
    assert level1 == [merkle_tree_hash(records(513)[0:256]), merkle_tree_hash(records(513)[256:512])]
    with pytest.raises(TlogError, match="beyond the log"):
        log.tile(Tile(8, 1, 0, 3))


def test_tree_hash_can_be_rebuilt_from_the_new_tiles() -> None:
    """What a client does: fetch the tiles new_tiles names and recompute the signed root from them."""
    size = 600
    log = filled_log(size)
    tiles = {(t.level, t.number): hashes_of(log.tile(t)) for t in new_tiles(8, 0, size)}
    assert sorted(tiles) == [(0, 0), (0, 1), (0, 2), (1, 0)]
    assert len(tiles[(0, 2)]) == size - 512
    assert len(tiles[(1, 0)]) == 2
    # The tree of 600 = 512 + 64 + 16 + 8 records: left subtree from the level-1 tile,
    # the rest from the partial level-0 tile.
    leaves = tiles[(0, 2)]
    assert merkle_tree_hash(records(size)[512:]) == _root_of_leaf_hashes(leaves)
    left = node_hash(tiles[(1, 0)][0], tiles[(1, 0)][1])
    assert node_hash(left, _root_of_leaf_hashes(leaves)) == log.tree_hash()


def _root_of_leaf_hashes(leaves: list[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(_root_of_leaf_hashes(leaves[:k]), _root_of_leaf_hashes(leaves[k:]))


def test_new_tiles_lists_only_changed_tiles() -> None:
    assert new_tiles(8, 0, 0) == []
    assert new_tiles(8, 0, 3) == [Tile(8, 0, 0, 3)]
    assert new_tiles(8, 3, 5) == [Tile(8, 0, 0, 5)]
    assert new_tiles(8, 255, 256) == [Tile(8, 0, 0, 256), Tile(8, 1, 0, 1)]
    assert new_tiles(8, 256, 257) == [Tile(8, 0, 1, 1)]


def test_tile_for_index_finds_the_tile_holding_a_hash() -> None:
    assert tile_for_index(8, stored_hash_index(0, 0)) == Tile(8, 0, 0, 1)
    assert tile_for_index(8, stored_hash_index(0, 300)) == Tile(8, 0, 1, 45)
    # A level-1 hash inside a level-0 tile is recomputed from two leaves of that tile.
    assert tile_for_index(8, stored_hash_index(1, 3)) == Tile(8, 0, 0, 8)
    assert tile_for_index(8, stored_hash_index(8, 1)) == Tile(8, 1, 0, 2)


def test_data_tiles_hold_records_each_followed_by_a_blank_line() -> None:
    log = filled_log(3)
    assert log.tile(Tile(8, -1, 0, 2)) == records(3)[0] + b"\n" + records(3)[1] + b"\n"
    with pytest.raises(TlogError, match="beyond the log of 3 records"):
        log.tile(Tile(8, -1, 0, 4))


def test_tree_note_text_round_trips() -> None:
    root = hashlib.sha256(b"root").digest()
    text = format_tree(7, root)
    assert text.splitlines()[:2] == ["go.sum database tree", "7"]
    assert parse_tree(text) == (7, root)
    for bad in ["go.sum database tree\n07\n" + text.split("\n")[2] + "\n", "tree\n7\nAAAA\n", text[:-30]]:
        with pytest.raises(TlogError, match="malformed tree note"):
            parse_tree(bad)


def test_records_are_formatted_with_id_and_blank_line() -> None:
    assert format_record(4, b"a v1 h1:x\na v1/go.mod h1:y\n") == b"4\na v1 h1:x\na v1/go.mod h1:y\n\n"
    for bad in [b"no newline", b"blank\n\nline\n", b"ctrl\x07\n", b"\xff\n"]:
        with pytest.raises(TlogError, match="malformed record"):
            format_record(0, bad)
    with pytest.raises(TlogError, match="malformed record"):
        Log().append(b"x")
