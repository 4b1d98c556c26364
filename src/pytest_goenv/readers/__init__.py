"""Readers of what Go writes, in pure Python: each module parses one format and runs no go command.

- :mod:`.executables`: ELF, Mach-O and PE files, the embedded build info, the line table;
- :mod:`.buildlog`: a go build command line and its ``-x`` log;
- :mod:`.buildconstraints`: the ``//go:build`` line and file-name suffix of a Go file;
- :mod:`.gosum`: go.sum files; :mod:`.goenvfile`: GOENV files and ``GOROOT/go.env``;
- :mod:`.modulestxt`: vendor/modules.txt; :mod:`.testlog`: the per-package summary lines of ``go test``;
- :mod:`.gotrace`: the runtime's gctrace, schedtrace, inittrace lines and tracebacks.

The assertions (:mod:`pytest_goenv.assertions`) build on them.
"""
