"""Leaderboards are set-based: the same number of queries for 3 people or 30."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from app.ledger import boards, services
from tests.ledger.conftest import NOW


@contextmanager
def count_queries(engine):
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def board_queries(db, me_id, unit) -> int:
    scope = boards.parse_scope(f"org:{unit.id}")
    assert scope.unit.path  # loaded before counting
    boards.user_board("week", boards.Scope(None), 50, NOW)  # warm the rule and setting rows
    with count_queries(db.engine) as statements:
        boards.user_board("week", scope, 50, NOW)
        boards.my_rank(me_id, "week", scope, NOW)
        boards.around_me(me_id, "week", scope, NOW)
        boards.org_board("week", scope, 50, NOW)
    return len(statements)


def test_leaderboard_queries_do_not_grow_with_rows(app, db, make_unit, make_user):
    root = make_unit("组织部")
    units = [make_unit(f"科{n}", parent=root) for n in range(3)]
    people = []

    def add(count):
        for n in range(count):
            user = make_user(org_unit=units[n % 3])
            services.award(user.id, "lesson_completed", key=f"l:{user.id}", at=NOW)
            people.append(user)
        db.session.commit()

    add(3)
    few = board_queries(db, people[0].id, root)
    add(27)
    many = board_queries(db, people[0].id, root)
    assert few == many == 4
    around = boards.around_me(people[10].id, "week", boards.Scope(None), NOW)
    assert len(around) == 5 and around[2].user_id in {p.id for p in people}
