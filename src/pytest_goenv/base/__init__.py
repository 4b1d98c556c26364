"""The base layer: processes with time limits, file trees, the loopback HTTP server, the exception base."""
