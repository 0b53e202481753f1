"""The bench's hooks (app/benchmark.py): only with BENCH_BASELINE, never otherwise."""

import pytest

from app import create_app
from app.benchmark import SQL_COUNT_HEADER, create_table, drop_table
from tests.conftest import api_token


@pytest.fixture
def app_config():
    return {"BENCH_BASELINE": True}


@pytest.fixture
def bench_table(db):
    create_table(db.engine)
    yield
    drop_table(db.engine)  # the schema check compares the database with the models


def test_the_insert_baseline_authenticates_and_inserts_one_row(client, make_user, bench_table, db):
    make_user(username="cadre1")
    headers = api_token(client, "cadre1")
    client.get("/api/v1/me", headers=headers)  # the token's first use notes when it was used
    response = client.post("/bench/insert", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    # The token with its user, then the INSERT.
    assert response.headers[SQL_COUNT_HEADER] == "2"
    assert client.post("/bench/insert", headers=headers).get_json()["id"] == response.get_json()["id"] + 1
    assert client.post("/bench/insert").status_code == 401
    assert client.post("/bench/insert", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_every_response_says_how_many_statements_it_ran(client, make_user):
    make_user(username="cadre1")
    headers = api_token(client, "cadre1")
    client.get("/api/v1/me", headers=headers)  # the token's first use notes when it was used
    assert client.get("/api/v1/me", headers=headers).headers[SQL_COUNT_HEADER] == "3"  # with the balance
    assert client.get("/static/css/app.css").headers[SQL_COUNT_HEADER] == "0"


def test_without_the_setting_there_is_no_baseline_and_no_header(database_url):
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    assert app.config["BENCH_BASELINE"] is False
    client = app.test_client()
    assert client.post("/bench/insert").status_code == 404
    response = client.get("/static/css/app.css")
    response.close()
    assert response.status_code == 200 and SQL_COUNT_HEADER not in response.headers
