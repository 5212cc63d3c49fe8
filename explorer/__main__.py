"""``python -m explorer``: the same as the ``nn-explorer`` command."""

import sys

from .cli import main

sys.exit(main())
