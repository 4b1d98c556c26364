"""A module proxy holding the modules a test defines, served as a file:// tree and over loopback HTTP.

It speaks the GOPROXY protocol (``go help goproxy``): ``<module>/@v/list``, ``<module>/@v/<version>.info``
(``.mod``, ``.zip``) and ``<module>/@latest``, with module paths and versions case-encoded (``!x`` for
``X``). Unknown modules and versions answer 404, so the go command falls through to the next entry of a
GOPROXY list; :meth:`GoProxy.fail` makes chosen modules answer other statuses (a 500 stops the list).
Every HTTP request is recorded, so a test can assert that the proxy was (or was not) asked for a module.

One module per job: :mod:`.store` (the versions held), :mod:`.checks` (what may be added),
:mod:`.protocol` (request paths and answers),
:mod:`.files` (the file:// tree), :mod:`.faults` (injected failures, mounts), :mod:`.serving` (dispatch
and the request log), :mod:`.archives` (versions from txtar archives), :mod:`.goproxy` (GoProxy itself)
and :mod:`.cmdgo` (cmd/go's own test proxy and checksum database, for its script suite; import it
from there).

Usable without pytest::

    with GoProxy(Path("/tmp/proxy")) as proxy:
        proxy.add("example.com/hello", "v1.0.0", {"hello.go": "package hello\\n"})
        env["GOPROXY"] = proxy.http_url   # or proxy.url for file://
"""

from __future__ import annotations

from pytest_goenv.base.loopback import Response
from pytest_goenv.modules.proxy.faults import Handler
from pytest_goenv.modules.proxy.goproxy import GoProxy, goproxy_list
from pytest_goenv.modules.proxy.protocol import FAILABLE_KINDS, RequestKind
from pytest_goenv.modules.proxy.serving import ProxyRequest
from pytest_goenv.modules.proxy.store import DEFAULT_TIME, ModuleVersion, ProxyError

__all__ = [
    "DEFAULT_TIME",
    "FAILABLE_KINDS",
    "GoProxy",
    "Handler",
    "ModuleVersion",
    "ProxyError",
    "ProxyRequest",
    "RequestKind",
    "Response",
    "goproxy_list",
]
