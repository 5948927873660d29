"""Where the project's real data lives: ../shared/data beside the project root, or wherever $SHARED_DATA says.

    from common.paths import SHARED_DATA
    pen_digits = SHARED_DATA / "digits" / "pendigits" / "pendigits-orig.tra"

The data is never copied into the repository. On a user's machine the folder does not exist: the loaders then
use the Hugging Face Hub, the app runs from the shipped checkpoints, and the tests that need the data skip.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SHARED_DATA", ROOT.parent / "shared" / "data"))
