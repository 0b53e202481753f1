"""The home page: a summary drawn from every feature, for each role."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.accounts.permissions import visible_users
from app.accounts.services import is_newcomer
from app.extensions import db
from app.plans.services import plan_for
from app.timeutil import local_today

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@login_required
def home():
    today = local_today()
    stats = None
    if current_user.has_role("manager", "admin"):
        stats = {"people": db.session.scalar(
            select(func.count()).select_from(visible_users(current_user).subquery()))}
    return render_template(
        "dashboard/home.html",
        newcomer=is_newcomer(current_user, today),
        stats=stats,
        plan=plan_for(current_user, today) if current_user.has_role("cadre") else [],
        today=today,
    )
