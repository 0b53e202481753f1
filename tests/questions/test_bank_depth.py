"""The shipped bank is deep and balanced enough for certification at every tier: these are
the figures a subject reviewer checks, measured on the files themselves."""

from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from app.vocabulary import AREAS, TIERS

ROOT = Path(__file__).resolve().parents[2]


def _bank() -> list[dict]:
    questions = []
    for path in sorted((ROOT / "question_bank").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for q in data["questions"]:
            questions.append({**q, "area": q.get("area", data["area"])})
    return questions


BANK = _bank()


def test_the_bank_holds_at_least_800_questions():
    assert len(BANK) >= 800, len(BANK)


@pytest.mark.parametrize("area", sorted(AREAS))
@pytest.mark.parametrize("tier", sorted(TIERS))
def test_every_area_and_tier_has_40_objective_questions(area, tier):
    objective = [q for q in BANK if q["area"] == area and q["tier"] == tier and q["type"] != "essay"]
    assert len(objective) >= 40, (area, tier, len(objective))


@pytest.mark.parametrize("area", sorted(AREAS))
def test_every_area_has_essays_at_intermediate_and_expert(area):
    essays = Counter(q["tier"] for q in BANK if q["area"] == area and q["type"] == "essay")
    assert essays["intermediate"] >= 1 and essays["expert"] >= 1, (area, essays)
    for q in BANK:
        if q["area"] == area and q["type"] == "essay":
            assert q.get("reference_answer") and q.get("rubric"), q["id"]
            assert sum(item["score"] for item in q["rubric"]) == q.get("points", 1), q["id"]


def test_no_single_choice_letter_keys_more_than_35_percent():
    keys = Counter(q["answer"] for q in BANK if q["type"] == "single_choice")
    total = sum(keys.values())
    assert max(keys.values()) / total <= 0.35, keys


def test_every_option_but_the_last_is_the_key_of_at_most_a_quarter_of_multiple_choice():
    multiple = [q for q in BANK if q["type"] == "multiple_choice"]
    all_but_last = [q for q in multiple if sorted(q["answer"]) == sorted(q["options"])[:-1]]
    assert len(all_but_last) <= len(multiple) / 4, (len(all_but_last), len(multiple))


def test_true_and_false_keys_each_between_40_and_60_percent():
    answers = [q["answer"] for q in BANK if q["type"] == "true_false"]
    share = sum(1 for a in answers if a is True) / len(answers)
    assert 0.4 <= share <= 0.6, share


def test_expert_objective_questions_are_not_easy():
    by_area = defaultdict(list)
    for q in BANK:
        if q["tier"] == "expert" and q["type"] != "essay":
            by_area[q["area"]].append(q["difficulty"])
    for area, levels in by_area.items():
        assert sum(levels) / len(levels) >= 3.5, (area, sum(levels) / len(levels))


def test_no_chapter_rests_on_an_expired_or_superseded_text():
    for path in sorted((ROOT / "handbook").glob("*.md")):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
        for source in front.get("sources", []):
            assert "2019—2023年全国党员教育培训工作规划" not in source, path.name
            assert "干部教育培训工作条例》（2015" not in source, path.name
