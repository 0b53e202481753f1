"""多选: two or more right options; all or nothing, or half for a correct subset."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.questions.types.base import Grade, InvalidAnswer, Policy, cents, identity_map
from app.questions.types.choice import ChoiceType, option_problems


class MultipleChoice(ChoiceType):
    code = "multiple_choice"
    label = _l("Multiple choice")
    edit_template = "questions/types/multiple_choice/edit.html"
    show_template = "questions/types/multiple_choice/show.html"
    answer_template = "questions/types/multiple_choice/answer.html"

    def validate(self, content):
        problems = option_problems(content, 3)
        keys = {o.get("key") for o in content.get("options") or []}
        answer = content.get("answer")
        if not isinstance(answer, list) or len(answer) < 2 or not set(answer) <= keys \
                or len(set(answer)) != len(answer):
            problems.append(str(_l("The answer must name at least two different options.")))
        return problems

    def parse_answer(self, content, raw, *, key_map=None):
        key_map = identity_map(content) if key_map is None else key_map
        if not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
            raise InvalidAnswer(_l("send a list of option keys"))
        picked = {a.strip().upper() for a in raw}
        if not picked <= set(key_map):
            raise InvalidAnswer(_l("choose among the option keys shown"))
        return sorted(key_map[k] for k in picked)

    def shown_answer(self, answer, *, key_map=None):
        return None if answer is None else sorted(self._shown_key(a, key_map) for a in answer)

    def grade(self, content, answer, points, policy=Policy.ALL_OR_NOTHING):
        right, picked = set(content["answer"]), set(answer or [])
        full = cents(points)
        if picked == right:
            return Grade(full, full, True)
        # 少选得一半分, 错选不得分: a correct, non-empty subset earns half under "partial".
        if Policy(policy) is Policy.PARTIAL and picked and picked < right:
            return Grade(cents(full / 2), full, False)
        return Grade(cents(0), full, False)

    def correct_answer(self, content, *, key_map=None):
        return sorted(self._shown_key(a, key_map) for a in content["answer"])

    def _stored_answer(self, answer):
        return sorted(answer) if isinstance(answer, list) else answer

    def _form_answer(self, form):
        return sorted(form.multiple_answer.data or [])

    def fill_form(self, form, data):
        super().fill_form(form, data)
        form.multiple_answer.data = list(data.answer or [])
