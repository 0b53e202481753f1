"""The importer: dry runs, all-or-nothing, duplicates, publishing, the CLI and the API."""

import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.accounts.models import AuditEntry
from app.questions.importer import ImportFailed, import_questions
from app.questions.models import Question, QuestionVersion
from tests.conftest import api_token

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)

YAML = """\
area: organization
questions:
  - id: org-0001
    type: true_false
    tier: basic
    difficulty: 1
    stem: 预备党员的预备期为一年。
    answer: true
    explanation: 党章规定预备期为一年。
  - id: org-0002
    type: single_choice
    tier: basic
    difficulty: 2
    stem: 支部党员大会一般多久召开一次？
    options: {A: 每月, B: 每季度, C: 每半年}
    answer: B
    explanation: 一般每季度召开一次。
"""


def count(db, model=Question):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def run(data, fmt="yaml", **kwargs):
    kwargs.setdefault("actor", None)
    return import_questions(data.encode() if isinstance(data, str) else data, fmt=fmt,
                            filename=f"x.{fmt}", now=NOW, **kwargs)


def test_dry_run_reports_and_writes_nothing(db):
    report = run(YAML, dry_run=True)
    assert (report.valid, report.imported, report.errors, report.question_ids) == (2, 2, [], [])
    assert count(db) == 0  # "imported" says what the real import would do


def test_import_creates_drafts_with_a_version(db):
    report = run(YAML)
    db.session.commit()
    assert report.imported == 2 and len(report.question_ids) == 2
    q = db.session.get(Question, report.question_ids[1])
    assert (q.status, q.version, q.type, q.source_key) == ("draft", 1, "single_choice", "org-0002")
    assert q.current_version.content["answer"] == "B"


def test_importing_the_same_file_twice_adds_nothing(db):
    run(YAML)
    db.session.commit()
    again = run(YAML)
    assert (again.imported, again.skipped) == (0, 2)
    assert count(db) == 2


def test_the_same_questions_from_another_format_are_duplicates(db, interop):
    data = (interop / "aiken/questions.aiken.txt").read_bytes()
    run(data, fmt="aiken")
    db.session.commit()
    assert run(data, fmt="aiken").skipped == 2


def test_a_question_repeated_in_one_file_is_imported_once_and_said_so(db, interop):
    report = run((interop / "gift/questions.gift.txt").read_bytes(), fmt="gift")
    assert report.imported == 6
    [repeat] = [s for s in report.skipped_items if "2-08 TSL" in str(s.message)]
    assert "本文件第" in str(repeat.message) and "题库中已有" not in str(repeat.message)


def test_a_file_with_errors_imports_nothing_unless_asked(db):
    broken = YAML + """\
  - id: org-0003
    type: single_choice
    tier: basic
    stem: 错误的题
    options: {A: 甲, B: 乙}
    answer: Z
"""
    report = run(broken)
    assert report.imported == 0 and count(db) == 0
    [error] = report.errors
    assert error.location == 18 and "org-0003" in str(error.message)
    partial = run(broken, allow_partial=True)
    assert partial.imported == 2 and len(partial.errors) == 1


def test_publishing_on_import_is_audited(db):
    report = run(YAML, publish=True)
    db.session.commit()
    assert {q.status for q in db.session.scalars(sa.select(Question))} == {"published"}
    assert all(v.frozen for v in db.session.scalars(sa.select(QuestionVersion)))
    assert db.session.scalar(sa.select(AuditEntry.action)) == "questions.import_published"
    assert report.imported == 2


def test_a_changed_keyed_question_becomes_a_new_version(db):
    run(YAML, publish=True)
    db.session.commit()
    changed = YAML.replace("党章规定预备期为一年。", "《中国共产党章程》规定预备期为一年。")
    report = run(changed, publish=True)
    db.session.commit()
    assert (report.imported, report.skipped) == (1, 1)
    q = db.session.scalar(sa.select(Question).where(Question.source_key == "org-0001"))
    assert q.version == 2 and q.status == "published"
    assert [v.version for v in q.versions] == [2, 1]
    assert q.versions[1].content["explanation"] == "党章规定预备期为一年。"  # the old one stays


def test_unsupported_types_are_reported_not_dropped(db, interop):
    report = run((interop / "gift/questions.gift.txt").read_bytes(), fmt="gift")
    # 9 questions: 7 we support, of which the last two are the same true/false question
    # ({T} and {TRUE}), which the bank keeps once; matching and numerical are skipped.
    assert report.imported == 6 and report.skipped == 3
    assert {s.location for s in report.skipped_items} == {5, 31, 49}


def test_the_invalid_moodle_grades_file_is_refused(db, interop):
    report = run((interop / "moodle_xml/error_invalid_grades.xml").read_bytes(), fmt="moodle_xml")
    assert report.imported == 0 and report.errors and count(db) == 0


def test_non_utf8_is_refused_with_a_clear_message(db, interop):
    with pytest.raises(ImportFailed) as caught:
        run((interop / "gift/questions_encoding_windows-1252.gift.txt").read_bytes(), fmt="gift")
    assert "UTF-8" in str(caught.value.message)


def test_html_stems_are_sanitized(db):
    gift_text = "::evil::[html]<p onclick='x()'>题干<script>alert(1)</script></p>{TRUE}"
    report = run(gift_text, fmt="gift")
    db.session.commit()
    stem = db.session.get(Question, report.question_ids[0]).current_version.content["stem"]
    assert "<script" not in stem and "onclick" not in stem and "<p>题干" in stem


def test_yaml_lesson_must_exist(db):
    text = YAML.replace("    explanation: 党章规定预备期为一年。", "    explanation: x\n    lesson: nowhere/nothing")
    report = run(text)
    assert report.imported == 0 and "nowhere/nothing" in str(report.errors[0].message)


@pytest.mark.parametrize("data, fmt, message", [
    ("", "yaml", "空"),
    ("questions: [", "yaml", "YAML"),
    ("just text", "yaml", "questions"),
    (b"PK\x03\x04junk", "xlsx", "xlsx"),
])
def test_bad_files_get_a_clear_error(db, data, fmt, message):
    with pytest.raises(ImportFailed) as caught:
        run(data, fmt=fmt)
    assert message in str(caught.value.message)


def test_cli_imports_a_folder_with_a_summary(app, db, tmp_path):
    (tmp_path / "organization.yaml").write_text(YAML, encoding="utf-8")
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["questions", "import", str(tmp_path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "可导入 2 道" in dry.output and count(db) == 0  # the command line speaks Chinese
    real = runner.invoke(args=["questions", "import", str(tmp_path), "--publish"])
    assert real.exit_code == 0 and "已导入 2 道" in real.output
    again = runner.invoke(args=["questions", "import", str(tmp_path), "--publish"])
    assert "已导入 0 道，跳过 2 道" in again.output


def test_cli_reports_errors_and_imports_nothing(app, db, interop):
    result = app.test_cli_runner().invoke(args=["questions", "import",
                                               str(interop / "aiken/aiken_errors.txt"), "--format", "aiken"])
    assert result.exit_code != 0
    assert "aiken_errors.txt:3" in result.output and "aiken_errors.txt:18" in result.output
    assert count(db) == 0


@pytest.fixture
def trainer_headers(client, make_user):
    make_user(username="trainer", roles=("trainer",))
    return api_token(client, "trainer")


def upload(client, headers, data, fmt, **form):
    return client.post("/api/v1/question-imports", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), f"bank.{fmt}"), "format": fmt, **form})


def test_api_dry_run_then_import(client, db, trainer_headers):
    dry = upload(client, trainer_headers, YAML.encode(), "yaml", dry_run="true")
    body = dry.get_json()
    assert dry.status_code == 200 and body["dry_run"] is True and body["question_ids"] == []
    assert body["imported"] == 2 and body["errors"] == [] and body["valid"] == 2
    assert upload(client, trainer_headers, YAML.encode(), "yaml", dry_run="maybe").status_code == 422
    real = upload(client, trainer_headers, YAML.encode(), "yaml", dry_run="false")
    body = real.get_json()
    assert body["imported"] == 2 and len(body["question_ids"]) == 2 and body["skipped"] == 0
    listing = client.get("/api/v1/questions?type=single_choice", headers=trainer_headers).get_json()
    assert listing["total"] == 1 and listing["questions"][0]["stem"] == "支部党员大会一般多久召开一次？"
    assert set(listing["questions"][0]) >= {"id", "type", "stem", "area", "tier", "status", "version"}


def test_api_reports_rows_for_spreadsheets(client, trainer_headers):
    from tests.questions.test_formats import sheet

    data = sheet([("题", "单选题", "Z", "", "甲", "乙", "", "", "", "", "")])
    body = upload(client, trainer_headers, data, "xlsx", dry_run="false").get_json()
    assert body["imported"] == 0 and body["errors"][0]["row"] == 2


def test_api_refuses_bad_requests(client, trainer_headers):
    assert upload(client, trainer_headers, b"x", "docx").status_code == 422
    no_file = client.post("/api/v1/question-imports", headers=trainer_headers, data={"format": "yaml"})
    assert no_file.status_code == 422
    bad = upload(client, trainer_headers, b"\xff\xfe\x00", "gift")
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_file"


def test_api_is_for_trainers(client, make_user):
    make_user(username="cadre01")
    headers = api_token(client, "cadre01")
    assert upload(client, headers, YAML.encode(), "yaml").status_code == 403
    assert client.get("/api/v1/questions", headers=headers).status_code == 403


def test_api_messages_follow_the_language(client, trainer_headers, interop):
    data = (interop / "aiken/aiken_errors.txt").read_bytes()
    en = upload(client, {**trainer_headers, "Accept-Language": "en"}, data, "aiken").get_json()
    assert "fewer than two options" in en["errors"][0]["message"]
    assert en["errors"][0]["line"] == 3
