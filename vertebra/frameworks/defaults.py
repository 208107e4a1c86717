"""The model a new assessment uses when nobody chooses one.

This is the one place outside the shipped data (``data/``) that names a model: every other
module asks for :data:`DEFAULT_FRAMEWORK_ID` (``tests/test_any_model.py`` fails otherwise).
"""

from __future__ import annotations

DEFAULT_FRAMEWORK_ID = "smr-rmm"
