"""``python -m sktime_attention``: the main job (see :mod:`sktime_attention.cli`)."""

import sys

from sktime_attention.cli import main

sys.exit(main())
