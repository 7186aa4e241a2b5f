"""``python -m h5pure <command> [args]``: the ``h5pure`` command."""

import sys

from .cli.main import main

sys.exit(main())
