"""Admin export of traces as xAPI statements (a JSON array, streamed)."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from flask import Blueprint, Response, request, stream_with_context
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.permissions import roles_required
from app.extensions import db
from app.timeutil import LOCAL_TZ
from app.traces.models import Trace, verb_labels
from app.traces.xapi import statement

bp = Blueprint("traces", __name__)


@bp.app_context_processor
def trace_globals():
    return {"VERB_LABELS": verb_labels()}
BATCH = 2000


def _day_start(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    return datetime.combine(day, time(), LOCAL_TZ)


@bp.get("/admin/traces/xapi.json")
@roles_required("admin")
def export_xapi():
    """Every trace (or those from ?since= to ?until=, Beijing dates) as xAPI 1.0.3 statements."""
    query = select(Trace, User.username, User.name).join(User, User.id == Trace.actor_id)
    since, until = _day_start(request.args.get("since")), _day_start(request.args.get("until"))
    if since:
        query = query.where(Trace.at >= since)
    if until:
        query = query.where(Trace.at < until + timedelta(days=1))
    query = query.order_by(Trace.id).execution_options(yield_per=BATCH)
    home = request.host_url

    def generate():
        yield "["
        first = True
        for trace, username, name in db.session.execute(query):
            yield ("" if first else ",\n") + json.dumps(statement(trace, username, name, home),
                                                         ensure_ascii=False)
            first = False
        yield "]\n"

    return Response(stream_with_context(generate()), mimetype="application/json",
                    headers={"Content-Disposition": "attachment; filename=xapi-statements.json"})
