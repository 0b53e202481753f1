"""判断: a statement that is true or false."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.questions.types.base import InvalidAnswer, Policy, QuestionType


class TrueFalse(QuestionType):
    code = "true_false"
    label = _l("True or false")
    edit_template = "questions/types/true_false/edit.html"
    show_template = "questions/types/true_false/show.html"
    answer_template = "questions/types/true_false/answer.html"

    def validate(self, content):
        return [] if isinstance(content.get("answer"), bool) else [str(_l("The answer must be true or false."))]

    def parse_answer(self, content, raw, *, key_map=None):
        if not isinstance(raw, bool):
            raise InvalidAnswer(_l("send true or false"))
        return raw

    def grade(self, content, answer, points, policy=Policy.ALL_OR_NOTHING):
        return self._grade(answer is not None and answer is content["answer"], points)

    def content_of(self, data):
        return {"answer": data.answer, "true_feedback": data.true_feedback,
                "false_feedback": data.false_feedback}

    def read_content(self, content, data):
        data.answer = content.get("answer")
        data.true_feedback = content.get("true_feedback", "")
        data.false_feedback = content.get("false_feedback", "")

    def read_form(self, form, data):
        data.answer = {"true": True, "false": False}.get(form.truth.data)

    def fill_form(self, form, data):
        form.truth.data = "true" if data.answer else "false"

    def keep_imported(self, data, old):
        data.true_feedback, data.false_feedback = old.true_feedback, old.false_feedback
