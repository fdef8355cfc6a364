"""`python -m zerosum` (and `torchrun -m zerosum`) runs the CLI."""

import sys

from zerosum.cli import main

sys.exit(main())
