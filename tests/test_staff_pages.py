"""Staff pages a phone can use, plain words, and a way back from every person page."""

from tests.conftest import login


def test_the_lesson_table_hides_lesson_keys_and_turns_into_cards(client, make_user, make_lesson):
    lesson = make_lesson(key="cs-principles", title="原则与好干部标准", min_seconds=240)
    make_user(username="trainer", roles=("trainer",))
    login(client, "trainer")
    html = client.get("/teach/lessons").get_data(as_text=True)
    assert lesson.title in html and "cs-principles" not in html
    assert 'class="table table-sm align-middle table-cards" data-testid="lesson-table"' in html
    assert "4分钟" in html


def test_the_question_list_gives_each_stem_a_line_on_a_phone(client, make_user, make_question):
    make_question(stem="按照《干部任用条例》，选拔任用党政领导干部必须把什么放在首位？")
    make_user(username="trainer", roles=("trainer",))
    login(client, "trainer")
    html = client.get("/teach/questions").get_data(as_text=True)
    assert "table-cards question-table" in html
    assert '<td class="card-head question-stem">' in html


def test_person_pages_have_breadcrumbs(client, db, make_user, make_unit):
    unit = make_unit("干部室")
    make_user(username="boss", roles=("manager",), org_unit=unit)
    person = make_user(username="cadre01", name="刘思远", org_unit=unit)
    login(client, "boss")
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    crumbs = page[page.index('data-testid="breadcrumb"'):page.index("</ol>")]
    assert 'href="/people"' in crumbs and f"unit={unit.id}" in crumbs and "刘思远" in crumbs
    timeline = client.get(f"/people/{person.id}/timeline").get_data(as_text=True)
    crumbs = timeline[timeline.index('data-testid="breadcrumb"'):timeline.index("</ol>")]
    assert f'href="/people/{person.id}"' in crumbs and 'href="/people"' in crumbs


def test_people_are_named_with_full_name(client, make_user):
    make_user(username="admin", roles=("admin", "manager"))
    login(client, "admin")
    for path in ("/people", "/admin/users"):
        html = client.get(path).get_data(as_text=True)
        assert "<th>姓名</th>" in html and "<th>名称</th>" not in html, path
