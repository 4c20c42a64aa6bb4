"""``python -m thidua_rules``: the ``thidua`` command."""

from .cli import main

raise SystemExit(main())
