"""Question types: a registry of small classes, never `if type == ...` chains.

This package is the only place that knows a question type. Each type is one class in a
module of its own and owns:

- its stored content shape (`content_of`, `read_content`) and its checks (`validate`,
  `authoring_problems`);
- its trainer form binding (`read_form`, `fill_form`) and its templates under
  `templates/questions/types/<code>/`: `edit.html` (form fields), `show.html` (the right
  answer, for trainers) and `answer.html` (the learner's inputs, which receives only
  `Presented.view`: never an answer, weight, feedback, explanation or rubric);
- what a learner sees (`present`, with an optional deterministic option shuffle), how a
  learner's answer is read (`parse_answer`, `shown_answer`) and graded (`grade`, exact
  Decimals to the cent, with the exam's multiple-choice `Policy`).

Adding a type is one class here (listed in REGISTRY), its three templates, and one
migration, since the CHECK constraint on `questions.type` is built from REGISTRY;
tests/questions/test_registry.py proves the registry, that constraint and the importers agree.
"""

from __future__ import annotations

from app.questions.types.base import (
    BLANK_MARK,
    CENT,
    MAX_POINTS,
    OPTION_KEYS,
    Grade,
    InvalidAnswer,
    Policy,
    Presented,
    QuestionType,
    cents,
    count_blanks,
    exact,
    normalize_text,
    points_problem,
    shortest,
    to_points,
)
from app.questions.types.essay import Essay
from app.questions.types.fill_blank import FillBlank
from app.questions.types.multiple_choice import MultipleChoice
from app.questions.types.single_choice import SingleChoice
from app.questions.types.true_false import TrueFalse

REGISTRY: dict[str, QuestionType] = {
    t.code: t for t in (SingleChoice(), MultipleChoice(), TrueFalse(), FillBlank(), Essay())
}
TYPE_LABELS = {code: t.label for code, t in REGISTRY.items()}


def get_type(code: str) -> QuestionType:
    """The type registered under `code` (KeyError for an unknown one)."""
    return REGISTRY[code]


__all__ = [
    "BLANK_MARK", "CENT", "MAX_POINTS", "OPTION_KEYS", "REGISTRY", "TYPE_LABELS", "Essay", "FillBlank", "Grade",
    "InvalidAnswer", "MultipleChoice", "Policy", "Presented", "QuestionType", "SingleChoice", "TrueFalse",
    "cents", "count_blanks", "exact", "get_type", "normalize_text", "points_problem", "shortest", "to_points",
]
