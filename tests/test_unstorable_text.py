"""Text the database would refuse is refused first, with its line or row (on PostgreSQL these
were 500s: SQLite stores NUL and over-long strings without a word)."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from app.accounts.models import AuditEntry, User
from app.questions.models import Question
from tests.conftest import api_token, csrf_token, login


@pytest.fixture
def trainer_headers(client, make_user):
    make_user(username="trainer", roles=("trainer",))
    return api_token(client, "trainer")


def upload(client, headers, data: bytes, fmt: str, filename: str | None = None, **form):
    return client.post("/api/v1/question-imports", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), filename or f"bank.{fmt}"), "format": fmt, **form})


def count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Question))


@pytest.mark.parametrize("fmt, data, line", [
    ("gift", b"::a:: good {T}\n\n::b:: bad \x00 text {T}\n", 3),
    ("aiken", b"Good?\nA) a\nB) b\nANSWER: A\n\nBad\x00?\nA) a\nB) b\nANSWER: A\n", 6),
])
def test_a_nul_in_a_text_file_is_refused_with_its_line(client, trainer_headers, fmt, data, line):
    response = upload(client, trainer_headers, data, fmt, dry_run="false")
    assert response.status_code == 422
    assert f"第 {line} 行" in response.get_json()["error"]["message"]


LONG_ID = "k" * 121
GOOD_YAML = "  - {id: good-1, type: true_false, stem: 预备期为一年。, answer: true}\n"


@pytest.mark.parametrize("fmt, data, line", [
    ("yaml", f"questions:\n{GOOD_YAML}  - id: {LONG_ID}\n    type: true_false\n    stem: x\n    answer: true\n",
     3),
    ("yaml", f'questions:\n{GOOD_YAML}  - {{type: essay, stem: "a\\0b"}}\n', 3),
    ("gift", f"::good:: 预备期为一年。{{T}}\n\n// [id:{LONG_ID}]\n::long:: x {{T}}\n", 4),
    ("gift", f"::good:: 预备期为一年。{{T}}\n\n$CATEGORY: {'c' * 301}\n\n::long:: x {{T}}\n", 5),
    ("moodle_xml", '<quiz><question type="truefalse"><name><text>good</text></name><questiontext><text>好</text>'
                   '</questiontext><answer fraction="100"><text>true</text></answer><answer fraction="0"><text>'
                   'false</text></answer></question>\n<question type="essay"><name><text>long</text></name>'
                   f'<questiontext><text>x</text></questiontext><idnumber>{LONG_ID}</idnumber></question></quiz>',
     2),
], ids=["yaml-id", "yaml-nul", "gift-id", "gift-category", "moodle-idnumber"])
def test_what_the_database_refuses_is_an_error_of_its_question(client, db, trainer_headers, fmt, data, line):
    refused = upload(client, trainer_headers, data.encode("utf-8", "surrogatepass"), fmt, dry_run="false")
    body = refused.get_json()
    assert refused.status_code == 200 and body["imported"] == 0
    assert [e["line"] for e in body["errors"]] == [line]
    partial = upload(client, trainer_headers, data.encode("utf-8", "surrogatepass"), fmt, dry_run="false",
                     allow_partial="true")
    assert partial.status_code == 200 and partial.get_json()["imported"] == 1
    assert count(db) == 1


def test_a_yaml_surrogate_escape_is_a_malformed_file(client, trainer_headers):
    data = f'questions:\n{GOOD_YAML}  - {{type: essay, stem: "x", tags: ["\\ud800"]}}\n'.encode()
    assert upload(client, trainer_headers, data, "yaml", dry_run="false").status_code == 422


def test_a_long_xlsx_id_names_its_row(client, trainer_headers):
    book = Workbook()
    sheet = book.active
    sheet.append(["题目", "类型", "答案", "编号"])
    sheet.append(["好题", "判断题", "对", "ok-1"])
    sheet.append(["长编号", "判断题", "对", LONG_ID])
    buffer = io.BytesIO()
    book.save(buffer)
    body = upload(client, trainer_headers, buffer.getvalue(), "xlsx", dry_run="true").get_json()
    assert [e["row"] for e in body["errors"]] == [3] and "120" in body["errors"][0]["message"]


def test_a_nul_in_the_upload_file_name_is_dropped(client, db, trainer_headers):
    response = upload(client, trainer_headers, b"questions:\n" + GOOD_YAML.encode(), "yaml",
                      filename="bank\x00.yaml", dry_run="false")
    assert response.status_code == 200 and response.get_json()["imported"] == 1
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "questions.import"))
    assert entry.summary == "bank.yaml"


@pytest.fixture
def admin(client, make_user, make_unit):
    make_unit("组织部", kind="department")
    make_user(username="root", roles=("admin",))
    login(client, "root")
    return client


def test_an_imported_user_name_over_64_characters_names_its_row(admin, db):
    csv = ("姓名,用户名,组织单位,岗位,角色,入职日期\n"
           f"{'张' * 65},zhang,组织部,,学员,\n"
           f"李四,{'l' * 65},组织部,,学员,\n").encode()
    response = admin.post("/admin/users/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(admin, "/admin/users/import"), "initial_password": "start-1234",
        "file": (io.BytesIO(csv), "users\x00.csv")})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<td>2</td><td>姓名 长度超过 64 个字符。</td>" in html
    assert "<td>3</td><td>用户名 长度超过 64 个字符。</td>" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


@pytest.mark.parametrize("target", ["/x\r\nSet-Cookie: a=b", "/x\nLocation: //evil", "/ok\x7f"])
def test_a_next_with_line_breaks_is_no_next(client, make_user, target):
    make_user(username="cadre01")
    response = client.post("/login?" + "next=" + target.replace("\r", "%0D").replace("\n", "%0A")
                           .replace(" ", "%20").replace("\x7f", "%7F"),
                           data={"username": "cadre01", "password": "test-pass-123",
                                 "csrf_token": csrf_token(client)})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    response = client.post("/locale/en", data={"next": target, "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302 and response.headers["Location"] == "/"
