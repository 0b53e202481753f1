"""Points pages: my points, leaderboards, rewards, a manager's grant or deduction, and the
admin pages of rules, settings, reconciliation and the rewards catalogue."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.accounts import org
from app.accounts.models import User
from app.accounts.permissions import roles_required, visible_users
from app.errors import DomainError
from app.extensions import db
from app.ledger import boards, rules, services, tasks
from app.ledger.forms import ActionForm, AdjustForm, RedeemForm, RewardForm, RuleForm, SettingsForm
from app.ledger.models import Redemption, Reward
from app.timeutil import PERIOD_KINDS, local_midnight, local_today, utcnow
from app.web.unit import perform

bp = Blueprint("ledger", __name__)
CHART_DAYS = 30


def _source_url(source: dict | None) -> str | None:
    """A link to what earned the points, where this app has a page for it."""
    if not source:
        return None
    endpoints = {"lesson": ("courses.lesson", "lesson_id"), "course": ("courses.course", "course_id")}
    if source.get("type") in endpoints:
        endpoint, arg = endpoints[source["type"]]
        return url_for(endpoint, **{arg: source["id"]})
    if source.get("type") == "reward":
        return url_for(".rewards")
    return None


@bp.route("/points")
@login_required
def my_points():
    try:
        period = boards.check_period(request.args.get("period"), default="week")
    except DomainError:
        period = "week"
    now = utcnow()
    mine, (cards, today_total, total_cap), series = perform(lambda: (
        boards.my_points(current_user.id, period, now), boards.task_cards(current_user.id, now),
        boards.daily_series(current_user.id, CHART_DAYS, now)))
    chart = {"title": _("Points per day, last %(n)s days", n=CHART_DAYS),
             "labels": [day[5:] for day, _points in series], "values": [p for _day, p in series]}
    return render_template("ledger/my_points.html", mine=mine, cards=cards, today_total=today_total,
                           total_cap=total_cap, chart=chart, periods=PERIOD_KINDS,
                           period_labels=boards.PERIOD_LABELS, source_url=_source_url)


@bp.route("/leaderboard")
@login_required
def leaderboard():
    try:
        period = boards.check_period(request.args.get("period"), default="week")
        scope = boards.parse_scope(request.args.get("scope"))
    except DomainError:
        period, scope = "week", boards.Scope(None)
    group = "org" if request.args.get("group") == "org" else "user"
    now = utcnow()
    named = boards.names_visible(current_user)
    context = {"period": period, "scope": scope, "group": group, "named": named,
               "periods": PERIOD_KINDS, "period_labels": boards.PERIOD_LABELS,
               "units": org.tree()}
    if group == "org":
        context["org_rows"] = boards.org_board(period, scope, 50, now)
        context["my_org"] = boards.my_org_row(current_user, period, scope, now)
    else:
        context["rows"] = boards.user_board(period, scope, 50, now)
        context["my_rank"], context["my_points"] = boards.my_rank(current_user.id, period, scope, now)
        context["around"] = boards.around_me(current_user.id, period, scope, now)
    return render_template("ledger/leaderboard.html", **context)


@bp.route("/rewards", methods=["GET", "POST"])
@login_required
def rewards():
    form = RedeemForm()
    if form.validate_on_submit():
        try:
            reward_id = int(form.reward_id.data or 0)
        except ValueError:
            abort(400)
        result = perform(lambda: services.redeem(current_user, reward_id, form.key.data or "",
                                                 now=utcnow()))
        if result.created:
            flash(_("Redeemed %(title)s. Your balance is %(points)s points.",
                    title=result.redemption.reward.title, points=result.balance), "success")
        return redirect(url_for(".rewards"))
    catalogue = db.session.scalars(select(Reward).where(Reward.active.is_(True))
                                   .order_by(Reward.price, Reward.id)).all()
    mine = db.session.scalars(select(Redemption).where(Redemption.user_id == current_user.id)
                              .order_by(Redemption.id.desc()).limit(50)).all()
    return render_template("ledger/rewards.html", catalogue=catalogue, mine=mine,
                           balance=services.balance(current_user.id), key=uuid.uuid4().hex)


@bp.route("/points/adjust", methods=["GET", "POST"])
@roles_required("manager", "admin")
def adjust():
    people = db.session.scalars(visible_users(current_user).where(
        User.active.is_(True), User.id != current_user.id).order_by(User.name)).all()
    form = AdjustForm()
    form.user_id.choices = [(p.id, f"{p.name} ({p.username})") for p in people]
    if request.method == "GET":
        form.key.data = uuid.uuid4().hex
        if request.args.get("user_id", "").isdigit():
            form.user_id.data = int(request.args["user_id"])
    if form.validate_on_submit():
        posting = perform(lambda: services.adjust(
            current_user, form.user_id.data, form.points.data, form.reason.data,
            key=f"manual:{current_user.id}:{form.key.data}", now=utcnow()))
        if posting.created:
            flash(_("Points posted."), "success")
        return redirect(url_for(".adjust"))
    recent = services.recent_adjustments(current_user, limit=30)
    return render_template("ledger/adjust.html", form=form, recent=recent)


# Admin ---------------------------------------------------------------------------------


@bp.route("/admin/points", methods=["GET", "POST"])
@roles_required("admin")
def admin_rules():
    now = utcnow()
    settings_form = SettingsForm(prefix="settings")
    if request.method == "GET":
        settings_form.total_daily_cap.data = rules.setting("total_daily_cap")
        settings_form.show_names.data = bool(rules.setting("show_names"))
    elif settings_form.validate_on_submit():
        perform(lambda: (
            rules.set_setting("total_daily_cap", settings_form.total_daily_cap.data,
                              actor=current_user, now=now),
            rules.set_setting("show_names", bool(settings_form.show_names.data),
                              actor=current_user, now=now)))
        flash(_("Settings saved."), "success")
        return redirect(url_for(".admin_rules"))
    in_force = rules.all_in_force(now)
    forms = {}
    for rule in in_force:
        form = RuleForm(prefix=rule.code, formdata=None)
        form.amount.data, form.daily_cap.data = rule.amount, rule.daily_cap
        form.unit_seconds.data, form.enabled.data = rule.unit_seconds, rule.enabled
        forms[rule.code] = form
    upcoming = perform(lambda: rules.upcoming(now))
    return render_template("ledger/admin_rules.html", rules=in_force, forms=forms, upcoming=upcoming,
                           settings_form=settings_form, labels=rules.RULE_LABELS,
                           reconciliation=tasks.last_reconciliation())


@bp.post("/admin/points/rules/<code>")
@roles_required("admin")
def change_rule(code: str):
    if code not in rules.DEFAULTS:
        abort(404)
    form = RuleForm(prefix=code)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "danger")
        return redirect(url_for(".admin_rules"))
    now = utcnow()
    day = form.effective_on.data
    if day is not None and day < local_today(now):
        flash(_("A rule cannot start in the past: points already given keep their rules."),
              "danger")
        return redirect(url_for(".admin_rules"))
    starts = now if day is None or day == local_today(now) else local_midnight(day)
    perform(lambda: rules.change(code, amount=form.amount.data, daily_cap=form.daily_cap.data,
                                 unit_seconds=form.unit_seconds.data, enabled=bool(form.enabled.data),
                                 effective_from=starts, actor=current_user, now=now))
    if starts == now:
        flash(_("Rule %(name)s changed; it applies from now on.", name=rules.rule_label(code)),
              "success")
    else:
        flash(_("Rule %(name)s changed; it applies from %(day)s.", name=rules.rule_label(code),
                day=day.isoformat()), "success")
    return redirect(url_for(".admin_rules"))


@bp.route("/admin/rewards", methods=["GET", "POST"])
@roles_required("admin")
def admin_rewards():
    form = RewardForm()
    if form.validate_on_submit():
        perform(lambda: services.create_reward(form.title.data, form.price.data, form.stock.data or 0,
                                               form.description.data or "", actor=current_user,
                                               now=utcnow()))
        flash(_("Reward added."), "success")
        return redirect(url_for(".admin_rewards"))
    catalogue = db.session.scalars(select(Reward).order_by(Reward.active.desc(), Reward.id)).all()
    pending = db.session.scalars(select(Redemption).where(Redemption.status == "pending")
                                 .order_by(Redemption.id)).all()
    handled = db.session.scalars(select(Redemption).where(Redemption.status != "pending")
                                 .order_by(Redemption.updated_at.desc()).limit(30)).all()
    return render_template("ledger/admin_rewards.html", form=form, catalogue=catalogue,
                           pending=pending, handled=handled, action=ActionForm())


@bp.route("/admin/rewards/<int:reward_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit_reward(reward_id: int):
    reward = db.session.get(Reward, reward_id) or abort(404)
    form = RewardForm(obj=reward)
    if form.validate_on_submit():
        perform(lambda: services.update_reward(
            reward, title=form.title.data, price=form.price.data, stock=form.stock.data or 0,
            active=bool(form.active.data), description=form.description.data or "",
            actor=current_user, now=utcnow()))
        flash(_("Reward saved."), "success")
        return redirect(url_for(".admin_rewards"))
    return render_template("ledger/reward_edit.html", form=form, reward=reward)


@bp.post("/admin/redemptions/<int:redemption_id>/<any(fulfilled, cancelled):status>")
@roles_required("admin")
def handle_redemption(redemption_id: int, status: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    redemption = db.session.get(Redemption, redemption_id) or abort(404)
    perform(lambda: services.set_redemption_status(redemption, status, actor=current_user,
                                                   now=utcnow()))
    flash(_("Redemption fulfilled.") if status == "fulfilled"
          else _("Redemption cancelled; the points were refunded."), "success")
    return redirect(url_for(".admin_rewards"))
