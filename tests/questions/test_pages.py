"""Question pages as trainers use them: versions, review buttons, edits that keep imported
details, dry runs, searches and the names files use."""

import io

import pytest
import sqlalchemy as sa

from app.questions import services
from app.questions.importer import import_questions
from app.questions.models import Question
from tests.conftest import csrf_token, login
from tests.questions.test_workflow import NOW, single

GIFT = """::animal:: Which is the best animal? {=Frog =%50%Cat}

::colours:: Which are colours? {~%50%yellow ~%50%orange ~%-100%red#no ~%-100%blue}
"""


@pytest.fixture
def trainers(make_user):
    return make_user(username="author", roles=("trainer",)), make_user(username="reviewer", roles=("trainer",))


def form_post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/teach/questions"), **data})


def test_an_earlier_version_shows_its_own_details_and_no_actions(client, db, trainers, lessons):
    author, reviewer = trainers
    q = services.save(single(difficulty=2), actor=author, now=NOW, lesson=lessons["cs-initiation"])
    services.submit(q, actor=author, now=NOW)
    services.approve(q, actor=reviewer, now=NOW)
    services.save(single(difficulty=4), actor=author, now=NOW, question=q, lesson=lessons["cs-recommendation"])
    db.session.commit()
    login(client, "author")
    old = client.get(f"/teach/questions/{q.id}?v=1").get_data(as_text=True)
    assert "难度 2" in old and "动议" in old and "民主推荐" not in old.split('data-testid="meta"')[1][:400]
    actions = old.split('data-testid="meta"')[0]
    assert f"/teach/questions/{q.id}/edit" not in actions and f"/teach/questions/{q.id}/submit" not in actions
    new = client.get(f"/teach/questions/{q.id}").get_data(as_text=True)
    assert "难度 4" in new and "/edit" in new


def test_the_review_buttons_show_only_to_someone_who_may_use_them(client, db, trainers):
    author, _reviewer = trainers
    q = services.save(single(), actor=author, now=NOW)
    services.submit(q, actor=author, now=NOW)
    db.session.commit()
    login(client, "author")
    mine = client.get(f"/teach/questions/{q.id}").get_data(as_text=True)
    assert "/approve" not in mine and "须由其他培训管理员审核" in mine
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "reviewer")
    assert "/approve" in client.get(f"/teach/questions/{q.id}").get_data(as_text=True)


def test_a_retired_question_opens_no_edit_form(client, db, trainers):
    author, reviewer = trainers
    q = services.save(single(), actor=author, now=NOW)
    services.retire(q, actor=reviewer, now=NOW)
    db.session.commit()
    login(client, "author")
    response = client.get(f"/teach/questions/{q.id}/edit")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/teach/questions/{q.id}")


def test_editing_the_explanation_keeps_imported_partial_credit_and_feedback(client, db, trainers):
    author, _ = trainers
    import_questions(GIFT.encode(), fmt="gift", filename="a.gift", actor=author, now=NOW)
    db.session.commit()
    animal, colours = db.session.scalars(sa.select(Question).order_by(Question.id)).all()
    login(client, "author")
    form = {"stem": "Which is the best animal?", "area": "cadre", "tier": "basic", "difficulty": 3,
            "lesson_id": 0, "usage": "both", "points": "1", "tags": "", "explanation": "A new explanation.",
            "blanks": "Frog|Cat"}
    assert form_post(client, f"/teach/questions/{animal.id}/edit", form).status_code == 302
    form = {**form, "stem": "Which are colours?", "option_a": "yellow", "option_b": "orange", "option_c": "red",
            "option_d": "blue", "multiple_answer": ["A", "B"], "blanks": ""}
    assert form_post(client, f"/teach/questions/{colours.id}/edit", form).status_code == 302
    db.session.expire_all()
    blanks = db.session.get(Question, animal.id).current_version.content["blanks"][0]
    assert {a["text"]: a["fraction"] for a in blanks} == {"Frog": 1.0, "Cat": 0.5}
    options = db.session.get(Question, colours.id).current_version.content["options"]
    assert [o["fraction"] for o in options] == [0.5, 0.5, -1.0, -1.0]
    assert options[2]["feedback"] == "no"
    assert "Cat (50%)" in client.get(f"/teach/questions/{animal.id}").get_data(as_text=True)


def test_a_dry_run_lists_what_it_would_import_and_claims_no_import(client, db, trainers):
    login(client, "author")
    page = client.post("/teach/questions/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/teach/questions/import"), "format": "gift", "area": "cadre",
        "tier": "basic", "dry_run": "y", "file": (io.BytesIO(GIFT.encode()), "a.gift")})
    html = page.get_data(as_text=True)
    assert 'data-testid="would-import"' in html and "animal：将导入。" in html
    assert "已导入" not in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0


def test_search_finds_half_width_text_from_full_width_input(client, db, trainers):
    services.save(single(stem="12380举报受理的范围是什么？"), actor=trainers[0], now=NOW)
    db.session.commit()
    login(client, "author")
    assert "12380举报受理" in client.get("/teach/questions?q=１２３８０").get_data(as_text=True)


def test_a_spreadsheet_sent_as_gift_is_named_for_what_it_is(db, trainers):
    from app.questions.importer import ImportFailed

    with pytest.raises(ImportFailed) as caught:
        import_questions(b"PK\x03\x04rest-of-a-zip", fmt="gift", filename="bank.xlsx", actor=None, now=NOW)
    assert "XLSX" in str(caught.value.message)


def test_the_export_warning_names_the_format(client, db, trainers):
    services.save(services.QuestionData(type="true_false", stem="对吗？", answer=True, explanation="对。",
                                        area="cadre", tier="basic", difficulty=1), actor=trainers[0], now=NOW)
    db.session.commit()
    login(client, "author")
    aiken = client.get("/teach/questions/export?format=aiken").get_data(as_text=True)
    assert "Aiken 格式无法容纳" in aiken


def test_markup_in_an_imported_name_is_shown_as_text(client, db, trainers):
    evil = '::<img src=x onerror=alert(1)><meta http-equiv\\="refresh" content\\="0;url\\=http://evil">:: only a description'
    login(client, "author")
    html = client.post("/teach/questions/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/teach/questions/import"), "format": "gift", "area": "cadre",
        "tier": "basic", "dry_run": "y", "file": (io.BytesIO(evil.encode()), "evil.gift")}).get_data(as_text=True)
    assert "<img src=x" not in html and "<meta http-equiv" not in html
    assert "&lt;img src=x" in html
