"""List pages cost a fixed number of queries whatever the number of rows: no page queries
in a loop. Each test loads a page with a few rows and with many and compares."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.courses import collective
from app.courses.models import Attendance, CollectiveSession
from app.timeutil import utcnow
from tests.conftest import login


def _statements(client, count_queries, path: str) -> int:
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return counter.count


@pytest.fixture
def trainer(client, make_user):
    make_user(username="trainer", roles=("trainer",))
    make_user(username="reviewer", roles=("trainer",))
    login(client, "trainer")
    return client


def _questions(make_question, n: int, *, status: str = "published", lesson=None):
    kinds = ["single_choice", "multiple_choice", "true_false", "fill_blank", "essay"]
    return [make_question(kinds[i % len(kinds)], status=status, lesson=lesson) for i in range(n)]


@pytest.mark.parametrize("path", ["/teach/questions", "/teach/questions/export?format=yaml",
                                  "/teach/questions/export?format=xlsx"])
def test_question_list_and_exports(trainer, count_queries, make_question, make_lesson, path):
    _questions(make_question, 3, lesson=make_lesson())
    few = _statements(trainer, count_queries, path)
    for i in range(30):
        make_question("single_choice", lesson=make_lesson() if i % 2 else None)
    many = _statements(trainer, count_queries, path)
    assert many == few, (path, few, many)


def test_review_queue(trainer, count_queries, make_question):
    _questions(make_question, 2, status="in_review")
    few = _statements(trainer, count_queries, "/teach/questions/review")
    _questions(make_question, 25, status="in_review")
    many = _statements(trainer, count_queries, "/teach/questions/review")
    assert many == few, (few, many)


def test_collective_sessions_with_their_attendance(trainer, db, count_queries, make_user, make_lesson):
    from app.accounts.models import User

    lesson = make_lesson()
    organizer = db.session.scalar(sa.select(User).where(User.username == "trainer"))
    start = utcnow() + timedelta(days=1)

    def sessions(n: int, people: list):
        for i in range(n):
            session = collective.schedule(title=f"周一大课堂{i}", starts_at=start + timedelta(days=i),
                                          ends_at=start + timedelta(days=i, hours=2), place="三楼会议室",
                                          link="", lesson=lesson, by=organizer)
            db.session.add_all(Attendance(session_id=session.id, user_id=p.id, checked_in_at=start)
                               for p in people)
        db.session.commit()

    people = [make_user() for _ in range(3)]
    sessions(2, people)
    few = _statements(trainer, count_queries, "/teach/collective")
    sessions(20, people)
    many = _statements(trainer, count_queries, "/teach/collective")
    assert many == few, (few, many)
    page = trainer.get("/teach/collective").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CollectiveSession)) == 22
    assert page.count("<td>3</td>") == 22  # each row shows its three check-ins
