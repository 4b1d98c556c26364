"""``python -m pytest_goenv.cli`` runs the ``pytest-goenv`` command."""

from pytest_goenv.cli import main

raise SystemExit(main())
