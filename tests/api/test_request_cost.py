"""What one authenticated API request costs in SQL statements: the bearer token, its user
and everything each request needs come in one query, and nothing it always uses is lazy."""

from datetime import date

import pytest

from tests.conftest import api_token


@pytest.fixture
def cadre(make_unit, make_post, make_user):
    dept = make_unit("组织部", kind="department")
    section = make_unit("干部组", parent=dept)
    return make_user(username="cadre1", org_unit=section, post=make_post("干部工作岗"),
                     joined_on=date(2020, 1, 1))


def _statements(count_queries, call) -> list[str]:
    call()  # the first use of a token in five minutes also notes when it was used
    with count_queries() as counter:
        response = call()
    assert response.status_code == 200, response.get_json()
    return counter.statements


def test_get_me_with_a_bearer_token_runs_four_statements(client, cadre, count_queries):
    headers = api_token(client, "cadre1")
    statements = _statements(count_queries, lambda: client.get("/api/v1/me", headers=headers))
    body = client.get("/api/v1/me", headers=headers).get_json()
    assert body["org_unit"]["name"] == "干部组" and body["post"]["name"] == "干部工作岗"
    assert body["roles"] == ["cadre"] and len(body["post_history"]) == 1
    # The token with its user, roles, org unit and current post in one; then what only /me
    # shows: the names above the org unit, the post history and the points balance.
    assert len(statements) <= 4, "\n\n".join(statements)
    first = statements[0]
    assert all(table in first for table in ("api_tokens", "users", "user_roles", "org_units",
                                               "post_assignments", "posts")), first
    assert not any("user_roles" in s or "api_tokens" in s for s in statements[1:]), statements


def test_a_cadre_of_a_top_level_unit_costs_three_statements_on_get_me(client, make_unit, make_user,
                                                                    count_queries):
    make_user(username="top", org_unit=make_unit("组织部", kind="department"))
    headers = api_token(client, "top")
    statements = _statements(count_queries, lambda: client.get("/api/v1/me", headers=headers))
    assert len(statements) <= 3, "\n\n".join(statements)  # no names above the unit to read


def test_a_page_loads_its_user_in_one_statement(client, cadre, count_queries):
    from tests.conftest import login

    login(client, "cadre1")
    with count_queries() as counter:
        response = client.get("/api/v1/me")
    assert response.status_code == 200
    users = [s for s in counter.statements if "FROM users" in s or "JOIN users" in s]
    assert len(users) == 1 and "user_roles" in users[0] and "post_assignments" in users[0], users
    assert len(counter.statements) <= 4, "\n\n".join(counter.statements)  # as /me with a token


def test_an_unknown_token_costs_one_statement(client, cadre, count_queries):
    with count_queries() as counter:
        response = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert counter.count == 1, counter.statements


def test_a_heartbeat_runs_a_fixed_small_number_of_statements(client, cadre, make_lesson, count_queries,
                                                            monkeypatch):
    from datetime import timedelta

    from app.api import learning
    from app.timeutil import utcnow

    clock = {"now": utcnow()}
    monkeypatch.setattr(learning, "utcnow", lambda: clock["now"])
    headers = api_token(client, "cadre1")
    lessons = [make_lesson(min_seconds=600) for _ in range(2)]
    counts, credited = [], []
    for lesson in lessons:
        assert client.get(f"/api/v1/lessons/{lesson.id}", headers=headers).status_code == 200
        for _ in range(3):
            clock["now"] += timedelta(seconds=15)
            with count_queries() as counter:
                response = client.post(f"/api/v1/lessons/{lesson.id}/heartbeat", json={"visible": True},
                                       headers=headers)
            assert response.status_code == 200
            counts.append(counter.count)
            credited.append(response.get_json()["credited_seconds"])
    # A crediting beat: the token (with its user), the lesson with its course, the progress
    # row, the clock, the clock's compare-and-swap (which also adds to the sitting) and the
    # progress UPDATE ... RETURNING. Nothing more, and the same every time...
    assert credited == [0, 15, 15, 0, 15, 15], credited
    assert [counts[i] for i in (1, 2, 5)] == [6, 6, 6], counts
    # ...the beat that closes the first lesson's sitting also writes its trace and, through the
    # ledger, that sitting's study points (cap, transaction, entries, period balances).
    assert counts[4] <= 16, counts
    assert max(counts[i] for i in (0, 3)) <= 7, counts


def test_the_lesson_page_loads_nothing_again_after_its_commit(client, cadre, make_lesson, count_queries):
    from tests.conftest import login

    lesson = make_lesson(min_seconds=600)
    login(client, "cadre1")
    assert client.get(f"/lessons/{lesson.id}").status_code == 200
    with count_queries() as counter:
        response = client.get(f"/lessons/{lesson.id}")
    assert response.status_code == 200 and lesson.title in response.get_data(as_text=True)
    # The user (with roles, unit, post), the lesson with its course, the progress, the
    # "opened" trace (once a day: here a no-op), the course's lessons for previous/next.
    assert counter.count <= 5, "\n\n".join(counter.statements)
    assert sum("FROM users" in s for s in counter.statements) == 1, counter.statements


def test_the_lesson_api_reads_nothing_again_after_its_commit(client, cadre, make_lesson, count_queries):
    lesson = make_lesson(min_seconds=600)
    headers = api_token(client, "cadre1")
    client.get("/api/v1/me", headers=headers)  # the token's first use notes when it was used
    with count_queries() as counter:
        response = client.get(f"/api/v1/lessons/{lesson.id}", headers=headers)
    assert response.status_code == 200 and response.get_json()["title"] == lesson.title
    # The token, the lesson with its course, the progress row (looked for, then created: a
    # savepoint around the INSERT, then read), the "opened" trace; nothing after the commit.
    assert counter.count <= 9, "\n\n".join(counter.statements)
    with count_queries() as counter:
        assert client.get(f"/api/v1/lessons/{lesson.id}", headers=headers).status_code == 200
    assert counter.count <= 4, "\n\n".join(counter.statements)
