"""我的学习计划: the page of one's own plan."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.courses import plans as course_plans
from app.plans import services
from app.timeutil import local_today

bp = Blueprint("plans", __name__)


@bp.route("/plan")
@login_required
def plan():
    today = local_today()
    history = [(assignment, [course_plans.entry(item) for item in items])
               for assignment, items in course_plans.past_post_items(current_user)]
    return render_template("plans/plan.html", items=services.plan_for(current_user, today),
                           history=history, today=today, STATUSES=course_plans.STATUSES,
                           SOURCES=course_plans.SOURCES)
