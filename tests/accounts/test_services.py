"""Account services: post history, newcomers, the org tree queries."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.accounts import org, services
from app.accounts.models import User
from app.errors import Conflict, ValidationFailed


def test_changing_post_closes_the_old_one_and_keeps_history(db, make_user, make_post):
    first, second = make_post("干部工作岗"), make_post("组织工作岗")
    user = make_user(post=first, joined_on=date(2024, 1, 1))
    services.assign_post(user, second, start=date(2026, 3, 1))
    db.session.commit()
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.current_post.name == "组织工作岗"
    history = [(a.post.name, a.start_date, a.end_date) for a in user.post_history]
    assert history == [("干部工作岗", date(2024, 1, 1), date(2026, 3, 1)),
                       ("组织工作岗", date(2026, 3, 1), None)]


def test_changing_post_again_the_same_day_corrects_it_without_a_zero_length_stretch(db, make_user, make_post):
    first, second, third = make_post("干部工作岗"), make_post("组织工作岗"), make_post("远程教育岗")
    user = make_user(post=first, joined_on=date(2024, 1, 1))
    services.assign_post(user, second, start=date(2026, 3, 1))
    services.assign_post(user, third, start=date(2026, 3, 1))  # the admin picked the wrong post
    db.session.commit()
    db.session.expire_all()
    user = db.session.get(User, user.id)
    history = [(a.post.name, a.start_date, a.end_date) for a in user.post_history]
    assert history == [("干部工作岗", date(2024, 1, 1), date(2026, 3, 1)),
                       ("远程教育岗", date(2026, 3, 1), None)]


def test_a_new_post_cannot_start_before_the_current_one(db, make_user, make_post):
    user = make_user(post=make_post(), joined_on=date(2025, 1, 1))
    with pytest.raises(ValidationFailed):
        services.assign_post(user, make_post(), start=date(2024, 6, 1))


@pytest.mark.parametrize("joined, newcomer", [
    (date(2026, 11, 24), True), (date(2025, 11, 26), True),
    (date(2025, 11, 25), False), (None, False),
])
def test_newcomers_joined_within_twelve_months(make_user, joined, newcomer):
    user = make_user(joined_on=joined)
    assert services.is_newcomer(user, date(2026, 11, 25)) is newcomer


def test_subtree_query_and_name_paths(db, make_unit):
    dept = make_unit("组织部", kind="department")
    section = make_unit("干部室", parent=dept)
    make_unit("城关镇", kind="town")
    ids = set(db.session.scalars(sa.select(org.OrgUnit.id).where(org.subtree_filter(dept))))
    assert ids == {dept.id, section.id}
    labels = [node.label for node in org.tree()]
    assert labels == ["城关镇", "组织部", "组织部/干部室"] or labels == ["组织部", "组织部/干部室", "城关镇"]
    assert org.find_by_path(" 组织部 / 干部室 ").id == section.id
    assert org.find_by_path("干部室") is None


def test_names_with_a_slash_are_refused(db, make_unit):
    with pytest.raises(ValidationFailed):
        org.create_unit("甲/乙")


def test_same_name_under_the_same_parent_is_a_conflict(db, make_unit):
    dept = make_unit("组织部", kind="department")
    make_unit("干部室", parent=dept)
    with pytest.raises(Conflict):
        org.create_unit("干部室", parent=dept)


def test_short_or_single_kind_passwords_are_refused():
    for weak in ("abc123", "abcdefghij", "1234567890"):
        with pytest.raises(ValidationFailed):
            services.check_password_strength(weak)
    services.check_password_strength("abcd-1234")
