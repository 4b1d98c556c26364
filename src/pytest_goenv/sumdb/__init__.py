"""A Go checksum database (sumdb) served locally: signed notes, a transparency log and its HTTP server."""

from __future__ import annotations
