"""``python -m wizard`` runs the same program as ``mailcom-wizard``."""

from wizard.cli import main

raise SystemExit(main())
