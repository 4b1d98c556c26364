"""The checksum database without the go command: records, responses, errors and the HTTP server."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest

from pytest_goenv.modules.sumdb.database import (
    DEFAULT_NAME,
    ChecksumDatabase,
    SumDBError,
    UnknownModuleError,
)
from pytest_goenv.modules.sumdb.note import SignerKey, VerifierKey, open_note
from pytest_goenv.modules.sumdb.tlog import HASH_SIZE, Log, parse_tree, record_hash

H1 = "h1:" + "A" * 43 + "="
H1_MOD = "h1:" + "B" * 43 + "="


@dataclass(frozen=True)
class FakeModule:
    path: str
    version: str
    h1: str = H1
    h1_mod: str = H1_MOD


@dataclass
class FakeSource:
    held: list[FakeModule]

    def modules(self) -> list[FakeModule]:
        return self.held


@pytest.fixture
def db() -> ChecksumDatabase:
    source = FakeSource([FakeModule("example.com/a", "v1.0.0"), FakeModule("github.com/Foo/Bar", "v1.2.0-RC1")])
    return ChecksumDatabase(source)


def open_tree(db: ChecksumDatabase, message: bytes) -> tuple[int, bytes]:
    return parse_tree(open_note(message, [VerifierKey.parse(db.verifier_key)]).text)


def test_key_name_and_gosumdb_value(db: ChecksumDatabase) -> None:
    assert db.name == DEFAULT_NAME
    assert VerifierKey.parse(db.verifier_key).name == DEFAULT_NAME
    try:
        key, url = db.gosumdb.split(" ")
        assert key == db.verifier_key
        assert url.startswith("http://127.0.0.1:")
    finally:
        db.close()


def test_lookup_answers_record_then_signed_tree_holding_it(db: ChecksumDatabase) -> None:
    status, content_type, body = db.handle("/lookup/example.com/a@v1.0.0")
    assert (status, content_type) == (200, "text/plain; charset=utf-8")
    record, _, note = body.partition(b"\n\n")
    assert record.decode().splitlines() == [
        "0",
        f"example.com/a v1.0.0 {H1}",
        f"example.com/a v1.0.0/go.mod {H1_MOD}",
    ]
    size, root = open_tree(db, note)
    assert size == 1
    assert root == record_hash(record.split(b"\n", 1)[1] + b"\n")
    assert db.lookups == ["example.com/a@v1.0.0"]


def test_lookup_unescapes_upper_case_paths_and_versions(db: ChecksumDatabase) -> None:
    status, _, body = db.handle("/lookup/github.com/!foo/!bar@v1.2.0-!r!c1")
    assert status == 200
    assert b"github.com/Foo/Bar v1.2.0-RC1 h1:" in body
    assert db.gosum_lines("github.com/Foo/Bar", "v1.2.0-RC1")[1].endswith(f"/go.mod {H1_MOD}")


def test_records_keep_their_ids_and_the_tree_grows(db: ChecksumDatabase) -> None:
    assert db.log("github.com/Foo/Bar", "v1.2.0-RC1") == 0
    assert db.log("example.com/a", "v1.0.0") == 1
    assert db.log("github.com/Foo/Bar", "v1.2.0-RC1") == 0
    assert len(db) == 2
    assert db.handle("/lookup/example.com/a@v1.0.0")[2].startswith(b"1\n")
    assert open_tree(db, db.handle("/latest")[2])[0] == 2


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/lookup/example.com/missing@v1.0.0", 404, "not found: example.com/missing@v1.0.0"),
        ("/lookup/example.com/a@latest", 400, "invalid module@version syntax"),
        ("/lookup/example.com/A@v1.0.0", 400, "upper-case"),
        ("/tile/8/0/000.p/5", 404, "beyond the log"),
        ("/tile/8/0/0", 400, "invalid tile syntax"),
        ("/other", 404, "not found: /other"),
    ],
)
def test_bad_requests_get_clear_http_errors(db: ChecksumDatabase, path: str, status: int, text: str) -> None:
    got_status, _, body = db.handle(path)
    assert got_status == status
    assert text in body.decode()


def test_without_auto_log_only_logged_versions_are_found() -> None:
    db = ChecksumDatabase(FakeSource([FakeModule("example.com/a", "v1.0.0")]), auto_log=False)
    status, _, body = db.handle("/lookup/example.com/a@v1.0.0")
    assert (status, body) == (404, b"not found: example.com/a@v1.0.0 is not in this database (auto_log is off)\n")
    assert len(db) == 0
    db.log("example.com/a", "v1.0.0")
    assert db.handle("/lookup/example.com/a@v1.0.0")[0] == 200


def test_tiles_serve_hashes_and_data(db: ChecksumDatabase) -> None:
    db.log_all()
    status, content_type, body = db.handle("/tile/8/0/000.p/2")
    assert (status, content_type) == (200, "application/octet-stream")
    assert len(body) == 2 * HASH_SIZE
    status, _, data = db.handle("/tile/8/data/000.p/2")
    assert status == 200
    assert data.count(b"\n\n") == 2
    assert data.startswith(b"example.com/a v1.0.0 ")


def test_proxy_handler_adds_supported(db: ChecksumDatabase) -> None:
    assert db.proxy_handler("supported") == (200, "text/plain; charset=utf-8", b"")
    assert db.proxy_handler("/latest")[0] == 200
    assert db.requests == ["/supported", "/latest"]


def test_unknown_module_error_names_what_the_proxy_holds(db: ChecksumDatabase) -> None:
    with pytest.raises(
        UnknownModuleError,
        match=r"example\.com/nope@v1\.0\.0 is not in the module proxy.*"
        r"example\.com/a@v1\.0\.0.*log\(path, version, h1=\.\.\., h1_mod=\.\.\.\)",
    ):
        db.log("example.com/nope", "v1.0.0")
    with pytest.raises(UnknownModuleError, match="holds: none"):
        ChecksumDatabase().log("example.com/nope", "v1.0.0")


def test_logging_by_hand_and_refusing_to_rewrite_history(db: ChecksumDatabase) -> None:
    other = "h1:" + "C" * 43 + "="
    assert db.log("example.com/by-hand", "v0.1.0", h1=other, h1_mod=H1_MOD) == 0
    with pytest.raises(SumDBError, match="already logged with other hashes"):
        db.log("example.com/by-hand", "v0.1.0", h1=H1, h1_mod=H1_MOD)
    with pytest.raises(SumDBError, match="give both h1 and h1_mod"):
        db.log("example.com/by-hand", "v0.2.0", h1=H1)
    with pytest.raises(SumDBError, match=r"h1 must be an 'h1:<base64>' hash"):
        db.log("example.com/by-hand", "v0.3.0", h1="sha256:abc", h1_mod=H1_MOD)


def test_given_key_is_used_and_bad_keys_are_named() -> None:
    key = SignerKey.generate("sumdb.example.test/db")
    db = ChecksumDatabase(key=str(key))
    assert db.name == "sumdb.example.test/db"
    assert db.verifier_key == str(key.verifier)
    assert ChecksumDatabase(key=key).verifier_key == db.verifier_key
    with pytest.raises(SumDBError, match=r"invalid checksum database key: malformed signer key.*SignerKey\.generate"):
        ChecksumDatabase(key="sum.golang.test+12345678+AAAA")
    with pytest.raises(SumDBError, match=r"invalid checksum database key.*should be"):
        ChecksumDatabase(key=str(key).replace(f"+{key.hash:08x}+", "+00000000+"))
    with pytest.raises(SumDBError, match=r"invalid checksum database name 'a\.test/'.*host\[/path\]"):
        ChecksumDatabase(name="a.test/")
    with pytest.raises(SumDBError, match="no spaces"):
        ChecksumDatabase(name="a test")


def test_keys_and_names_of_the_wrong_kind_or_disagreeing() -> None:
    key = SignerKey.generate("sumdb.example.test")
    with pytest.raises(SumDBError, match=r"key=5 is a int; pass a SignerKey, its 'PRIVATE\+KEY\+\.\.\.' string"):
        ChecksumDatabase(key=5)  # type: ignore[arg-type]
    with pytest.raises(SumDBError, match=r"key=b'x' is a bytes"):
        ChecksumDatabase(key=b"x")  # type: ignore[arg-type]
    with pytest.raises(
        SumDBError,
        match=r"name='other\.test' disagrees with the key, which is for 'sumdb\.example\.test'.*drop name=",
    ):
        ChecksumDatabase(name="other.test", key=key)
    with pytest.raises(SumDBError, match=r"name='other\.test' disagrees"):
        ChecksumDatabase(name="other.test", key=str(key))
    with pytest.raises(SumDBError, match=r"name=5 is not a string"):
        ChecksumDatabase(name=5)  # type: ignore[arg-type]
    assert ChecksumDatabase(name="sumdb.example.test", key=key).name == "sumdb.example.test"
    assert ChecksumDatabase(name="mine.test").name == "mine.test"
    assert ChecksumDatabase().name == DEFAULT_NAME


@pytest.mark.parametrize(
    ("path", "version", "problem"),
    [
        ("not a path", "v1.0.0", r"malformed module path 'not a path': invalid char ' '"),
        ("example.com/a", "v1", r"example\.com/a@v1: version is not canonical; write v1\.0\.0"),
        ("example.com/a", "latest", r"version is not canonical; module versions look like v1\.2\.3"),
        ("example.com/a", "v2.0.0", r"version should be v0 or v1, not v2"),
        (5, "v1.0.0", "module path 5 is a int"),
    ],
)
def test_log_refuses_what_is_no_module_version(db: ChecksumDatabase, path: str, version: str, problem: str) -> None:
    with pytest.raises(SumDBError, match=rf"cannot log .*{problem}.*log module versions like"):
        db.log(path, version, h1=H1, h1_mod=H1_MOD)
    assert len(db) == 0


def test_what_the_source_serves_is_logged_as_it_is() -> None:
    served = FakeModule("example.com/m", "v2.0.0")  # a v2 without /v2, as a proxy may serve it unchecked
    db = ChecksumDatabase(FakeSource([served]))
    assert db.log_all() == [0]
    try:
        with urllib.request.urlopen(db.http_url + "/lookup/example.com/m@v2.0.0", timeout=10) as response:
            assert response.read().startswith(b"0\nexample.com/m v2.0.0 ")
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(db.http_url + "/lookup/example.com/m@v3.0.0", timeout=10)
        assert info.value.code == 404
    finally:
        db.close()


def test_http_server_answers_on_loopback(db: ChecksumDatabase) -> None:
    url = db.http_url
    assert db.gosumdb.endswith(" " + url)
    try:
        with urllib.request.urlopen(db.http_url + "/lookup/example.com/a@v1.0.0", timeout=10) as response:
            assert response.status == 200
            assert response.read().startswith(b"0\nexample.com/a v1.0.0 ")
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(db.http_url + "/lookup/example.com/zzz@v1.0.0", timeout=10)
        assert info.value.code == 404
        assert db.requests == ["/lookup/example.com/a@v1.0.0", "/lookup/example.com/zzz@v1.0.0"]
    finally:
        db.close()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/latest", timeout=2)
    with pytest.raises(SumDBError, match="is closed"):
        db.http_url  # noqa: B018 - the property starts the server


def test_log_is_shared_safely_between_threads() -> None:
    import threading

    log = Log()
    threads = [
        threading.Thread(target=lambda i=i: [log.append(f"m{i} v{j}\n".encode()) for j in range(50)]) for i in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(log) == 200
    assert len({log.record(i) for i in range(200)}) == 200
