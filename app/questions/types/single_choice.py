"""单选: one right option."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.questions.types.base import Policy
from app.questions.types.choice import ChoiceType, option_problems


class SingleChoice(ChoiceType):
    code = "single_choice"
    label = _l("Single choice")
    edit_template = "questions/types/single_choice/edit.html"
    show_template = "questions/types/single_choice/show.html"
    answer_template = "questions/types/single_choice/answer.html"

    def validate(self, content):
        problems = option_problems(content, 2)
        keys = {o.get("key") for o in content.get("options") or []}
        if content.get("answer") not in keys:
            problems.append(str(_l("The answer must name one of the options.")))
        return problems

    def parse_answer(self, content, raw, *, key_map=None):
        return self._stored_key(content, raw, key_map)

    def shown_answer(self, answer, *, key_map=None):
        return None if answer is None else self._shown_key(answer, key_map)

    def grade(self, content, answer, points, policy=Policy.ALL_OR_NOTHING):
        return self._grade(answer is not None and answer == content["answer"], points)

    def correct_answer(self, content, *, key_map=None):
        return self._shown_key(content["answer"], key_map)

    def _form_answer(self, form):
        return form.single_answer.data

    def fill_form(self, form, data):
        super().fill_form(form, data)
        form.single_answer.data = data.answer
