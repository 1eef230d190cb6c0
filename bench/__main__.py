"""``python -m bench``: run every benchmark, print the ratio table, write JSON and plots."""

from __future__ import annotations

import sys

from .runner import main

if __name__ == "__main__":
    sys.exit(main())
