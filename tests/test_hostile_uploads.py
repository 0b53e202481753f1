"""Hostile uploads: every importer answers within bounded time and memory.

Each file is made here, in the test (none is committed): the spreadsheet with cells at A1
and XFD1048576, the YAML alias bomb, the compressed sharedStrings.xml, the GIFT file with
three million questions, the workbook whose <dimension> claims the whole sheet, and
malformed XML inside a workbook. Each upload must answer (422 for a refused file) in under
2 s with under 200 MB more memory than before, measured with tracemalloc (every Python
allocation) and the process's peak resident size.
"""

from __future__ import annotations

import gc
import io
import resource
import time
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.questions.data import FormatError
from app.questions.formats import aiken, gift, moodle_xml, xlsx, yaml_format
from app.uploads import MAX_QUESTIONS
from tests.conftest import api_token, csrf_token, login

SECONDS = 2.0
MEGABYTES = 200


def bounded(call, seconds: float = SECONDS, megabytes: int = MEGABYTES):
    """Run `call` twice: timed (and the process's peak size watched), then traced by
    tracemalloc (which slows every allocation, so it is not timed). Returns the first result."""
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    started = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - started
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    gc.collect()
    tracemalloc.start()
    try:
        call()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.2f} s"
    assert rss_growth < megabytes * 1024, f"peak memory grew by {rss_growth / 1024:.0f} MB"
    assert peak < megabytes * 2**20, f"allocated {peak / 2**20:.0f} MB"
    return result


def raises(call, match: str):
    """`call` as a callable that must raise FormatError matching `match`."""
    def expecting():
        with pytest.raises(FormatError, match=match):
            call()
    return expecting


def multipart(fields: dict, filename: str, data: bytes) -> tuple[bytes, str]:
    """A form body encoded once, before any measure (and with no temporary file)."""
    boundary, body = encode_multipart({**fields, "file": FileStorage(io.BytesIO(data), filename)})
    return body, f"multipart/form-data; boundary={boundary}"


def workbook(cells: dict[str, object]) -> bytes:
    book = Workbook()
    sheet = book.active
    for ref, value in cells.items():
        sheet[ref] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite(data: bytes, changes: dict[str, bytes | None], extra: dict[str, bytes] | None = None) -> bytes:
    """The workbook `data` with some parts replaced (None: left out) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = changes.get(item.filename, source.read(item.filename))
            if body is not None:
                target.writestr(item.filename, body)
        for name, body in (extra or {}).items():
            target.writestr(name, body)
    return out.getvalue()


def part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


QUESTION_HEADER = {"A1": "题目", "B1": "类型", "C1": "答案", "A2": "预备期为一年。", "B2": "判断题", "C2": "对"}
USER_HEADER = {"A1": "姓名", "B1": "用户名", "C1": "组织单位", "D1": "岗位", "E1": "角色", "F1": "入职日期",
               "A2": "张三", "B2": "zhangsan", "C2": "组织部", "E2": "学员"}


def corner_bomb() -> bytes:
    """1.6 KB: cells at A1 and XFD1048576, which a reader that pads rows fills in between."""
    return workbook({"A1": "题目", "XFD1048576": "x"})


def dimension_bomb(cells: dict[str, object]) -> bytes:
    """A small workbook whose <dimension> claims every cell of the sheet."""
    data = workbook(cells)
    sheet = part(data, "xl/worksheets/sheet1.xml")
    start = sheet.index(b"<dimension")
    end = sheet.index(b"/>", start) + 2
    return rewrite(data, {"xl/worksheets/sheet1.xml": sheet[:start] + b'<dimension ref="A1:XFD1048576"/>'
                          + sheet[end:]})


def shared_strings_bomb() -> bytes:
    """A sharedStrings.xml of 200 MB packed into about 200 KB (written in chunks here)."""
    data = workbook(QUESTION_HEADER)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != "xl/sharedStrings.xml":
                target.writestr(item.filename, source.read(item.filename))
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as stream:
            stream.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
                         b'uniqueCount="1"><si><t>')
            chunk = b"A" * 2**20
            for _ in range(200):
                stream.write(chunk)
            stream.write(b"</t></si></sst>")
    return out.getvalue()


def with_dtd(data: bytes, name: str) -> bytes:
    body = part(data, name)
    head, _, rest = body.partition(b"?>")
    return rewrite(data, {name: head + b'?><!DOCTYPE x [<!ENTITY e "boom">]>' + rest})


SST = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>x</t></si></sst>'
SST_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def with_shared_strings(data: bytes, body: bytes) -> bytes:
    """The workbook with a string table `body` that openpyxl reads (named in the content types)."""
    types = part(data, "[Content_Types].xml").replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="' + SST_TYPE + b'"/></Types>')
    return rewrite(data, {"[Content_Types].xml": types}, {"xl/sharedStrings.xml": body})


def entity_in_shared_strings(data: bytes) -> bytes:
    """A string table that expands entities (the start of a billion-laughs bomb)."""
    return with_shared_strings(data, b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
                               b'<!ENTITY b "&a;&a;&a;&a;&a;">]>' + SST.replace(b"x", b"&b;"))


def broken_shared_strings(data: bytes) -> bytes:
    return with_shared_strings(data, SST[:-12])


YAML_BOMB = b"""\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
questions: [{type: essay, stem: *i}]
"""

XML_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<quiz><question type="essay"><name><text>&lol3;</text></name></question></quiz>
"""


@pytest.fixture
def trainer_headers(client, make_user):
    make_user(username="trainer", roles=("trainer",))
    return api_token(client, "trainer")


def upload_questions(client, headers, data: bytes, fmt: str):
    """A callable that posts `data` to the import API as a dry run."""
    body, content_type = multipart({"format": fmt, "dry_run": "true"}, f"bank.{fmt}", data)
    return lambda: client.post("/api/v1/question-imports", headers=headers, data=body,
                               content_type=content_type)


@pytest.fixture
def admin_client(client, make_user, make_unit):
    make_unit("组织部", kind="department")
    make_user(username="root", roles=("admin",))
    login(client, "root")
    return client


def upload_users(client, data: bytes, filename: str):
    """A callable that posts `data` to the user import page as a dry run."""
    body, content_type = multipart({"csrf_token": csrf_token(client, "/admin/users/import"),
                                    "initial_password": "start-1234", "dry_run": "y"}, filename, data)
    return lambda: client.post("/admin/users/import", data=body, content_type=content_type)


# The files of the probe, uploaded ---------------------------------------------------------

def test_corner_cells_are_read_without_the_rectangle_between(client, trainer_headers):
    data = corner_bomb()
    assert len(data) < 10_000
    response = bounded(upload_questions(client, trainer_headers, data, "xlsx"))
    assert response.status_code == 422
    assert "类型" in response.get_json()["error"]["message"]  # the header lacks 类型 and 答案


def test_a_far_empty_cell_does_not_stop_a_good_sheet(client, trainer_headers):
    data = workbook({**QUESTION_HEADER, "XFD1048576": " "})
    response = bounded(upload_questions(client, trainer_headers, data, "xlsx"))
    assert response.status_code == 200 and response.get_json()["imported"] == 1


def test_the_yaml_alias_bomb_is_refused(client, trainer_headers):
    assert len(YAML_BOMB) < 600
    response = bounded(upload_questions(client, trainer_headers, YAML_BOMB, "yaml"))
    assert response.status_code == 422
    assert "*name" in response.get_json()["error"]["message"]


def test_a_packed_shared_strings_part_is_refused_unopened(client, trainer_headers):
    data = shared_strings_bomb()
    assert len(data) < 2 * 2**20
    response = bounded(upload_questions(client, trainer_headers, data, "xlsx"))
    assert response.status_code == 422
    assert "sharedStrings.xml" in response.get_json()["error"]["message"]


def test_three_million_gift_questions_stop_at_the_bound(client, trainer_headers):
    data = b"Q{T}\n\n" * 3_000_000
    response = bounded(upload_questions(client, trainer_headers, data, "gift"))
    assert response.status_code == 422
    assert f"{MAX_QUESTIONS:,}" in response.get_json()["error"]["message"]


def test_a_dimension_claiming_the_whole_sheet_is_not_trusted(admin_client, db):
    data = dimension_bomb(USER_HEADER)
    assert len(data) < 10_000
    response = bounded(upload_users(admin_client, data, "users.xlsx"))
    assert response.status_code == 200
    assert "全部 1 行均有效" in response.get_data(as_text=True)  # read as one good row (a dry run)


@pytest.mark.parametrize("hostile", [
    lambda d: with_dtd(d, "xl/worksheets/sheet1.xml"),
    entity_in_shared_strings,
    broken_shared_strings,
    lambda d: with_dtd(d, "[Content_Types].xml"),
    lambda d: rewrite(d, {"xl/workbook.xml": b"<workbook"}),
    lambda d: rewrite(d, {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row><c t='s'><v>99</v></c>"}),
], ids=["dtd-in-sheet", "entity", "broken-shared-strings", "dtd-in-content-types", "broken-workbook",
        "dangling-string-index"])
def test_malformed_xml_inside_a_user_workbook_is_422(admin_client, hostile):
    response = bounded(upload_users(admin_client, hostile(workbook(USER_HEADER)), "users.xlsx"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "xlsx" in html or "DTD" in html


@pytest.mark.parametrize("hostile", [
    lambda d: with_dtd(d, "xl/worksheets/sheet1.xml"),
    entity_in_shared_strings,
    broken_shared_strings,
    lambda d: rewrite(d, {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row><c t='s'><v>99</v></c>"}),
], ids=["dtd-in-sheet", "entity", "broken-shared-strings", "dangling-string-index"])
def test_malformed_xml_inside_a_question_workbook_is_422(client, trainer_headers, hostile):
    response = bounded(upload_questions(client, trainer_headers, hostile(workbook(QUESTION_HEADER)), "xlsx"))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_file"


# The other bounds, format by format ------------------------------------------------------

@pytest.mark.parametrize("data, match", [
    (XML_BOMB, "DTD"),
    (b"<quiz>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</quiz>", "64"),
    (b"<quiz>" + b'<question type="essay"/>' * 500_000 + b"</quiz>", f"{MAX_QUESTIONS:,}"),
    (b"<quiz>" + b"<x/>" * 3_000_000 + b"</quiz>", f"{MAX_QUESTIONS:,}"),
], ids=["entities", "deep", "many-questions", "many-elements"])
def test_a_moodle_xml_past_a_bound_is_refused(app, data, match):
    bounded(raises(lambda: moodle_xml.parse(data), match))


def test_moodle_xml_still_reads_questions_after_the_first_chunk(app):
    one = (b'<question type="truefalse"><name><text>q%d</text></name><questiontext format="plain_text">'
           b'<text>stem %d</text></questiontext><answer fraction="100"><text>true</text></answer>'
           b'<answer fraction="0"><text>false</text></answer></question>\n')
    data = b"<quiz>\n" + b"".join(one % (i, i) for i in range(3000)) + b"</quiz>"
    assert len(data) > 256 * 1024
    result = moodle_xml.parse(data)
    assert len(result.questions) == 3000 and result.errors == []
    assert result.questions[-1].stem == "stem 2999" and result.questions[-1].line == 3001


@pytest.mark.parametrize("data, match", [
    (b"questions:\n" + b"  - {}\n" * (MAX_QUESTIONS + 1), f"{MAX_QUESTIONS:,}"),
    (b"- {}\n" * (MAX_QUESTIONS + 1), f"{MAX_QUESTIONS:,}"),
    (b"questions: " + b"[" * 10_000 + b"]" * 10_000, "1"),
], ids=["under-questions", "top-level-list", "deep"])
def test_yaml_past_a_bound_is_refused(app, data, match):
    bounded(raises(lambda: yaml_format.parse(data), match))


def test_yaml_at_the_bound_is_read(app):
    # Options mappings and rubric items are no questions: only the list's own items count.
    one = b"  - {type: single_choice, stem: s, options: {A: a, B: b}, answer: A, rubric: [{point: p}]}\n"
    assert len(yaml_format.parse(b"questions:\n" + one * 50).questions) == 50
    assert len(yaml_format.parse(b"- {}\n" * MAX_QUESTIONS).questions) == MAX_QUESTIONS


@pytest.mark.parametrize("fmt, data", [
    (aiken, b"".join(b"Q%d\nA) a\nB) b\nANSWER: A\n\n" % i for i in range(MAX_QUESTIONS + 1))),
    (aiken, b"Q\n" * 3_000_000),
    (gift, b"Q{}\n\n" * (MAX_QUESTIONS + 1)),
], ids=["aiken", "aiken-stems", "gift"])
def test_aiken_and_gift_past_the_bound_are_refused(app, fmt, data):
    bounded(raises(lambda: fmt.parse(data), f"{MAX_QUESTIONS:,}"))


def test_aiken_and_gift_at_the_bound_are_read(app):
    assert len(gift.parse(b"Q{T}\n\n" * MAX_QUESTIONS).questions) == MAX_QUESTIONS
    aiken_file = b"".join(b"Q%d\nA) a\nB) b\nANSWER: A\n\n" % i for i in range(MAX_QUESTIONS))
    assert len(aiken.parse(aiken_file).questions) == MAX_QUESTIONS


def test_xlsx_question_bound(app):
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["题目", "类型", "答案"])
    for i in range(MAX_QUESTIONS + 1):
        sheet.append([f"q{i}", "判断题", "对"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(FormatError, match=f"{MAX_QUESTIONS:,}"):
        xlsx.parse(buffer.getvalue())


def test_a_csv_of_empty_lines_or_too_many_users_is_refused_quickly(admin_client):
    response = bounded(upload_users(admin_client, b"\n" * 15_000_000, "users.csv"))
    assert response.status_code == 422
    header = "姓名,用户名,组织单位,岗位,角色,入职日期\n".encode()
    rows = b"".join(b"n,u%d,x,,cadre,\n" % i for i in range(10_001))
    response = bounded(upload_users(admin_client, header + rows, "users.csv"))
    assert response.status_code == 422 and "10,000" in response.get_data(as_text=True)


def test_a_workbook_with_too_many_parts_or_a_huge_part_is_refused(app):
    data = workbook(QUESTION_HEADER)
    many = rewrite(data, {}, {f"xl/media/{i}.bin": b"" for i in range(600)})
    with pytest.raises(FormatError):
        xlsx.parse(many)
    packed = rewrite(data, {}, {"xl/media/big.bin": b"\0" * (40 * 2**20)})
    with pytest.raises(FormatError, match="big.bin"):
        xlsx.parse(packed)


def test_a_real_looking_moodle_file_past_the_bound_is_refused_before_reading_questions(app):
    one = (b'<question type="multichoice"><name><text>q%d</text></name><questiontext format="html"><text>'
           b'<![CDATA[<p>stem %d</p>]]></text></questiontext><single>true</single>'
           + b"".join(b'<answer fraction="%d"><text>o%d</text><feedback><text>f</text></feedback></answer>'
                      % (100 if k == 0 else 0, k) for k in range(4)) + b"</question>\n")
    data = b"<quiz>\n" + b"".join(one % (i, i) for i in range(MAX_QUESTIONS + 1)) + b"</quiz>"
    bounded(raises(lambda: moodle_xml.parse(data), f"{MAX_QUESTIONS:,}"), seconds=3 * SECONDS)
