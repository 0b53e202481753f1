"""The small handbook of the course tests serves the reports too."""

from tests.courses.conftest import handbook_dir, lessons, posts  # noqa: F401
