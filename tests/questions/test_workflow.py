"""Authoring, preview, review by another trainer, versions, retire: service and pages."""

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.errors import PermissionDenied, ValidationFailed
from app.questions import services
from app.questions.data import OptionData, QuestionData
from app.questions.models import Question, QuestionReview
from tests.conftest import csrf_token, login

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def single(**overrides) -> QuestionData:
    data = QuestionData(type="single_choice", stem="民主推荐结果一般在多长时间内有效？", answer="B",
                        options=[OptionData(k, t) for k, t in zip("ABCD", ["半年", "一年", "两年", "三年"], strict=True)],
                        explanation="一般在一年内有效。", area="cadre", tier="basic", difficulty=2)
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


@pytest.fixture
def trainers(make_user):
    return make_user(username="author", roles=("trainer",)), make_user(username="reviewer", roles=("trainer",))


def test_author_cannot_approve_their_own_question(db, trainers):
    author, reviewer = trainers
    q = services.save(single(), actor=author, now=NOW)
    services.submit(q, actor=author, now=NOW)
    with pytest.raises(PermissionDenied):
        services.approve(q, actor=author, now=NOW)
    services.approve(q, actor=reviewer, now=NOW)
    assert q.status == "published" and q.current_version.frozen


def test_the_author_of_an_earlier_version_may_approve_anothers_edit(db, trainers, make_user):
    author, reviewer = trainers
    q = services.save(single(), actor=author, now=NOW)
    services.submit(q, actor=author, now=NOW)
    services.approve(q, actor=reviewer, now=NOW)
    services.save(single(explanation="依据2019年条例，一年内有效。"), actor=reviewer, now=NOW, question=q)
    services.submit(q, actor=reviewer, now=NOW)
    with pytest.raises(PermissionDenied):
        services.approve(q, actor=reviewer, now=NOW)
    services.approve(q, actor=author, now=NOW)
    assert q.status == "published" and q.version == 2


def test_whoever_edited_a_draft_may_not_approve_it(db, trainers, make_user):
    author, coauthor = trainers
    third = make_user(username="third", roles=("trainer",))
    q = services.save(single(), actor=author, now=NOW)
    services.save(single(explanation="补充说明。"), actor=coauthor, now=NOW, question=q)
    services.submit(q, actor=author, now=NOW)
    for person in (author, coauthor):
        with pytest.raises(PermissionDenied):
            services.approve(q, actor=person, now=NOW)
    services.approve(q, actor=third, now=NOW)


def test_a_change_of_tier_or_lesson_is_a_new_version_with_its_changes(db, trainers, lessons):
    from app.questions.history import changes_between

    author, reviewer = trainers
    q = services.save(single(), actor=author, now=NOW, lesson=lessons["cs-initiation"])
    services.submit(q, actor=author, now=NOW)
    services.approve(q, actor=reviewer, now=NOW)
    first = q.current_version
    services.save(single(tier="intermediate", difficulty=4, usage="exam"), actor=author, now=NOW, question=q,
                  lesson=lessons["cs-recommendation"])
    assert q.version == 2 and q.status == "draft"
    assert first.meta["tier"] == "basic" and first.meta["lesson"] == "cadre-selection/cs-initiation"
    changed = {str(c.field): (c.before, c.after) for c in changes_between(q.type, first, q.current_version)}
    assert set(changed) == {"层级", "难度", "考查知识点", "用途"}, changed
    assert changed["考查知识点"][1].endswith("民主推荐")


def test_a_retired_question_cannot_be_edited_and_stems_have_a_limit(db, trainers):
    author, reviewer = trainers
    q = services.save(single(), actor=author, now=NOW)
    services.retire(q, actor=reviewer, now=NOW)
    with pytest.raises(ValidationFailed):
        services.save(single(explanation="改"), actor=author, now=NOW, question=q)
    with pytest.raises(ValidationFailed):
        services.save(single(stem="长" * 10_001), actor=author, now=NOW)


def test_editing_a_draft_keeps_one_version(db, trainers):
    author, _ = trainers
    q = services.save(single(), actor=author, now=NOW)
    services.save(single(explanation="改过的解析。"), actor=author, now=NOW, question=q)
    assert q.version == 1 and len(q.versions) == 1


def test_editing_a_published_question_makes_a_new_version(db, trainers):
    author, reviewer = trainers
    q = services.save(single(), actor=author, now=NOW)
    services.submit(q, actor=author, now=NOW)
    services.approve(q, actor=reviewer, now=NOW)
    first = q.current_version
    services.save(single(explanation="补充：依据2019年条例。"), actor=author, now=NOW, question=q)
    db.session.commit()
    assert q.version == 2 and q.status == "draft"
    assert first.frozen and first.content["explanation"] == "一般在一年内有效。"
    assert q.current_version.id != first.id


def test_a_no_op_save_changes_nothing(db, trainers):
    author, reviewer = trainers
    q = services.save(single(), actor=author, now=NOW)
    services.submit(q, actor=author, now=NOW)
    services.approve(q, actor=reviewer, now=NOW)
    services.save(single(), actor=author, now=NOW, question=q)
    assert q.version == 1 and q.status == "published"


def test_reject_needs_a_reason_and_returns_to_draft(db, trainers):
    author, reviewer = trainers
    q = services.save(single(), actor=author, now=NOW)
    services.submit(q, actor=author, now=NOW)
    with pytest.raises(ValidationFailed):
        services.reject(q, actor=reviewer, comment=" ", now=NOW)
    services.reject(q, actor=reviewer, comment="选项D不严谨", now=NOW)
    assert q.status == "draft"


def test_the_bank_refuses_a_duplicate(db, trainers):
    author, _ = trainers
    services.save(single(), actor=author, now=NOW)
    with pytest.raises(services.DuplicateQuestion):
        services.save(single(stem=" 民主推荐结果一般在多长时间内有效？ "), actor=author, now=NOW)


def test_a_question_cannot_change_type(db, trainers):
    author, _ = trainers
    q = services.save(single(), actor=author, now=NOW)
    with pytest.raises(ValidationFailed):
        services.save(QuestionData(type="true_false", stem="x", answer=True, area="cadre", tier="basic",
                                   difficulty=1), actor=author, now=NOW, question=q)


def test_list_filters_and_search(db, trainers):
    author, _ = trainers
    services.save(single(), actor=author, now=NOW)
    services.save(QuestionData(type="true_false", stem="预备期为一年。", answer=True, area="organization",
                               tier="basic", difficulty=1), actor=author, now=NOW)
    def ids(**kw):
        return db.session.scalars(services.list_query(services.Filters(**kw))).all()
    assert len(ids()) == 2
    assert len(ids(area="organization")) == 1
    assert len(ids(type="single_choice", tier="basic")) == 1
    assert len(ids(text="推荐")) == 1
    assert len(ids(text="100%")) == 0  # LIKE wildcards are literal


# Pages -------------------------------------------------------------------------------

@pytest.fixture
def author_client(client, trainers):
    login(client, "author")
    return client


def post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/teach/questions"), **data})


PIN = re.compile(r'name="version" value="([^"]+)"')


def approve_as_seen(client, question_id):
    """Approve like a browser: with the review pin of the page the reviewer read."""
    page = client.get(f"/teach/questions/{question_id}").get_data(as_text=True)
    match = PIN.search(page)
    return post(client, f"/teach/questions/{question_id}/approve", {"version": match.group(1) if match else ""})


FORM = {"stem": "“三会一课”中的“三会”包括：", "area": "organization", "tier": "basic", "difficulty": 2,
        "lesson_id": 0, "usage": "both", "points": "2", "tags": "三会一课, 组织生活",
        "explanation": "支部党员大会、支部委员会会议、党小组会。"}


@pytest.mark.parametrize("qtype, extra, check", [
    ("single_choice", {"option_a": "甲", "option_b": "乙", "single_answer": "B"}, lambda c: c["answer"] == "B"),
    ("multiple_choice", {"option_a": "支部党员大会", "option_b": "支部委员会会议", "option_c": "党小组会",
                         "option_d": "民主生活会", "multiple_answer": ["A", "B", "C"]},
     lambda c: c["answer"] == ["A", "B", "C"]),
    ("true_false", {"truth": "false"}, lambda c: c["answer"] is False),
    ("fill_blank", {"stem": "支部党员大会一般每____召开一次。", "blanks": "季度|个季度"},
     lambda c: [a["text"] for a in c["blanks"][0]] == ["季度", "个季度"]),
    ("essay", {"reference_answer": "参考答案", "rubric": "要点一 | 1\n要点二 | 1"},
     lambda c: c["rubric"][1] == {"point": "要点二", "score": 1.0}),
])
def test_author_each_type_through_the_form(author_client, db, qtype, extra, check):
    response = post(author_client, f"/teach/questions/new/{qtype}", {**FORM, **extra})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    q = db.session.scalar(sa.select(Question))
    assert q.type == qtype and check(q.current_version.content)
    assert q.current_version.tags == ["三会一课", "组织生活"]


def test_form_errors_are_shown(author_client, db):
    response = post(author_client, "/teach/questions/new/single_choice",
                    {**FORM, "option_a": "甲", "option_b": "乙", "single_answer": "D"})
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0


def test_preview_renders_like_the_exam_page(author_client):
    html = post(author_client, "/teach/questions/preview/single_choice",
                {**FORM, "stem": "<b>粗体</b>题干", "option_a": "甲", "option_b": "乙", "single_answer": "A"}
                ).get_data(as_text=True)
    assert 'type="radio"' in html and "&lt;b&gt;粗体&lt;/b&gt;题干" in html
    assert "甲" in html


def test_full_review_cycle_through_pages(app, author_client, db, trainers):
    post(author_client, "/teach/questions/new/true_false", {**FORM, "stem": "预备期为一年。", "truth": "true"})
    q = db.session.scalar(sa.select(Question))
    post(author_client, f"/teach/questions/{q.id}/submit", {})
    post(author_client, f"/teach/questions/{q.id}/approve", {})  # refused: own question
    db.session.expire_all()
    assert db.session.get(Question, q.id).status == "in_review"
    reviewer = app.test_client()
    login(reviewer, "reviewer")
    queue = reviewer.get("/teach/questions/review").get_data(as_text=True)
    assert "预备期为一年" in queue
    approve_as_seen(reviewer, q.id)
    db.session.expire_all()
    assert db.session.get(Question, q.id).status == "published"
    # An edit of the published question makes version 2 and shows what changed.
    post(author_client, f"/teach/questions/{q.id}/edit", {**FORM, "stem": "预备期为一年。", "truth": "true",
                                                           "explanation": "依据党章。"})
    page = author_client.get(f"/teach/questions/{q.id}").get_data(as_text=True)
    assert "v2" in page and 'data-testid="changes"' in page and "依据党章。" in page
    post(author_client, f"/teach/questions/{q.id}/submit", {})
    approve_as_seen(reviewer, q.id)
    post(reviewer, f"/teach/questions/{q.id}/retire", {})
    db.session.expire_all()
    assert db.session.get(Question, q.id).status == "retired"


def test_list_page_filters(author_client, db, trainers):
    services.save(single(), actor=trainers[0], now=NOW)
    db.session.commit()
    html = author_client.get("/teach/questions?type=single_choice&q=推荐").get_data(as_text=True)
    assert "民主推荐结果" in html
    html = author_client.get("/teach/questions?type=essay").get_data(as_text=True)
    assert "民主推荐结果" not in html


def test_list_pages_keep_their_filters(author_client, db, trainers):
    for n in range(60):
        services.save(single(stem=f"第{n}题：民主推荐结果一般在多长时间内有效？"), actor=trainers[0], now=NOW)
    db.session.commit()
    first = author_client.get("/teach/questions?type=single_choice").get_data(as_text=True)
    assert "page=2" in first and "type=single_choice" in first
    for query in ("page=2", "type=single_choice&page=2", "page=1", "page=abc", "page=-1", "page=999"):
        response = author_client.get(f"/teach/questions?{query}")
        assert response.status_code in (200, 404), (query, response.status_code)
    second = author_client.get("/teach/questions?type=single_choice&page=2").get_data(as_text=True)
    assert 'href="/teach/questions?type=single_choice&amp;page=1"' in second


def test_import_page_dry_run_report(author_client, interop):
    data = (interop / "aiken/aiken_errors.txt").read_bytes()
    import io
    response = author_client.post("/teach/questions/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(author_client, "/teach/questions/import"), "format": "aiken",
        "area": "cadre", "tier": "basic", "dry_run": "y", "file": (io.BytesIO(data), "errors.txt")})
    html = response.get_data(as_text=True)
    assert 'data-testid="import-report"' in html
    assert re.search(r"<td>18</td>", html)


def test_an_export_that_would_leave_questions_out_says_so_first(author_client, db, trainers):
    services.save(single(), actor=trainers[0], now=NOW)
    services.save(QuestionData(type="true_false", stem="民主推荐结果一年内有效。", answer=True, explanation="是。",
                               area="cadre", tier="basic", difficulty=1), actor=trainers[0], now=NOW)
    db.session.commit()
    page = author_client.get("/teach/questions/export?format=aiken")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="export-left-out"' in html
    assert "1" in html and "民主推荐结果一年内有效" in html
    file = author_client.get("/teach/questions/export?format=aiken&confirm=1")
    assert file.status_code == 200 and "民主推荐结果一般" in file.get_data(as_text=True)
    assert "一年内有效。" not in file.get_data(as_text=True)
    whole = author_client.get("/teach/questions/export?format=yaml")
    assert whole.headers["Content-Disposition"].startswith("attachment")


def test_export_downloads(author_client, db, trainers):
    services.save(single(), actor=trainers[0], now=NOW)
    db.session.commit()
    for fmt in ("xlsx", "yaml", "gift", "aiken", "moodle_xml"):
        response = author_client.get(f"/teach/questions/export?format={fmt}")
        assert response.status_code == 200 and len(response.data) > 50, fmt
    template = author_client.get("/teach/questions/import/template.xlsx")
    assert template.data[:2] == b"PK"


def test_cadres_cannot_reach_the_bank(client, make_user):
    make_user(username="cadre01")
    login(client, "cadre01")
    assert client.get("/teach/questions").status_code == 403


# Review that cannot be bypassed --------------------------------------------------------

def test_editing_a_question_in_review_withdraws_it_to_draft_on_record(db, trainers):
    author, reviewer = trainers
    q = services.save(single(), actor=author, now=NOW)
    services.submit(q, actor=author, now=NOW)
    services.save(single(stem="民主推荐结果在多长时间内有效？（改）"), actor=author, now=NOW, question=q)
    assert q.status == "draft"
    actions = db.session.scalars(sa.select(QuestionReview.action).where(QuestionReview.question_id == q.id)
                                 .order_by(QuestionReview.id)).all()
    assert actions == ["submit", "withdraw"]
    with pytest.raises(ValidationFailed):
        services.approve(q, actor=reviewer, now=NOW)


def test_saving_the_same_text_in_review_changes_nothing(db, trainers):
    author, _reviewer = trainers
    q = services.save(single(), actor=author, now=NOW)
    services.submit(q, actor=author, now=NOW)
    services.save(single(), actor=author, now=NOW, question=q)
    assert q.status == "in_review"


def test_approving_text_that_changed_since_the_page_was_read_is_refused(db, trainers):
    author, reviewer = trainers
    q = services.save(single(), actor=author, now=NOW)
    services.submit(q, actor=author, now=NOW)
    seen = services.review_pin(q)
    services.save(single(explanation="另一段解析。"), actor=author, now=NOW, question=q)  # same version id
    services.submit(q, actor=author, now=NOW)
    assert services.review_pin(q).split("-")[0] == seen.split("-")[0]
    with pytest.raises(services.ChangedSinceSeen):
        services.approve(q, actor=reviewer, now=NOW, seen=seen)
    assert q.status == "in_review"
    services.approve(q, actor=reviewer, now=NOW, seen=services.review_pin(q))
    assert q.status == "published"


def test_the_approve_page_pins_what_the_reviewer_read(app, author_client, db, trainers):
    post(author_client, "/teach/questions/new/true_false", {**FORM, "stem": "预备期为一年。", "truth": "true"})
    q = db.session.scalar(sa.select(Question))
    post(author_client, f"/teach/questions/{q.id}/submit", {})
    reviewer = app.test_client()
    login(reviewer, "reviewer")
    page = reviewer.get(f"/teach/questions/{q.id}").get_data(as_text=True)
    pin = PIN.search(page).group(1)
    # The author edits (withdrawn, as the edit page warns) and sends it back while the reviewer's page is open.
    assert 'data-testid="withdraw-warning"' in author_client.get(f"/teach/questions/{q.id}/edit").get_data(as_text=True)
    post(author_client, f"/teach/questions/{q.id}/edit", {**FORM, "stem": "预备期为两年。", "truth": "true"})
    post(author_client, f"/teach/questions/{q.id}/submit", {})
    refused = post(reviewer, f"/teach/questions/{q.id}/approve", {"version": pin})
    assert "重新阅读" in reviewer.get(refused.headers["Location"]).get_data(as_text=True)
    without_pin = post(reviewer, f"/teach/questions/{q.id}/approve", {})
    assert without_pin.status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, q.id).status == "in_review"
    approve_as_seen(reviewer, q.id)
    db.session.expire_all()
    assert db.session.get(Question, q.id).status == "published"
    history = author_client.get(f"/teach/questions/{q.id}").get_data(as_text=True)
    assert "审核中被修改，已退回草稿" in history
