"""``python -m h5pure <command> ...``: the ``h5pure`` command."""

import sys

from .cli.main import main

sys.exit(main())
