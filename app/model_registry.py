"""Every feature's models, imported once so the metadata (and Alembic) sees all tables."""

from app import scheduler  # noqa: F401  (job_runs)
from app.accounts import models as accounts  # noqa: F401
from app.courses import models as courses  # noqa: F401
from app.exams import models as exams  # noqa: F401
from app.ledger import models as ledger  # noqa: F401
from app.questions import models as questions  # noqa: F401
from app.traces import models as traces  # noqa: F401
