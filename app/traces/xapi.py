"""Traces as xAPI 1.0.3 statements."""

from __future__ import annotations

import uuid

from app.traces.models import VERBS, Trace

# Statement ids are derived from the idempotency key, so an export is stable run to run.
NAMESPACE = uuid.UUID("6f1d2b4e-8a51-4c1e-9e0b-3c2a7d1f5b90")
VERB_DISPLAY = {"opened": "opened", "studied": "progressed", "completed": "completed",
                "attended": "attended", "answered": "answered", "passed": "passed",
                "failed": "failed"}
ACTIVITY_TYPES = {
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "course": "http://adlnet.gov/expapi/activities/course",
    "collective_session": "http://adlnet.gov/expapi/activities/meeting",
    "exam": "http://adlnet.gov/expapi/activities/assessment",
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
}


def iso_duration(seconds: int) -> str:
    """Seconds as an ISO 8601 duration, e.g. PT1M5S."""
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return text + (f"{secs}S" if secs or text == "PT" else "")


def statement(trace: Trace, username: str, display_name: str, home_page: str) -> dict:
    """One xAPI statement for `trace`; `home_page` is this platform's base URL."""
    base = home_page.rstrip("/")
    result: dict = {}
    if trace.duration_s is not None:
        result["duration"] = iso_duration(trace.duration_s)
    if trace.completion is not None:
        result["completion"] = trace.completion
    if trace.success is not None:
        result["success"] = trace.success
    if trace.score_raw is not None:
        score = {"raw": trace.score_raw}
        if trace.score_max:
            score.update({"min": 0, "max": trace.score_max,
                          "scaled": round(max(-1.0, min(1.0, trace.score_raw / trace.score_max)), 4)})
        result["score"] = score
    out = {
        "id": str(uuid.uuid5(NAMESPACE, trace.idempotency_key)),
        "actor": {"objectType": "Agent", "name": display_name,
                  "account": {"homePage": base, "name": username}},
        "verb": {"id": VERBS[trace.verb], "display": {"en-US": VERB_DISPLAY[trace.verb]}},
        "object": {
            "objectType": "Activity",
            "id": f"{base}/xapi/activities/{trace.object_type}/{trace.object_id}",
            "definition": {"type": ACTIVITY_TYPES[trace.object_type],
                           "name": {"zh-CN": trace.object_name or trace.object_type}},
        },
        "timestamp": trace.at.isoformat(),
        "stored": trace.stored_at.isoformat(),
        "version": "1.0.3",
    }
    if result:
        out["result"] = result
    extensions = {f"{base}/xapi/extensions/{key}": value for key, value in (trace.context or {}).items()
                  if value is not None}
    if extensions:
        out["context"] = {"platform": "cadre-learning", "language": "zh-CN",
                          "extensions": extensions}
    return out
