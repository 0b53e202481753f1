"""Where the shared Moodle fixtures live (read in place, never copied into the repo)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

INTEROP = Path(os.environ.get("INTEROP_FIXTURES",
                              Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "interop"))


@pytest.fixture
def interop() -> Path:
    if not INTEROP.is_dir():
        pytest.fail(f"the interop fixtures are missing at {INTEROP}")
    return INTEROP


from tests.courses.conftest import handbook_dir, lessons, posts  # noqa: E402, F401  (the small handbook)
