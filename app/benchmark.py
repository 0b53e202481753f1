"""What `make bench` needs from the app, registered only when BENCH_BASELINE is set (the bench
starts gunicorn with BENCH_BASELINE=1); production never serves any of it.

- Every response carries `X-SQL-Count`: the SQL statements the request ran, counted with
  SQLAlchemy's `before_cursor_execute` event, so the bench shows them beside its timings.
- `POST /bench/insert` is the baseline of an authenticated write: it resolves the bearer token
  (the same one query every API call makes) and inserts one row into `bench_inserts`, a table
  the bench creates itself (`create_table`), not a migration.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Flask, g, has_app_context, jsonify, request

from app.extensions import csrf, db

SQL_COUNT_HEADER = "X-SQL-Count"

# Not in the models' metadata: migrations and autogenerate never see it.
bench_metadata = sa.MetaData()
bench_inserts = sa.Table(
    "bench_inserts", bench_metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("user_id", sa.Integer, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

bp = Blueprint("bench", __name__, url_prefix="/bench")
csrf.exempt(bp)


def create_table(engine: sa.Engine) -> None:
    """Create the baseline's table (the bench calls this before it starts the app servers)."""
    bench_metadata.create_all(engine)


def drop_table(engine: sa.Engine) -> None:
    bench_metadata.drop_all(engine)


@bp.post("/insert")
def insert():
    from app.accounts import tokens
    from app.timeutil import utcnow

    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    token = tokens.resolve(raw.strip(), now=utcnow()) if scheme.lower() == "bearer" and raw.strip() else None
    if token is None:
        return jsonify(error={"code": "unauthorized", "message": "bearer token required"}), 401
    row_id = db.session.execute(bench_inserts.insert().values(user_id=token.user_id, at=utcnow())
                                .returning(bench_inserts.c.id)).scalar_one()
    db.session.commit()
    return jsonify(id=row_id)


def _count(conn, cursor, statement, parameters, context, executemany) -> None:
    if has_app_context():
        g.bench_sql_count = g.get("bench_sql_count", 0) + 1


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    with app.app_context():
        for engine in db.engines.values():
            sa.event.listen(engine, "before_cursor_execute", _count)

    @app.after_request
    def sql_count_header(response):
        response.headers[SQL_COUNT_HEADER] = str(g.get("bench_sql_count", 0))
        return response
