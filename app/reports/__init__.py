"""Manager dashboards and exports: reads the other features, writes nothing."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from app.reports import routes  # noqa: E402,F401  (routes register on import)
