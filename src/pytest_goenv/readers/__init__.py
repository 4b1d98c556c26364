"""Readers of what Go writes: executables and their build info, runtime traces."""
