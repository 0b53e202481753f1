"""Managers' completion report: aggregation by unit and post, scope, drill-down, export."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from app.courses import plans
from app.courses.models import Course
from app.courses.services import heartbeat
from app.reports.services import completion
from tests.conftest import login
from tests.courses.conftest import T0


@pytest.fixture
def org(db, make_unit, make_user, posts, lessons):
    import sqlalchemy as sa

    dept = make_unit("组织部", kind="department")
    section = make_unit("干部室", parent=dept)
    other = make_unit("组织室", parent=dept)
    town = make_unit("城关镇", kind="town")
    people = {
        "boss": make_user(username="boss", roles=("manager",), org_unit=dept),
        "head": make_user(username="head", roles=("manager",), org_unit=section),
        "reader": make_user(username="reader", name="读者", org_unit=section, post=posts["cadre_officer"]),
        "idle": make_user(username="idle", name="未学", org_unit=section, post=posts["cadre_officer"]),
        "other": make_user(username="other", name="组织室干部", org_unit=other, post=posts["organization_officer"]),
        "villager": make_user(username="villager", name="镇干部", org_unit=town, post=posts["cadre_officer"]),
    }
    # The reader completes the whole cadre-selection course.
    for offset, key in ((0, "cs-initiation"), (1000, "cs-recommendation")):
        lesson = lessons[key]
        heartbeat(people["reader"], lesson, visible=True, at_end=True, now=T0 + timedelta(seconds=offset))
        for t in range(30, lesson.min_seconds + 31, 30):
            heartbeat(people["reader"], lesson, visible=True, at_end=True, now=T0 + timedelta(seconds=offset + t))
    training = db.session.scalar(sa.select(Course).where(Course.key == "self-building"))
    plans.assign(training, due_on=date(2026, 1, 1), by=people["boss"], org_unit=other)  # overdue
    db.session.commit()
    return {"dept": dept, "section": section, "other": other, "town": town, **people}


TODAY = date(2026, 11, 25)


def test_aggregates_by_unit_and_post_within_the_scope(db, org):
    report = completion(org["boss"], TODAY)
    assert {p.user.username for p in report.people} == {"reader", "idle", "other"}  # cadres only
    rows = {r.label: r.counts for r in report.by_unit}
    assert (rows["干部室"].people, rows["干部室"].required, rows["干部室"].completed) == (2, 2, 1)
    assert (rows["干部室"].lessons, rows["干部室"].lessons_completed) == (4, 2)
    assert (rows["组织室"].required, rows["组织室"].overdue) == (1, 1)
    posts = {r.label: r.counts for r in report.by_post}
    assert posts["干部工作岗"].completed == 1 and posts["干部工作岗"].people == 2
    assert report.total.completed == 1 and report.total.required == 3


def test_a_section_head_sees_only_the_section(db, org):
    report = completion(org["head"], TODAY)
    assert {p.user.username for p in report.people} == {"reader", "idle"}


def test_one_completed_lesson_shows_before_the_course_is_done(client, db, org, lessons):
    lesson = lessons["cs-initiation"]
    heartbeat(org["idle"], lesson, visible=True, at_end=True, now=T0)
    for t in range(30, lesson.min_seconds + 31, 30):
        heartbeat(org["idle"], lesson, visible=True, at_end=True, now=T0 + timedelta(seconds=t))
    db.session.commit()
    row = next(p for p in completion(org["head"], TODAY).people if p.user.username == "idle")
    assert (row.counts.completed, row.counts.lessons_completed, row.counts.lessons) == (0, 1, 2)
    login(client, "head")
    html = client.get("/reports/completion").get_data(as_text=True)
    assert "1 / 2" in html


def test_drill_down_by_post(client, org, posts):
    assert completion(org["boss"], TODAY).post is None  # no post chosen, none reported
    login(client, "boss")
    html = client.get("/reports/completion").get_data(as_text=True)
    assert "全部岗位" not in html
    assert f"post={posts['cadre_officer'].id}" in html
    drill = client.get(f"/reports/completion?post={posts['organization_officer'].id}").get_data(as_text=True)
    assert "组织室干部" in drill and "读者" not in drill
    assert client.get("/reports/completion?post=99999").status_code == 404


def test_page_shows_tables_chart_and_drill_down(client, org):
    login(client, "boss")
    html = client.get("/reports/completion").get_data(as_text=True)
    assert "干部室" in html and "组织室" in html and "城关镇" not in html
    assert 'id="completion-chart-data"' in html and "echarts.min.js" in html
    drill = client.get(f"/reports/completion?unit={org['section'].id}").get_data(as_text=True)
    assert "读者" in drill and "组织室干部" not in drill


def test_another_subtree_answers_404(client, org):
    login(client, "head")
    assert client.get(f"/reports/completion?unit={org['other'].id}").status_code == 404
    assert client.get(f"/reports/completion.xlsx?unit={org['town'].id}").status_code == 404


def test_cadres_cannot_open_the_report(client, org):
    login(client, "reader")
    assert client.get("/reports/completion").status_code == 403


def test_xlsx_export_has_three_sheets_and_escapes_formulas(client, db, org):
    org["idle"].name = "=HYPERLINK(1)"
    db.session.commit()
    login(client, "boss")
    response = client.get("/reports/completion.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["按组织单位", "按岗位", "人员"]
    names = [row[0].value for row in book["人员"].iter_rows(min_row=2)]
    assert "'=HYPERLINK(1)" in names
    assert book["人员"].cell(2, 7).number_format == "0.0%"
    header = [c.value for c in book["人员"][1]]
    # 课时 reads as class hours: lessons are 课节, and study time is in 学时.
    assert "计划内课节数" in header and "已完成课节" in header and "课程内容管理" not in header
    assert "学习学时" in header


def test_study_time_in_class_hours_per_person_unit_and_post(client, db, org, lessons):
    reader = next(p for p in completion(org["boss"], TODAY).people if p.user.username == "reader")
    studied = reader.counts.seconds
    assert studied >= lessons["cs-initiation"].min_seconds + lessons["cs-recommendation"].min_seconds
    report = completion(org["boss"], TODAY)
    units = {r.label: r.counts for r in report.by_unit}
    assert units["干部室"].seconds == studied and units["组织室"].seconds == 0
    assert report.total.seconds == studied
    login(client, "boss")
    html = client.get("/reports/completion").get_data(as_text=True)
    assert "已完成课节" in html and "已完成课时" not in html and "学习时长" in html
    hours = f"{studied / 2700:.1f}".removesuffix(".0") + " 学时"
    assert hours in html
    assert "<th>姓名</th>" in html
    book = load_workbook(io.BytesIO(client.get("/reports/completion.xlsx").data))
    people = book["人员"]
    column = [c.value for c in people[1]].index("学习学时") + 1
    values = {people.cell(r, 1).value: people.cell(r, column).value for r in range(2, people.max_row + 1)}
    assert values["读者"] == round(studied / 2700, 1) and values["未学"] == 0


def test_overdue_is_visible_on_a_phone(client, org):
    login(client, "boss")
    html = client.get("/reports/completion").get_data(as_text=True)
    # The tables turn into cards below 768 px; the overdue badge sits beside the name there.
    assert "table-cards" in html
    assert '<span class="d-md-none ms-1"><span class="badge text-bg-danger" data-testid="overdue">已逾期 1</span>' in html
