"""Bulk user import: dry run, every bad row reported, all-or-nothing."""

import io
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from app.accounts.models import AuditEntry, User
from app.accounts.user_import import import_users
from app.errors import ValidationFailed
from tests.conftest import TODAY, csrf_token, login

HEADER = ["姓名", "用户名", "组织单位", "岗位", "角色", "入职日期"]


@pytest.fixture
def tree(make_unit, make_post):
    dept = make_unit("组织部", kind="department")
    make_unit("干部室", parent=dept)
    make_post("干部工作岗", code="cadre_officer")
    return dept


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    lines = [",".join(HEADER)] + [",".join(str(c) for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def count_users(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


GOOD = [
    ["张三", "zhangsan", "组织部/干部室", "干部工作岗", "学员", "2024-03-01"],
    ["李四", "lisi", "组织部", "", "学员、培训管理员", "2025/7/15"],
]


def test_dry_run_checks_and_imports_nothing(db, tree):
    report = import_users("u.csv", csv_bytes(GOOD), initial_password="start-1234", actor=None,
                          today=TODAY, dry_run=True)
    assert report.ok and not report.imported
    assert report.usernames == ("zhangsan", "lisi")
    assert count_users(db) == 0


def test_good_csv_imports_every_row(db, tree):
    report = import_users("u.csv", csv_bytes(GOOD), initial_password="start-1234", actor=None,
                          today=TODAY, dry_run=False)
    db.session.commit()
    assert report.imported
    lisi = db.session.scalar(sa.select(User).where(User.username == "lisi"))
    assert lisi.roles == ["cadre", "trainer"]
    assert lisi.joined_on == date(2025, 7, 15)
    assert lisi.must_change_password
    zhang = db.session.scalar(sa.select(User).where(User.username == "zhangsan"))
    assert zhang.current_post.code == "cadre_officer"
    assert zhang.org_unit.name == "干部室"
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.action == "user.import"))


def test_every_bad_row_is_listed_and_nothing_is_imported(db, tree, make_user):
    make_user(username="taken")
    rows = GOOD + [
        ["", "noname", "组织部", "", "学员", ""],                       # row 4
        ["王五", "taken", "组织部", "", "学员", ""],                     # row 5
        ["赵六", "zhangsan", "组织部", "", "学员", ""],                  # row 6 repeats row 2
        ["钱七", "qianqi", "组织部/不存在", "", "学员", ""],               # row 7
        ["孙八", "sunba", "组织部", "不存在岗", "学员", ""],               # row 8
        ["周九", "zhoujiu", "组织部", "", "校长", ""],                    # row 9
        ["吴十", "wushi", "组织部", "", "学员", "2024-13-40"],            # row 10
        ["郑一", "zheng yi", "组织部", "", "学员", "2099-01-01"],         # row 11: two problems
    ]
    report = import_users("u.csv", csv_bytes(rows), initial_password="start-1234", actor=None,
                          today=TODAY, dry_run=False)
    assert not report.imported
    assert count_users(db) == 1
    by_row = {}
    for error in report.errors:
        by_row.setdefault(error.row, []).append(error.message)
    assert sorted(by_row) == [4, 5, 6, 7, 8, 9, 10, 11]
    assert "姓名" in by_row[4][0]
    assert "taken" in by_row[5][0]
    assert "第 2 行" in by_row[6][0]
    assert "组织部/不存在" in by_row[7][0]
    assert "不存在岗" in by_row[8][0]
    assert "校长" in by_row[9][0]
    assert "2024-13-40" in by_row[10][0]
    assert len(by_row[11]) == 2


def test_xlsx_with_date_cells_and_extra_columns(db, tree):
    header = HEADER + ["备注"]
    rows = [["张三", "zhangsan", "组织部/干部室", "cadre_officer", "cadre", datetime(2024, 3, 1), "x"]]
    report = import_users("u.xlsx", xlsx_bytes(rows, header), initial_password="start-1234",
                          actor=None, today=TODAY, dry_run=False)
    assert report.imported, report.errors
    db.session.commit()
    user = db.session.scalar(sa.select(User).where(User.username == "zhangsan"))
    assert user.joined_on == date(2024, 3, 1)


def test_gbk_csv_from_excel_is_read(db, tree):
    report = import_users("u.csv", csv_bytes(GOOD, encoding="gb18030"), initial_password="start-1234",
                          actor=None, today=TODAY, dry_run=True)
    assert report.ok, report.errors


@pytest.mark.parametrize("filename, data, message", [
    ("u.csv", b"", "空"),
    ("u.xlsx", b"not a zip", "xlsx"),
    ("u.txt", b"a,b", ".xlsx"),
    ("u.csv", "姓名,用户名\n张三,zs\n".encode(), "组织单位"),
    ("u.csv", ",".join(HEADER).encode(), "没有数据行"),
])
def test_unreadable_files_get_a_clear_error(app, db, tree, filename, data, message):
    with pytest.raises(ValidationFailed) as caught:
        import_users(filename, data, initial_password="start-1234", actor=None, today=TODAY,
                     dry_run=True)
    assert message in str(caught.value.message)


def test_merged_header_cells_are_reported(db, tree):
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "用户名", "组织单位", "岗位", "角色", "入职日期"])
    sheet.merge_cells("C1:D1")  # 岗位 disappears under the merge
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ValidationFailed) as caught:
        import_users("u.xlsx", buffer.getvalue(), initial_password="start-1234", actor=None,
                     today=TODAY, dry_run=True)
    assert "岗位" in str(caught.value.message)


def test_the_upload_page_shows_the_dry_run_report(client, make_user, tree):
    make_user(username="root", roles=("admin",))
    login(client, "root")
    rows = GOOD + [["", "bad", "组织部", "", "学员", ""]]
    response = client.post(
        "/admin/users/import",
        data={"csrf_token": csrf_token(client, "/admin/users/import"),
              "initial_password": "start-1234", "dry_run": "y",
              "file": (io.BytesIO(csv_bytes(rows)), "users.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "未导入任何数据" in html
    assert "<td>4</td>" in html


def test_the_upload_page_imports_a_good_file(client, db, make_user, tree):
    make_user(username="root", roles=("admin",))
    login(client, "root")
    response = client.post(
        "/admin/users/import",
        data={"csrf_token": csrf_token(client, "/admin/users/import"),
              "initial_password": "start-1234",
              "file": (io.BytesIO(xlsx_bytes(GOOD)), "users.xlsx")},
        content_type="multipart/form-data",
    )
    assert "已导入 2 个用户" in response.get_data(as_text=True)
    assert count_users(db) == 3


def test_template_download(client, make_user):
    make_user(username="root", roles=("admin",))
    login(client, "root")
    response = client.get("/admin/users/import/template.xlsx")
    assert response.status_code == 200
    assert response.data[:2] == b"PK"
