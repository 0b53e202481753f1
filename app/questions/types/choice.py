"""What single and multiple choice share: options keyed A, B, C..., the shuffle, the key map."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from app.questions.data import OptionData, QuestionData
from app.questions.types.base import (
    OPTION_KEYS,
    InvalidAnswer,
    Presented,
    QuestionType,
    identity_map,
    normalize_text,
    shuffled_options,
)


def option_problems(content: dict, minimum: int) -> list[str]:
    problems = []
    options = content.get("options") or []
    if not minimum <= len(options) <= len(OPTION_KEYS):
        problems.append(str(_l("A choice question needs %(min)d to %(max)d options.",
                               min=minimum, max=len(OPTION_KEYS))))
    texts = [normalize_text(o.get("text", "")) for o in options]
    if any(not t for t in texts):
        problems.append(str(_l("An option is empty.")))
    if len(set(texts)) != len(texts):
        problems.append(str(_l("Two options say the same thing.")))
    keys = [o.get("key") for o in options]
    if keys != list(OPTION_KEYS[: len(options)]):
        problems.append(str(_l("Options must be keyed A, B, C... in order.")))
    return problems


class ChoiceType(QuestionType):
    """A question answered by picking options. Subclasses say how many and how it scores."""

    def present(self, content, *, shuffle_seed=None):
        options, key_map = shuffled_options(content, shuffle_seed)
        return Presented(self._view(content, options), key_map)

    @staticmethod
    def _stored_key(content: dict, raw: Any, key_map: Mapping[str, str] | None) -> str:
        key_map = identity_map(content) if key_map is None else key_map
        if not isinstance(raw, str) or raw.strip().upper() not in key_map:
            raise InvalidAnswer(_l("choose one of the option keys shown"))
        return key_map[raw.strip().upper()]

    @staticmethod
    def _shown_key(stored: str, key_map: Mapping[str, str] | None) -> str:
        if key_map is None:
            return stored
        inverse = {v: k for k, v in key_map.items()}
        return inverse[stored]

    # Authoring -------------------------------------------------------------------------

    def content_of(self, data: QuestionData) -> dict:
        return {"options": [{"key": o.key, "text": o.text.strip(), "fraction": o.fraction,
                             "feedback": o.feedback} for o in data.options],
                "answer": self._stored_answer(data.answer)}

    def _stored_answer(self, answer):
        return answer

    def read_content(self, content, data):
        data.options = [OptionData(o["key"], o["text"], o.get("fraction", 0.0), o.get("feedback", ""))
                        for o in content.get("options", [])]
        data.answer = content.get("answer")

    def _right_keys(self, data: QuestionData) -> list:
        return data.answer if isinstance(data.answer, list) else [data.answer]

    def read_form(self, form, data):
        texts = [(f.data or "").strip() for f in form.option_fields()]
        while texts and not texts[-1]:
            texts.pop()
        data.options = [OptionData(OPTION_KEYS[i], text) for i, text in enumerate(texts)]
        data.answer = self._form_answer(form)
        right = self._right_keys(data)
        for option in data.options:
            option.fraction = 1.0 if option.key in right else 0.0

    def _form_answer(self, form):
        raise NotImplementedError

    def fill_form(self, form, data):
        for option, field in zip(data.options, form.option_fields(), strict=False):
            field.data = option.text

    def keep_imported(self, data, old):
        before = {o.key: o for o in old.options}
        for option in data.options:
            was = before.get(option.key)
            if was is not None and was.text == option.text:
                option.feedback = was.feedback
                if (was.fraction > 0) == (option.fraction > 0):
                    option.fraction = was.fraction
