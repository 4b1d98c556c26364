"""A Go checksum database (sumdb) served locally: signed notes, a transparency log and its HTTP server.

Usable without pytest::

    with GoProxy(root) as proxy:
        proxy.add("example.com/hello", "v1.0.0", {"hello.go": "package hello\\n"})
        db = ChecksumDatabase(proxy)       # a new Ed25519 key named sum.golang.test
        db.mount_on(proxy)                 # also serve <proxy>/sumdb/sum.golang.test/...
        env["GOSUMDB"] = db.gosumdb        # "name+hash+key http://127.0.0.1:PORT"
        # or, through the proxy: GOPROXY=proxy.http_url, GOSUMDB=db.verifier_key
"""

from __future__ import annotations

from pytest_goenv.modules.sumdb.database import DEFAULT_NAME, ChecksumDatabase, SumDBError, UnknownModuleError
from pytest_goenv.modules.sumdb.note import NoteError, SignerKey, VerifierKey

__all__ = [
    "DEFAULT_NAME",
    "ChecksumDatabase",
    "NoteError",
    "SignerKey",
    "SumDBError",
    "UnknownModuleError",
    "VerifierKey",
]
