"""Login, logout, password change, language choice, home page and the people pages."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import services
from app.accounts.forms import ChangePasswordForm, LoginForm
from app.accounts.models import User
from app.accounts.org import subtree_ids, tree
from app.accounts.permissions import (
    get_visible_unit,
    get_visible_user,
    roles_required,
    scope_root,
    visible_users,
)
from app.accounts.ratelimit import login_limits
from app.extensions import db
from app.i18n import SESSION_KEY
from app.timeutil import local_today, utcnow
from app.web import safe_next_url
from app.web.forms import db_int
from app.web.unit import attempt, perform

bp = Blueprint("accounts", __name__)
PAGE_SIZE = 50


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            g.login_failed = True
            # One message for a wrong name and a wrong password.
            flash(_("Wrong username or password."), "danger")
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(safe_next_url(request.args.get("next")) or url_for("dashboard.home"))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        # The old cookies stop working, on every device.
        perform(lambda: services.end_sessions(current_user))
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit() and attempt(lambda: services.change_password(
            current_user, form.current_password.data, form.new_password.data, now=utcnow())).ok:
        login_user(current_user)  # the session id changed with the password
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("dashboard.home"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/locale/<code>", methods=["POST"])
def set_locale(code: str):
    from app.i18n import babel_languages

    if code in babel_languages():
        session[SESSION_KEY] = code
    return redirect(safe_next_url(request.form.get("next")) or url_for("dashboard.home"))


@bp.route("/people")
@roles_required("manager", "admin")
def people():
    root = scope_root(current_user)
    units = tree(root) if root is not None or current_user.has_role("admin") else []
    unit_id = request.args.get("unit", type=db_int)
    query = visible_users(current_user)
    selected = None
    if unit_id:
        selected = get_visible_unit(current_user, unit_id)
        query = query.where(User.org_unit_id.in_(subtree_ids(selected)))
    text = (request.args.get("q") or "").strip()
    if text:
        query = query.where(User.name.icontains(text, autoescape=True)
                            | User.username.icontains(text, autoescape=True))
    page = db.paginate(query.order_by(User.username), page=request.args.get("page", 1, type=db_int),
                       per_page=PAGE_SIZE, error_out=False)
    return render_template("accounts/people.html", units=units, page=page, selected=selected,
                           q=text, today=local_today())


@bp.route("/people/<int:user_id>")
@roles_required("manager", "admin")
def person(user_id: int):
    user = get_visible_user(current_user, user_id)
    return render_template("accounts/person.html", user=user,
                           newcomer=services.is_newcomer(user, local_today()))

