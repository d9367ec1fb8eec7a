"""`python -m kwissle ...`: see kwissle.cli."""

import sys

from kwissle.cli import main

sys.exit(main())
