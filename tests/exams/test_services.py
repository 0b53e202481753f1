"""The exam engine's rules, with an injected clock."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.errors import NotFound, ValidationFailed
from app.exams import services
from app.exams.draw import RulesUnfillable, paper_hash
from app.exams.models import Attempt, AttemptAnswer, ExamVersion
from app.questions.types import InvalidAnswer
from app.traces.models import Trace
from tests.exams.conftest import NOW


def traces(db, verb=None):
    query = sa.select(Trace).order_by(Trace.id)
    if verb:
        query = query.where(Trace.verb == verb)
    return list(db.session.scalars(query))


# ------------------------------------------------------------------ start


def test_start_seals_the_paper_and_sets_the_deadline(db, cadre, make_question, make_exam):
    questions = [make_question(), make_question("true_false", points=2)]
    exam = make_exam(questions, time_limit_s=1800)

    attempt, created = services.start_attempt(cadre, exam, now=NOW)
    db.session.commit()

    assert created and attempt.status == "in_progress" and attempt.attempt_no == 1
    assert attempt.deadline == NOW + timedelta(seconds=1800)
    assert [i["question_id"] for i in attempt.paper["items"]] == [q.id for q in questions]
    assert [i["version_id"] for i in attempt.paper["items"]] == [q.current_version_id for q in questions]
    assert attempt.paper_hash == paper_hash(attempt.paper) and len(attempt.paper_hash) == 64
    assert attempt.max_score == Decimal("3.00")
    [trace] = traces(db, "attempted")
    assert trace.idempotency_key == f"attempted:{attempt.id}"
    assert trace.context == {"attempt_id": attempt.id, "kind": "exam", "attempt_no": 1}


def test_the_deadline_is_the_close_time_when_that_comes_first(db, cadre, make_question, make_exam):
    exam = make_exam([make_question()], closes_at=NOW + timedelta(minutes=10), time_limit_s=3600)
    attempt, _ = services.start_attempt(cadre, exam, now=NOW)
    assert attempt.deadline == NOW + timedelta(minutes=10)


def test_starting_again_returns_the_open_attempt(db, cadre, make_question, make_exam):
    exam = make_exam([make_question()])
    first, _ = services.start_attempt(cadre, exam, now=NOW)
    db.session.commit()
    again, created = services.start_attempt(cadre, exam, now=NOW + timedelta(minutes=5))
    assert again.id == first.id and not created


def test_outside_the_window_the_exam_is_not_open(db, cadre, make_question, make_exam):
    exam = make_exam([make_question()], opens_at=NOW + timedelta(hours=1),
                     closes_at=NOW + timedelta(days=1))
    with pytest.raises(services.ExamNotOpen):
        services.start_attempt(cadre, exam, now=NOW)
    with pytest.raises(services.ExamNotOpen):
        services.start_attempt(cadre, exam, now=NOW + timedelta(days=1))


def test_no_attempts_left(db, cadre, make_question, make_exam):
    exam = make_exam([make_question()], max_attempts=1)
    attempt, _ = services.start_attempt(cadre, exam, now=NOW)
    services.submit(attempt, now=NOW + timedelta(minutes=1))
    db.session.commit()
    with pytest.raises(services.NoAttemptsLeft):
        services.start_attempt(cadre, exam, now=NOW + timedelta(minutes=2))


def test_the_database_refuses_a_second_open_attempt(db, cadre, make_question, make_exam):
    exam = make_exam([make_question()])
    attempt, _ = services.start_attempt(cadre, exam, now=NOW)
    db.session.commit()
    twin = Attempt(user_id=cadre.id, exam_id=exam.id, exam_version_id=attempt.exam_version_id,
                   kind="exam", attempt_no=2, status="in_progress", started_at=NOW, seed=1,
                   paper=attempt.paper, paper_hash=attempt.paper_hash, max_score=1, signals={})
    db.session.add(twin)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_audience_decides_who_may_take_an_exam(db, make_user, make_unit, make_post,
                                                   make_question, make_exam):
    town = make_unit("某镇", kind="town")
    branch = make_unit("某支部", parent=town, kind="branch")
    other = make_unit("另一镇", kind="town")
    post = make_post()
    in_subtree = make_user(org_unit=branch)
    by_post = make_user(org_unit=other, post=post)
    named = make_user(org_unit=other)
    outsider = make_user(org_unit=other)
    exam = make_exam([make_question()], audience_units=[town.id], audience_posts=[post.id],
                     audience_users=[named.id])
    for user in (in_subtree, by_post, named):
        assert services.exam_for(user, exam.id) == exam
        assert exam in services.visible_exams(user)
    with pytest.raises(NotFound):
        services.exam_for(outsider, exam.id)
    assert exam not in services.visible_exams(outsider)
    everyone = make_exam([make_question()], title="全员考试")
    assert everyone in services.visible_exams(outsider)


def test_drafts_are_not_found(db, cadre, make_question, make_exam):
    exam = make_exam([make_question()], status="draft")
    with pytest.raises(NotFound):
        services.exam_for(cadre, exam.id)


# ------------------------------------------------------------------ draw


def test_rules_draw_least_seen_first_and_never_repeat(db, cadre, make_question, make_exam):
    bank = [make_question() for _ in range(4)]
    exam = make_exam(rules=[{"area": "cadre", "qtype": "single_choice", "tier": "basic",
                             "count": 2, "points": Decimal("5")}], max_attempts=None)
    first, _ = services.start_attempt(cadre, exam, now=NOW)
    services.submit(first, now=NOW + timedelta(minutes=1))
    seen = {i["question_id"] for i in first.paper["items"]}
    assert len(seen) == 2 and first.max_score == Decimal("10.00")
    second, _ = services.start_attempt(cadre, exam, now=NOW + timedelta(minutes=2))
    again = {i["question_id"] for i in second.paper["items"]}
    assert again == {q.id for q in bank} - seen  # the two not seen yet


def test_practice_never_draws_exam_only_questions(db, cadre, make_question, make_exam):
    make_question(usage="exam")
    practice_ok = make_question(usage="practice")
    both = make_question(usage="both")
    rule = {"area": "cadre", "qtype": "single_choice", "tier": "basic", "count": 2,
            "points": Decimal("1")}
    practice = make_exam(rules=[rule], kind="practice", title="练习")
    attempt, _ = services.start_attempt(cadre, practice, now=NOW)
    assert {i["question_id"] for i in attempt.paper["items"]} == {practice_ok.id, both.id}


def test_only_published_questions_are_drawn(db, cadre, make_question, make_exam):
    make_question()
    make_question(status="draft")
    with pytest.raises(RulesUnfillable) as caught:
        make_exam(rules=[{"area": "cadre", "qtype": "single_choice", "tier": "basic",
                          "count": 2, "points": Decimal("1")}])
    assert "需要 2 道" in str(caught.value.message) and "只有 1 道" in str(caught.value.message)


def test_unfillable_rules_are_refused_naming_each_rule(db, make_question, make_exam):
    make_question()
    with pytest.raises(RulesUnfillable) as caught:
        make_exam(rules=[
            {"area": "cadre", "qtype": "single_choice", "tier": "basic", "count": 1, "points": 1},
            {"area": "cadre", "qtype": "true_false", "tier": "basic", "count": 3, "points": 1},
            {"area": "supervision", "qtype": "essay", "tier": "expert", "count": 1, "points": 1},
        ])
    assert caught.value.status == 422 and caught.value.code == "rules_unfillable"
    assert len(caught.value.details["rules"]) == 2
    assert caught.value.details["rules"][0].startswith("规则 2")
    assert caught.value.details["rules"][1].startswith("规则 3")


def test_a_rule_may_name_a_lesson_or_a_tag(db, cadre, make_question, make_lesson, make_exam):
    lesson = make_lesson()
    of_lesson = make_question(lesson=lesson)
    tagged = make_question(tags=["民主推荐"])
    make_question()
    exam = make_exam(rules=[
        {"area": "cadre", "qtype": "single_choice", "tier": "basic", "count": 1, "points": 1,
         "lesson_id": lesson.id},
        {"area": "cadre", "qtype": "single_choice", "tier": "basic", "count": 1, "points": 1,
         "tag": "民主推荐"}])
    attempt, _ = services.start_attempt(cadre, exam, now=NOW)
    assert [i["question_id"] for i in attempt.paper["items"]] == [of_lesson.id, tagged.id]


def test_shuffled_options_are_answered_under_the_shown_keys(db, cadre, make_question, make_exam):
    questions = [make_question() for _ in range(6)]
    exam = make_exam(questions, shuffle=True)
    attempt, _ = services.start_attempt(cadre, exam, now=NOW)
    shown = {q["id"]: q for q in services.presented_questions(attempt.paper)}
    for item in attempt.paper["items"]:
        right_shown = next(k for k, v in item["key_map"].items() if v == "B")
        text = next(o["text"] for o in shown[item["question_id"]]["options"] if o["key"] == right_shown)
        assert text.startswith("乙")  # the stored right option, wherever it was shown
        services.save_answer(attempt, item["question_id"], right_shown, seq=1, now=NOW)
    result = services.submit(attempt, now=NOW + timedelta(minutes=1))
    assert result.score == Decimal("6.00") and result.passed is True
    assert services.shown_answers(attempt) == {
        i["question_id"]: next(k for k, v in i["key_map"].items() if v == "B")
        for i in attempt.paper["items"]}


# ------------------------------------------------------------------ save


@pytest.fixture
def sitting(db, cadre, make_question, make_exam):
    questions = {t: make_question(t) for t in
                 ("single_choice", "multiple_choice", "true_false", "fill_blank")}
    exam = make_exam(list(questions.values()), time_limit_s=600, grace_s=30)
    attempt, _ = services.start_attempt(cadre, exam, now=NOW)
    db.session.commit()
    return attempt, questions


def test_a_save_is_a_compare_and_swap_on_seq(db, sitting):
    attempt, questions = sitting
    qid = questions["single_choice"].id
    result = services.save_answer(attempt, qid, "A", seq=5, now=NOW + timedelta(seconds=10))
    assert result.seq == 5 and result.remaining_s == 590
    services.save_answer(attempt, qid, "B", seq=7, now=NOW + timedelta(seconds=20))
    with pytest.raises(services.StaleSeq):
        services.save_answer(attempt, qid, "C", seq=6, now=NOW + timedelta(seconds=30))
    with pytest.raises(services.StaleSeq):
        services.save_answer(attempt, qid, "C", seq=7, now=NOW + timedelta(seconds=30))
    retry = services.save_answer(attempt, qid, "B", seq=7, now=NOW + timedelta(seconds=31))
    assert retry.seq == 7  # the same save again: acknowledged, nothing changes
    db.session.commit()
    [row] = db.session.scalars(sa.select(AttemptAnswer))
    assert (row.answer, row.seq) == ("B", 7)


def test_bad_answers_and_strange_questions(db, sitting, make_question):
    attempt, questions = sitting
    with pytest.raises(InvalidAnswer):
        services.save_answer(attempt, questions["single_choice"].id, "Z", seq=1, now=NOW)
    with pytest.raises(InvalidAnswer):
        services.save_answer(attempt, questions["multiple_choice"].id, "A", seq=1, now=NOW)
    with pytest.raises(InvalidAnswer):
        services.save_answer(attempt, questions["true_false"].id, "yes", seq=1, now=NOW)
    with pytest.raises(InvalidAnswer):
        services.save_answer(attempt, questions["fill_blank"].id, ["only one"], seq=1, now=NOW)
    with pytest.raises(NotFound):
        services.save_answer(attempt, make_question().id, "A", seq=1, now=NOW)
    for bad_seq in (0, -1, True, "3", 2**63):
        with pytest.raises(ValidationFailed):
            services.save_answer(attempt, questions["true_false"].id, True, seq=bad_seq, now=NOW)


def test_grace_after_the_deadline_then_closed(db, sitting):
    attempt, questions = sitting
    qid = questions["true_false"].id
    deadline = attempt.deadline
    services.save_answer(attempt, qid, True, seq=1, now=deadline + timedelta(seconds=30))
    with pytest.raises(services.AttemptClosed):
        services.save_answer(attempt, qid, False, seq=2, now=deadline + timedelta(seconds=31))


def test_a_request_after_the_grace_submits_the_attempt_at_its_deadline(db, sitting):
    attempt, questions = sitting
    services.save_answer(attempt, questions["true_false"].id, True, seq=1, now=NOW)
    late = attempt.deadline + timedelta(minutes=5)
    assert services.settle_if_overdue(attempt, now=late)
    assert attempt.status == "graded" and attempt.finished_at == attempt.deadline
    assert attempt.submitted_by == "server" and attempt.score == Decimal("1.00")
    with pytest.raises(services.AttemptClosed):
        services.save_answer(attempt, questions["true_false"].id, False, seq=2, now=late)


def test_a_submitted_attempt_takes_no_more_answers(db, sitting):
    attempt, questions = sitting
    services.submit(attempt, now=NOW + timedelta(minutes=1))
    with pytest.raises(services.AttemptClosed):
        services.save_answer(attempt, questions["true_false"].id, True, seq=1,
                             now=NOW + timedelta(minutes=2))


def test_the_overdue_job_submits_with_the_deadline_as_finish_time(db, sitting, make_user,
                                                                  make_exam, make_question):
    attempt, questions = sitting
    services.save_answer(attempt, questions["single_choice"].id, "B", seq=1, now=NOW)
    other_user = make_user()
    fresh, _ = services.start_attempt(other_user, attempt.exam, now=NOW + timedelta(minutes=9))
    db.session.commit()
    job_time = attempt.deadline + timedelta(seconds=31)
    assert services.submit_overdue(job_time) == 1
    db.session.commit()
    db.session.refresh(attempt)
    assert attempt.status == "graded" and attempt.finished_at == attempt.deadline
    assert attempt.score == Decimal("1.00")
    assert fresh.status == "in_progress"  # its deadline has not come
    assert services.submit_overdue(job_time) == 0
    [completed] = traces(db, "completed")
    assert completed.at == attempt.deadline


# ------------------------------------------------------------------ submit and grade


def test_every_type_and_policy_is_graded_exactly(db, cadre, make_question, make_exam):
    single = make_question(points="0.1")
    multiple = make_question("multiple_choice", points="0.2")
    true_false = make_question("true_false", points="0.1")
    fill = make_question("fill_blank", points=3)
    answers = {single.id: "B", multiple.id: ["A"], true_false.id: True,
               fill.id: ["BLANKANS-MARK-x", None]}
    n = fill.current_version.content
    right_first = n["blanks"][0][0]["text"]
    half_second = n["blanks"][1][1]["text"]
    answers[fill.id] = [right_first, half_second]

    def score(policy):
        exam = make_exam([single, multiple, true_false, fill], multiple_choice_policy=policy,
                         title=f"考试{policy}")
        attempt, _ = services.start_attempt(cadre, exam, now=NOW)
        for qid, answer in answers.items():
            services.save_answer(attempt, qid, answer, seq=1, now=NOW)
        return services.submit(attempt, now=NOW + timedelta(minutes=1)), attempt

    result, attempt = score("all_or_nothing")
    # 0.1 + 0 + 0.1 + (3 * (1 + 0.5) / 2 = 2.25)
    assert result.score == Decimal("2.45") and result.max_score == Decimal("3.40")
    assert isinstance(result.score, Decimal)
    partial, _ = score("partial")
    assert partial.score == Decimal("2.55")  # half of 0.2 for the correct subset
    rows = {a.question_id: a for a in db.session.scalars(
        sa.select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id))}
    assert rows[fill.id].score == Decimal("2.25") and rows[fill.id].correct is False
    assert rows[single.id].correct is True


def test_an_essay_waits_for_review(db, cadre, make_question, make_exam):
    essay = make_question("essay", points=10)
    single = make_question()
    exam = make_exam([essay, single])
    attempt, _ = services.start_attempt(cadre, exam, now=NOW)
    services.save_answer(attempt, essay.id, "我的回答", seq=1, now=NOW)
    services.save_answer(attempt, single.id, "B", seq=1, now=NOW)
    result = services.submit(attempt, now=NOW + timedelta(minutes=1))
    assert result.status == "pending_review" and result.passed is None
    assert result.score == Decimal("1.00") and result.max_score == Decimal("11.00")
    assert traces(db, "passed") == [] and traces(db, "failed") == []
    [completed] = traces(db, "completed")
    assert completed.context["status"] == "pending_review"


def test_submitting_twice_grades_once(db, sitting):
    attempt, questions = sitting
    services.save_answer(attempt, questions["single_choice"].id, "B", seq=1, now=NOW)
    first = services.submit(attempt, now=NOW + timedelta(minutes=1))
    second = services.submit(attempt, now=NOW + timedelta(minutes=2))
    assert first.changed and not second.changed
    assert (first.status, first.score, first.passed) == (second.status, second.score, second.passed)
    assert attempt.finished_at == NOW + timedelta(minutes=1)
    assert [t.verb for t in traces(db)] == ["attempted", "completed", "failed"]


def test_pass_and_fail_traces(db, cadre, make_question, make_exam):
    questions = [make_question() for _ in range(4)]
    exam = make_exam(questions, pass_score=Decimal("75"), max_attempts=2)
    first, _ = services.start_attempt(cadre, exam, now=NOW)
    for q in questions[:2]:
        services.save_answer(first, q.id, "B", seq=1, now=NOW)
    assert services.submit(first, now=NOW + timedelta(minutes=1)).passed is False
    second, _ = services.start_attempt(cadre, exam, now=NOW + timedelta(minutes=2))
    for q in questions[:3]:
        services.save_answer(second, q.id, "B", seq=1, now=NOW + timedelta(minutes=2))
    assert services.submit(second, now=NOW + timedelta(minutes=3)).passed is True  # exactly 75 %
    failed, passed = traces(db, "failed"), traces(db, "passed")
    assert failed[0].idempotency_key == f"failed:attempt:{first.id}"
    assert failed[0].context["first_attempt"] is True and failed[0].context["percent"] == "50.00"
    assert passed[0].idempotency_key == f"passed:attempt:{second.id}"
    assert passed[0].context == {"attempt_id": second.id, "kind": "exam", "attempt_no": 2,
                                 "first_attempt": False, "percent": "75.00"}
    assert passed[0].score_raw == 3.0 and passed[0].score_max == 4.0 and passed[0].success is True


def test_which_attempt_counts(db, cadre, make_question, make_exam):
    questions = [make_question() for _ in range(2)]
    exam = make_exam(questions, max_attempts=3)
    attempts = []
    for n, right in enumerate((1, 2, 0)):
        attempt, _ = services.start_attempt(cadre, exam, now=NOW + timedelta(minutes=10 * n))
        for q in questions[:right]:
            services.save_answer(attempt, q.id, "B", seq=1, now=NOW + timedelta(minutes=10 * n))
        services.submit(attempt, now=NOW + timedelta(minutes=10 * n + 1))
        attempts.append(attempt)
    assert services.counted_attempt(attempts, "highest") == attempts[1]
    assert services.counted_attempt(attempts, "first") == attempts[0]
    assert services.counted_attempt(attempts, "last") == attempts[2]
    assert services.counted_attempts(exam)[cadre.id] == attempts[1]


def test_tab_switches_are_counted_and_the_limit_submits(db, sitting):
    attempt, _ = sitting
    exam = attempt.exam
    exam.max_tab_switches = 2
    db.session.commit()
    first = services.report_tab_switch(attempt, now=NOW + timedelta(seconds=5))
    assert (first.count, first.limit, first.submitted) == (1, 2, False)
    second = services.report_tab_switch(attempt, now=NOW + timedelta(seconds=9))
    assert second.submitted and attempt.status == "graded"
    assert attempt.submitted_by == "tab_switches" and attempt.signals["tab_switches"] == 2
    with pytest.raises(services.AttemptClosed):
        services.report_tab_switch(attempt, now=NOW + timedelta(seconds=20))


def test_integrity_signals(db, sitting):
    attempt, questions = sitting
    ids = [q.id for q in questions.values()]
    services.save_answer(attempt, ids[0], "B", seq=1, now=NOW + timedelta(seconds=1), device="phone")
    services.save_answer(attempt, ids[1], ["A"], seq=1, now=NOW + timedelta(seconds=1.5), device="pc")
    services.save_answer(attempt, ids[2], True, seq=1, now=NOW + timedelta(seconds=60), device="pc")
    services.submit(attempt, now=NOW + timedelta(minutes=2))
    assert attempt.signals == {"devices": 2, "fast_answers": 1, "tab_switches": 0}


# ------------------------------------------------------------------ review and versions


def test_review_follows_the_policy(db, cadre, make_question, make_exam):
    question = make_question()
    for policy, at_close, expected in (("immediately", False, True), ("never", True, False),
                                       ("after_close", False, False), ("after_close", True, True)):
        exam = make_exam([question], review_policy=policy, title=f"考试{policy}{at_close}",
                         closes_at=NOW + timedelta(hours=1))
        attempt, _ = services.start_attempt(cadre, exam, now=NOW)
        assert not services.review_allowed(attempt, NOW)
        services.submit(attempt, now=NOW + timedelta(minutes=1))
        when = NOW + timedelta(hours=2) if at_close else NOW + timedelta(minutes=2)
        assert services.review_allowed(attempt, when) is expected, (policy, at_close)
    details = services.review(attempt)[question.id]
    assert details["correct_answer"] == "B" and details["explanation"].startswith("EXPLAIN-MARK")
    assert details["score"] == "0.00" and details["correct"] is False


def test_a_paper_used_by_attempts_changes_into_a_new_version(db, cadre, make_question, make_exam):
    first, second = make_question(), make_question()
    exam = make_exam([first])
    data = services.ExamData(title=exam.title, status="published", opens_at=exam.opens_at,
                             closes_at=exam.closes_at, time_limit_s=exam.time_limit_s,
                             items=[(second.id, Decimal("2"))])
    services.update_exam(exam, data, actor=None, now=NOW)  # no attempts yet: edited in place
    db.session.commit()
    assert exam.version == 1 and [i.question_id for i in exam.current_version.items] == [second.id]
    attempt, _ = services.start_attempt(cadre, exam, now=NOW)
    db.session.commit()
    data.items = [(first.id, None), (second.id, Decimal("2"))]
    services.update_exam(exam, data, actor=None, now=NOW)
    db.session.commit()
    assert exam.version == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExamVersion)) == 2
    db.session.refresh(attempt)
    assert attempt.exam_version.version == 1 and len(attempt.paper["items"]) == 1
    data.title = "改名"
    services.update_exam(exam, data, actor=None, now=NOW)  # settings only: no new version
    assert exam.version == 2 and exam.title == "改名"


def test_a_fixed_paper_must_use_published_questions(db, make_question, make_exam):
    draft = make_question(status="draft")
    with pytest.raises(ValidationFailed):
        make_exam([draft])
    exam_only = make_question(usage="exam")
    with pytest.raises(ValidationFailed):
        make_exam([exam_only], kind="practice")


def test_audience_members(db, make_user, make_unit, make_post, make_question, make_exam):
    town = make_unit("某镇", kind="town")
    branch = make_unit("某支部", parent=town, kind="branch")
    post = make_post()
    in_branch = make_user(org_unit=branch)
    by_post = make_user(post=post)
    named = make_user()
    make_user(username="zz-outsider")
    make_user(username="zz-trainer", roles=("trainer",))
    question = make_question()
    exam = make_exam([question], audience_units=[town.id], audience_posts=[post.id],
                     audience_users=[named.id])
    assert {u.id for u in services.audience_members(exam)} == {in_branch.id, by_post.id, named.id}
    everyone = make_exam([question], title="全员")
    assert {u.username for u in services.audience_members(everyone)} == {
        in_branch.username, by_post.username, named.username, "zz-outsider"}
