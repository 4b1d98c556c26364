"""Script tests: txtar archives whose comment is a small script, run against a real go command.

The language is the one of Go's cmd/go script tests and of go-internal's testscript (both
dialects in one engine); see docs/scripts.md.  Layers: :mod:`.lexer` (words, prefixes, guards),
:mod:`.expand` (variables), :mod:`.goregexp` (Go regexps), :mod:`.state`, the command table
(:mod:`.commands` with :mod:`.cmds_files`, :mod:`.cmds_match`, :mod:`.cmds_process`), the
condition table (:mod:`.conditions` from :mod:`.facts`), :mod:`.runner`, :mod:`.environment`,
:mod:`.update` and :mod:`.script` (:func:`run_script` in a GoEnv).

Example::

    from pytest_goenv.scripts.script import run_script
    result = run_script(goenv, "go env GOPROXY\\nstdout off\\n")
    assert result.status == "passed", result.report()
"""
