"""The pytest plugin: options, markers and fixtures wired to the core modules."""

from __future__ import annotations
