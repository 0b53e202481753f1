"""填空: one or more blanks, each with accepted variants worth a share of the blank."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.questions.data import BlankAnswer
from app.questions.types.base import (
    Grade,
    InvalidAnswer,
    Policy,
    Presented,
    QuestionType,
    cents,
    count_blanks,
    exact,
    normalize_text,
)

MAX_BLANK = 500  # characters a learner may type in one blank


class FillBlank(QuestionType):
    code = "fill_blank"
    label = _l("Fill in the blanks")
    edit_template = "questions/types/fill_blank/edit.html"
    show_template = "questions/types/fill_blank/show.html"
    answer_template = "questions/types/fill_blank/answer.html"

    def validate(self, content):
        blanks = content.get("blanks") or []
        problems = []
        if not blanks:
            problems.append(str(_l("A fill-in question needs at least one blank.")))
        for index, accepted in enumerate(blanks, 1):
            if not accepted or not any(normalize_text(a.get("text", "")) for a in accepted):
                problems.append(str(_l("Blank %(n)d has no accepted answer.", n=index)))
        # One blank may go unmarked (a short answer, Moodle's shortanswer: the box follows the
        # stem); several blanks must each be marked in the stem, or nobody knows where they go.
        marks = count_blanks(content.get("stem", ""))
        if (marks or len(blanks) > 1) and marks != len(blanks):
            problems.append(str(_l("The stem marks %(marks)d blanks but %(blanks)d are defined.",
                                   marks=marks, blanks=len(blanks))))
        return problems

    def present(self, content, *, shuffle_seed=None):
        view = self._view(content)
        view["blanks"] = len(content.get("blanks") or [])
        return Presented(view, {})

    def parse_answer(self, content, raw, *, key_map=None):
        if not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
            raise InvalidAnswer(_l("send a list of strings, one per blank"))
        if len(raw) != len(content["blanks"]):
            raise InvalidAnswer(_l("send one string per blank"))
        return [a[:MAX_BLANK] for a in raw]

    def grade(self, content, answer, points, policy=Policy.ALL_OR_NOTHING):
        blanks = content["blanks"]
        sensitive = bool(content.get("case_sensitive"))
        earned = Decimal(0)
        for given, accepted in zip(answer or [], blanks, strict=False):
            given_norm = normalize_text(given, case_sensitive=sensitive)
            best = max((exact(a.get("fraction", 1.0)) for a in accepted
                        if given_norm and normalize_text(a["text"], case_sensitive=sensitive) == given_norm),
                       default=Decimal(0))
            earned += max(Decimal(0), best)
        full = cents(points)
        score = cents(exact(points) * earned / len(blanks))
        return Grade(score, full, score >= full)

    def correct_answer(self, content, *, key_map=None):
        return [max(blank, key=lambda a: a.get("fraction", 1.0))["text"] for blank in content["blanks"]]

    # Authoring -------------------------------------------------------------------------

    def content_of(self, data):
        return {"blanks": [[{"text": a.text.strip(), "fraction": a.fraction} for a in blank]
                           for blank in data.blanks],
                "case_sensitive": bool(data.case_sensitive)}

    def read_content(self, content, data):
        data.blanks = [[BlankAnswer(a["text"], a.get("fraction", 1.0)) for a in blank]
                       for blank in content.get("blanks", [])]
        data.case_sensitive = bool(content.get("case_sensitive", False))

    def read_form(self, form, data):
        data.blanks = [[BlankAnswer(v.strip()) for v in line.split("|") if v.strip()]
                       for line in (form.blanks.data or "").splitlines() if line.strip()]
        data.case_sensitive = form.case_sensitive.data

    def fill_form(self, form, data):
        form.blanks.data = "\n".join("|".join(a.text for a in blank) for blank in data.blanks)
        form.case_sensitive.data = data.case_sensitive

    def keep_imported(self, data, old):
        for index, blank in enumerate(data.blanks):
            earlier = {a.text: a.fraction for a in (old.blanks[index] if index < len(old.blanks) else [])}
            for answer in blank:
                answer.fraction = earlier.get(answer.text, answer.fraction)
