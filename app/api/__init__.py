"""The JSON API, /api/v1: parse, call a service, serialize. Each module registers its
routes on the blueprint of `app.api.base`."""

from app.api import auth, docs, exams, learning, points, questions  # noqa: F401  (routes register on import)
from app.api.base import bp

__all__ = ["bp"]
