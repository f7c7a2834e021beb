"""`python -m ddi_core.cli` runs the `ddi` command."""

from ddi_core.cli.main import main

raise SystemExit(main())
