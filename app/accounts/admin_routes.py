"""Admin pages: the org tree, posts, users, bulk import and the audit log."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from openpyxl import Workbook
from sqlalchemy import select
from wtforms.validators import DataRequired, Length

from app.accounts import audit, org, services, structure, user_import
from app.accounts.forms import (
    OrgUnitForm,
    PostForm,
    ResetPasswordForm,
    UserForm,
    UserImportForm,
)
from app.accounts.models import ROLES, AuditEntry, OrgUnit, Post, User, UserRole
from app.accounts.permissions import roles_required
from app.errors import DomainError
from app.extensions import db
from app.timeutil import local_today, utcnow
from app.web.forms import EmptyForm, choices, db_int
from app.web.unit import attempt

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50


@bp.before_request
@roles_required("admin")
def require_admin():
    """Every page here is for admins only."""


def _get(model, object_id: int):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def _page_number() -> int:
    """The ?page= number; junk and out-of-range values mean the first page."""
    return request.args.get("page", 1, type=db_int)


def _form_errors(form) -> str:
    """A form's validation messages as one line, for a flash on a redirect."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _unit_choices(exclude: OrgUnit | None = None, blank: str | None = None):
    pairs = [(0, blank)] if blank is not None else []
    for node in org.tree():
        if exclude is not None and node.unit.path.startswith(exclude.path):
            continue
        pairs.append((node.unit.id, node.label))
    return choices(pairs)


# Org units -----------------------------------------------------------------------------

@bp.route("/org-units", methods=["GET", "POST"])
def org_units():
    form = OrgUnitForm()
    form.parent_id.choices = _unit_choices(blank=_("(top level)"))
    if form.validate_on_submit():
        parent = db.session.get(OrgUnit, form.parent_id.data) if form.parent_id.data else None
        if attempt(lambda: structure.add_unit(form.name.data, parent=parent, kind=form.kind.data,
                                              sort_order=form.sort_order.data or 0,
                                              actor=current_user)).ok:
            flash(_("Org unit created."), "success")
            return redirect(url_for(".org_units"))
    return render_template("admin/org_units.html", nodes=org.tree(), form=form,
                           delete_form=EmptyForm())


@bp.route("/org-units/<int:unit_id>/edit", methods=["GET", "POST"])
def edit_org_unit(unit_id: int):
    unit = _get(OrgUnit, unit_id)
    form = OrgUnitForm(obj=unit, parent_id=unit.parent_id or 0)
    form.parent_id.choices = _unit_choices(exclude=unit, blank=_("(top level)"))
    if form.validate_on_submit():
        parent = db.session.get(OrgUnit, form.parent_id.data) if form.parent_id.data else None
        if attempt(lambda: structure.update_unit(unit, name=form.name.data, kind=form.kind.data,
                                                 sort_order=form.sort_order.data or 0, parent=parent,
                                                 actor=current_user)).ok:
            flash(_("Org unit saved."), "success")
            return redirect(url_for(".org_units"))
    return render_template("admin/org_unit_edit.html", unit=unit, form=form)


@bp.route("/org-units/<int:unit_id>/delete", methods=["POST"])
def delete_org_unit(unit_id: int):
    unit = _get(OrgUnit, unit_id)
    if EmptyForm().validate_on_submit() and attempt(
            lambda: structure.remove_unit(unit, actor=current_user)).ok:
        flash(_("Org unit deleted."), "success")
    return redirect(url_for(".org_units"))


# Posts ---------------------------------------------------------------------------------

@bp.route("/posts", methods=["GET", "POST"])
def posts():
    form = PostForm()
    if form.validate_on_submit() and attempt(lambda: structure.add_post(
            form.code.data, form.name.data, form.area.data, form.description.data or "",
            active=form.active.data, actor=current_user)).ok:
        flash(_("Post created."), "success")
        return redirect(url_for(".posts"))
    rows = db.session.scalars(select(Post).order_by(Post.area, Post.name)).all()
    return render_template("admin/posts.html", posts=rows, form=form)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id: int):
    post = _get(Post, post_id)
    form = PostForm(obj=post)
    if form.validate_on_submit() and attempt(lambda: structure.update_post(
            post, code=form.code.data, name=form.name.data, area=form.area.data,
            description=form.description.data or "", active=form.active.data, actor=current_user)).ok:
        flash(_("Post saved."), "success")
        return redirect(url_for(".posts"))
    return render_template("admin/post_edit.html", post=post, form=form)


# Users ---------------------------------------------------------------------------------

@bp.route("/users")
def users():
    query = select(User)
    text = (request.args.get("q") or "").strip()
    if text:
        query = query.where(User.name.icontains(text, autoescape=True)
                            | User.username.icontains(text, autoescape=True))
    role = request.args.get("role")
    if role in ROLES:
        query = query.where(User.role_rows.any(UserRole.role == role))
    unit_id = request.args.get("unit", type=db_int)
    if unit_id:
        unit = _get(OrgUnit, unit_id)
        query = query.where(User.org_unit_id.in_(org.subtree_ids(unit)))
    status = request.args.get("status")
    if status in ("active", "inactive"):
        query = query.where(User.active.is_(status == "active"))
    page = db.paginate(query.order_by(User.username), page=_page_number(), per_page=PAGE_SIZE,
                       error_out=False)
    return render_template("admin/users.html", page=page, units=org.tree(), q=text, role=role,
                           unit_id=unit_id, status=status)


def _user_form(user: User | None = None) -> UserForm:
    if user is None:
        # A new account is most likely a newcomer: offer today's date, which the admin may
        # change or clear. Only on the blank form; a submitted form keeps what was sent.
        form = UserForm() if request.method == "POST" else UserForm(joined_on=local_today())
    else:
        form = UserForm(obj=user, org_unit_id=user.org_unit_id or 0,
                        post_id=user.current_post.id if user.current_post else 0,
                        roles=user.roles)
    form.org_unit_id.choices = _unit_choices(blank=_("(none)"))
    form.post_id.choices = choices([(0, _("(none)"))] + [
        (p.id, p.name) for p in db.session.scalars(select(Post).order_by(Post.name))
    ])
    return form


def _user_data(form: UserForm) -> services.UserData:
    return services.UserData(
        username=form.username.data,
        name=form.name.data,
        org_unit=db.session.get(OrgUnit, form.org_unit_id.data) if form.org_unit_id.data else None,
        roles=tuple(form.roles.data),
        joined_on=form.joined_on.data,
        post=db.session.get(Post, form.post_id.data) if form.post_id.data else None,
    )


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = _user_form()
    # A new account needs its first password; say so together with the other missing fields.
    form.password.validators = [DataRequired(message=_l("Set an initial password.")), Length(max=256)]
    if form.validate_on_submit():
        done = attempt(lambda: services.create_user(_user_data(form), form.password.data,
                                                    actor=current_user, today=local_today()))
        if done.ok:
            flash(_("User %(name)s created.", name=done.value.username), "success")
            return redirect(url_for(".users"))
    return render_template("admin/user_edit.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = _get(User, user_id)
    form = _user_form(user)
    if form.validate_on_submit():
        done = attempt(lambda: services.update_user(user, _user_data(form), actor=current_user,
                                                    today=local_today()))
        if done.ok:
            flash(_("User saved."), "success")
        if done.ok or isinstance(done.error, services.ConcurrentEdit):
            return redirect(url_for(".edit_user", user_id=user_id))
    return render_template("admin/user_edit.html", form=form, user=user,
                           reset_form=ResetPasswordForm(), toggle_form=EmptyForm())


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def toggle_user(user_id: int):
    user = _get(User, user_id)
    wanted = request.form.get("active")
    if wanted not in ("0", "1"):
        abort(400)
    # The form says which state it asks for, so a double click cannot undo itself.
    if EmptyForm().validate_on_submit() and attempt(
            lambda: services.set_active(user, wanted == "1", actor=current_user)).ok:
        flash(_("User reactivated.") if user.active else _("User deactivated."), "success")
    return redirect(url_for(".edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def reset_password(user_id: int):
    user = _get(User, user_id)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        flash(_("The password was not reset: %(reason)s", reason=_form_errors(form)), "danger")
        return redirect(url_for(".edit_user", user_id=user.id))
    done = attempt(lambda: services.reset_password(user, form.new_password.data, actor=current_user,
                                                   now=utcnow()), flash_error=False)
    if done.ok:
        flash(_("Password reset; %(name)s must change it at the next login.",
                name=user.username), "success")
    else:
        flash(_("The password was not reset: %(reason)s", reason=str(done.error.message)), "danger")
    return redirect(url_for(".edit_user", user_id=user.id))


@bp.route("/users/import", methods=["GET", "POST"], endpoint="user_import")
def user_import_page():
    form = UserImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            report = user_import.import_users(
                upload.filename or "", upload.read(), initial_password=form.initial_password.data,
                actor=current_user, today=local_today(), dry_run=form.dry_run.data,
            )
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            if report.imported:
                db.session.commit()  # the result box below says how many
            else:
                db.session.rollback()
    return render_template("admin/user_import.html", form=form, report=report,
                           headers=list(user_import.HEADERS))


@bp.route("/users/import/template.xlsx")
def user_import_template():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "users"
    sheet.append(list(user_import.HEADERS))
    sheet.append(["张三", "zhangsan", "组织部/干部室", "干部工作岗", "学员", "2024-03-01"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name="user-import-template.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# Audit log -----------------------------------------------------------------------------

@bp.route("/audit")
def audit_log():
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    action = (request.args.get("action") or "").strip()
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    page = db.paginate(query, page=_page_number(), per_page=PAGE_SIZE, error_out=False)
    return render_template("admin/audit.html", page=page, action=action, labels=audit.ACTION_LABELS)
