"""`flask handbook import`: create, update keeping progress, archive, refuse malformed files."""

import pytest
import sqlalchemy as sa

from app.courses.handbook import HandbookError, import_handbook, parse_directory
from app.courses.models import Course, Lesson, LessonProgress, LessonVersion, PostCourse
from tests.courses.conftest import ORIENTATION, SELECTION, T0, write_handbook


def test_import_builds_courses_modules_and_lessons(db, lessons):
    course = db.session.scalar(sa.select(Course).where(Course.key == "cadre-selection"))
    assert course.title == "干部选拔任用工作" and course.area == "cadre"
    assert [m.title for m in course.modules] == ["第一单元 程序"]
    assert [ls.key for ls in course.modules[0].lessons] == ["cs-initiation", "cs-recommendation"]
    assert lessons["cs-initiation"].min_seconds == 60
    assert lessons["cs-recommendation"].min_seconds == 90
    assert "<table>" in lessons["cs-recommendation"].html
    assert lessons["cs-initiation"].toc[0]["title"] == "一、分析研判"
    assert "本课程介绍干部选拔任用" in course.intro_html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PostCourse)) == 1
    orientation = db.session.scalar(sa.select(Course).where(Course.key == "self-building"))
    assert orientation.orientation


def test_reimport_updates_changed_lessons_and_keeps_progress(db, lessons, handbook_dir, make_user):
    user = make_user()
    lesson = lessons["cs-initiation"]
    db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id, seconds=42, opened_at=T0))
    db.session.commit()
    changed = SELECTION.replace("动议前要分析研判", "动议前必须先分析研判")
    write_handbook(handbook_dir, {"01-cadre-selection.md": changed, "09-self-building.md": ORIENTATION})
    report = import_handbook(handbook_dir, now=T0)
    db.session.commit()
    assert report.updated == ("cadre-selection/cs-initiation",)
    assert report.created == () and report.archived == ()
    assert report.unchanged == 2
    db.session.expire_all()
    lesson = db.session.get(Lesson, lesson.id)
    assert "必须先分析研判" in lesson.html and lesson.version == 2
    assert db.session.get(LessonProgress, (user.id, lesson.id)).seconds == 42
    versions = db.session.scalars(sa.select(LessonVersion.version).where(
        LessonVersion.lesson_id == lesson.id).order_by(LessonVersion.version)).all()
    assert versions == [1, 2]


def test_vanished_lessons_and_courses_are_archived_not_deleted(db, lessons, handbook_dir):
    without = SELECTION[:SELECTION.index("## 民主推荐")].replace(
        "lesson_seconds:\n  cs-recommendation: 90\n", "")
    write_handbook(handbook_dir, {"01-cadre-selection.md": without})
    report = import_handbook(handbook_dir, now=T0)
    db.session.commit()
    assert set(report.archived) == {"cadre-selection/cs-recommendation", "self-building/sb-fairness",
                                    "self-building"}
    db.session.expire_all()
    assert db.session.get(Lesson, lessons["cs-recommendation"].id).status == "archived"
    assert db.session.scalar(sa.select(Course.status).where(Course.key == "self-building")) == "archived"
    # Bringing it back revives the same row.
    write_handbook(handbook_dir, {"01-cadre-selection.md": SELECTION, "09-self-building.md": ORIENTATION})
    import_handbook(handbook_dir, now=T0)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Lesson, lessons["cs-recommendation"].id).status == "published"


def test_unchanged_file_keeps_a_browser_edit(db, lessons, handbook_dir, make_user):
    from app.courses.services import edit_lesson

    editor = make_user(roles=("trainer",))
    lesson = db.session.get(Lesson, lessons["cs-initiation"].id)
    edit_lesson(lesson, title="动议", body_md="培训管理员改过的正文。", min_seconds=60, editor=editor, now=T0)
    db.session.commit()
    import_handbook(handbook_dir, now=T0)
    db.session.commit()
    db.session.expire_all()
    assert "培训管理员改过的正文" in db.session.get(Lesson, lesson.id).html


@pytest.mark.parametrize("broken, line, reason", [
    (SELECTION.replace("## 动议 {#cs-initiation}", "## 动议"), 18, "{#lesson-key}"),
    (SELECTION.replace("area: cadre", "area: sports"), 2, "unknown area"),
    (SELECTION.replace("min_seconds: 60", "min_seconds: -5"), 2, "positive"),
    (SELECTION.replace("tier: basic", "tier: [oops"), 5, "YAML"),  # where the broken value starts
    (SELECTION.replace("cs-recommendation}", "cs-initiation}"), 24, "repeats line 18"),
    (SELECTION.replace("---\n\n本课程", "\n本课程", 1), 1, "closing"),
    (SELECTION.replace("# 第一单元 程序\n", ""), 17, "module heading"),
])
def test_malformed_file_names_file_line_and_reason(db, posts, handbook_dir, broken, line, reason):
    write_handbook(handbook_dir, {"01-cadre-selection.md": broken, "09-self-building.md": ORIENTATION})
    with pytest.raises(HandbookError) as caught:
        import_handbook(handbook_dir, now=T0)
    assert caught.value.path.endswith("01-cadre-selection.md")
    assert caught.value.line == line
    assert reason in caught.value.reason


def test_a_bad_file_imports_nothing_from_the_good_ones(app, db, posts, handbook_dir):
    write_handbook(handbook_dir, {"01-cadre-selection.md": SELECTION,
                                  "09-self-building.md": ORIENTATION.replace("{#sb-fairness}", "")})
    result = app.test_cli_runner().invoke(args=["handbook", "import", str(handbook_dir)])
    assert result.exit_code != 0
    assert "09-self-building.md:" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Course)) == 0


def test_unknown_post_code_is_refused(db, posts, handbook_dir):
    write_handbook(handbook_dir, {"01-cadre-selection.md": SELECTION.replace(
        "posts: [cadre_officer]", "posts: [nobody_post]")})
    with pytest.raises(HandbookError, match="nobody_post"):
        import_handbook(handbook_dir, now=T0)


def test_cli_prints_what_changed(app, db, posts, handbook_dir):
    first = app.test_cli_runner().invoke(args=["handbook", "import", str(handbook_dir)])
    assert first.exit_code == 0, first.output
    assert "created  cadre-selection/cs-initiation" in first.output
    again = app.test_cli_runner().invoke(args=["handbook", "import", str(handbook_dir)])
    assert "0 created, 0 updated, 0 archived, 3 unchanged" in again.output


def test_script_in_a_lesson_never_runs(db, posts, handbook_dir):
    evil = SELECTION.replace("动议前要分析研判领导班子和干部队伍情况。",
                             '<script>alert(1)</script><img src=x onerror="alert(1)">'
                             '[点我](javascript:alert(1))')
    write_handbook(handbook_dir, {"01-cadre-selection.md": evil})
    import_handbook(handbook_dir, now=T0)
    html = db.session.scalar(sa.select(Lesson.html).where(Lesson.key == "cs-initiation"))
    assert "<script" not in html and "<img" not in html
    assert "javascript:" not in html.replace("[点我](javascript:alert(1))", "")
    assert "&lt;script&gt;" in html


def test_the_shipped_handbook_parses():
    from pathlib import Path

    directory = Path(__file__).resolve().parents[2] / "handbook"
    if not any(directory.glob("*.md")):
        pytest.skip("the handbook is not written yet")
    courses = parse_directory(directory)
    lessons = [ls for c in courses for m in c.modules for ls in m.lessons]
    assert len(courses) >= 8
    assert len(lessons) >= 40
