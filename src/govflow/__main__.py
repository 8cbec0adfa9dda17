"""``python -m govflow``: the same as the ``govflow`` command."""

import sys

from govflow.cli import main

sys.exit(main())
