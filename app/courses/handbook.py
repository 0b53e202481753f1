"""Reading the business handbook (handbook/*.md) and importing it as courses.

The file format is documented in docs/handbook-format.md. Every file is parsed and checked
before anything is written, so a malformed file stops the import with its file, line and
reason and nothing is half-imported.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy import select

from app.accounts.models import Post
from app.courses.markdown import render
from app.courses.models import Course, Lesson, LessonVersion, Module, PostCourse
from app.extensions import db
from app.vocabulary import AREAS, TIERS

KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LESSON_HEADING = re.compile(r"^##\s+(?P<title>.+?)\s*\{#(?P<key>[^}\s]+)\}\s*$")
MODULE_HEADING = re.compile(r"^#\s+(?P<title>.+?)\s*$")
FENCE = re.compile(r"^(```|~~~)")
REQUIRED = ("course", "title", "area", "tier", "min_seconds")


class HandbookError(Exception):
    """A malformed handbook file: where and why."""

    def __init__(self, path: Path | str, line: int, reason: str):
        self.path, self.line, self.reason = str(path), line, reason
        super().__init__(f"{path}:{line}: {reason}")


@dataclass
class ParsedLesson:
    key: str
    title: str
    body_md: str
    min_seconds: int
    line: int


@dataclass
class ParsedModule:
    title: str
    lessons: list[ParsedLesson] = field(default_factory=list)


@dataclass
class ParsedCourse:
    path: str
    key: str
    title: str
    area: str
    tier: str
    posts: list[str]
    orientation: bool
    summary: str
    sources: list[str]
    intro_md: str
    modules: list[ParsedModule]


@dataclass(frozen=True)
class ImportReport:
    created: tuple[str, ...]
    updated: tuple[str, ...]
    archived: tuple[str, ...]
    unchanged: int

    def lines(self) -> list[str]:
        out = [f"created  {key}" for key in self.created]
        out += [f"updated  {key}" for key in self.updated]
        out += [f"archived {key}" for key in self.archived]
        out.append(f"{len(self.created)} created, {len(self.updated)} updated, "
                   f"{len(self.archived)} archived, {self.unchanged} unchanged")
        return out


def parse_file(path: Path) -> ParsedCourse:
    """Parse one handbook file, or raise HandbookError."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise HandbookError(path, 1, "the file is not UTF-8") from exc
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise HandbookError(path, 1, "the file must start with a '---' front matter block")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise HandbookError(path, 1, "the front matter has no closing '---'") from None
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        # Where the broken construct starts (an unclosed bracket) rather than where the
        # parser gave up, which is often the next line.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        raise HandbookError(path, line, f"the front matter is not valid YAML ({exc.problem if hasattr(exc, 'problem') else exc})") from exc
    if not isinstance(meta, dict):
        raise HandbookError(path, 2, "the front matter must be a mapping")
    _check_meta(path, meta)

    default_seconds = int(meta["min_seconds"])
    overrides = meta.get("lesson_seconds") or {}
    modules: list[ParsedModule] = []
    intro: list[str] = []
    lesson: ParsedLesson | None = None
    in_fence = False
    for number, line in enumerate(lines[end + 1:], start=end + 2):
        if FENCE.match(line.strip()):
            in_fence = not in_fence
        if not in_fence and line.startswith("# "):
            match = MODULE_HEADING.match(line)
            modules.append(ParsedModule(title=match["title"]))
            lesson = None
            continue
        if not in_fence and line.startswith("## "):
            match = LESSON_HEADING.match(line)
            if not match:
                raise HandbookError(path, number, "a lesson heading must end with {#lesson-key}")
            if not modules:
                raise HandbookError(path, number, "a lesson must come after a module heading ('# ...')")
            key = match["key"]
            if not KEY.match(key):
                raise HandbookError(path, number, f"lesson key {key!r} may use only a-z, 0-9 and '-'")
            seconds = overrides.get(key, default_seconds)
            lesson = ParsedLesson(key, match["title"], "", _positive(path, 2, seconds), number)
            modules[-1].lessons.append(lesson)
            continue
        if lesson is not None:
            lesson.body_md += line + "\n"
        elif modules:
            if line.strip():
                raise HandbookError(path, number, "text between a module heading and its first lesson")
        else:
            intro.append(line)

    all_lessons = [ls for module in modules for ls in module.lessons]
    if not all_lessons:
        raise HandbookError(path, end + 2, "the course has no lessons ('## title {#key}')")
    for module in modules:
        if not module.lessons:
            raise HandbookError(path, end + 2, f"module {module.title!r} has no lessons")
    seen: dict[str, int] = {}
    for item in all_lessons:
        if item.key in seen:
            raise HandbookError(path, item.line, f"lesson key {item.key!r} repeats line {seen[item.key]}")
        seen[item.key] = item.line
        if not item.body_md.strip():
            raise HandbookError(path, item.line, f"lesson {item.key!r} has no text")
        item.body_md = item.body_md.strip() + "\n"
    unknown = set(overrides) - set(seen)
    if unknown:
        raise HandbookError(path, 2, f"lesson_seconds names unknown lessons: {', '.join(sorted(unknown))}")
    return ParsedCourse(
        path=str(path), key=meta["course"], title=str(meta["title"]).strip(), area=meta["area"],
        tier=meta["tier"], posts=list(meta.get("posts") or []),
        orientation=bool(meta.get("orientation", False)), summary=str(meta.get("summary") or "").strip(),
        sources=[str(s) for s in meta.get("sources") or []], intro_md="\n".join(intro).strip(),
        modules=modules,
    )


def parse_directory(directory: Path) -> list[ParsedCourse]:
    """Parse every handbook file; keys must be unique across the whole handbook."""
    files = sorted(directory.glob("*.md"))
    if not files:
        raise HandbookError(directory, 0, "no .md files found")
    courses = [parse_file(path) for path in files if path.name.lower() != "readme.md"]
    course_keys: dict[str, str] = {}
    lesson_keys: dict[str, str] = {}
    for course in courses:
        if course.key in course_keys:
            raise HandbookError(course.path, 2, f"course key {course.key!r} is also used by {course_keys[course.key]}")
        course_keys[course.key] = course.path
        for module in course.modules:
            for lesson in module.lessons:
                if lesson.key in lesson_keys:
                    raise HandbookError(course.path, lesson.line,
                                        f"lesson key {lesson.key!r} is also used by {lesson_keys[lesson.key]}")
                lesson_keys[lesson.key] = course.path
    return courses


def import_handbook(directory: Path, *, now: datetime) -> ImportReport:
    """Create or update courses from `directory`; archive lessons and courses that vanished.

    Progress is kept: lessons are matched by key, never deleted.
    """
    parsed = parse_directory(directory)
    posts = {p.code: p for p in db.session.scalars(select(Post))}
    for course in parsed:
        missing = [code for code in course.posts if code not in posts]
        if missing:
            raise HandbookError(course.path, 2, f"unknown post codes: {', '.join(missing)}")

    created: list[str] = []
    updated: list[str] = []
    archived: list[str] = []
    unchanged = 0
    seen_lessons: set[str] = set()
    existing_courses = {c.key: c for c in db.session.scalars(select(Course))}
    existing_lessons = {ls.key: ls for ls in db.session.scalars(select(Lesson))}

    for position, spec in enumerate(parsed):
        course = existing_courses.get(spec.key)
        if course is None:
            course = Course(key=spec.key, status="published")
            db.session.add(course)
            created.append(spec.key)
        elif course.status == "archived":
            course.status = "published"
        course.title, course.area, course.tier = spec.title, spec.area, spec.tier
        course.summary, course.sources, course.orientation = spec.summary, spec.sources, spec.orientation
        course.intro_html = render(spec.intro_md).html if spec.intro_md else ""
        course.position = position
        course.updated_at = now
        db.session.flush()
        _sync_posts(course, [posts[code] for code in spec.posts])

        modules = {m.title: m for m in course.modules}
        for m_position, module_spec in enumerate(spec.modules):
            module = modules.pop(module_spec.title, None)
            if module is None:
                module = Module(course=course, title=module_spec.title)
                db.session.add(module)
            module.position, module.archived = m_position, False
            db.session.flush()
            for l_position, lesson_spec in enumerate(module_spec.lessons):
                seen_lessons.add(lesson_spec.key)
                outcome = _upsert_lesson(existing_lessons.get(lesson_spec.key), lesson_spec,
                                         course, module, l_position, now)
                if outcome == "created":
                    created.append(f"{spec.key}/{lesson_spec.key}")
                elif outcome == "updated":
                    updated.append(f"{spec.key}/{lesson_spec.key}")
                else:
                    unchanged += 1
        for leftover in modules.values():
            leftover.archived = True

    parsed_keys = {c.key for c in parsed}
    for key, lesson in existing_lessons.items():
        if key not in seen_lessons and lesson.status != "archived":
            lesson.status = "archived"
            archived.append(f"{lesson.course.key}/{key}")
    for key, course in existing_courses.items():
        if key not in parsed_keys and course.status != "archived":
            course.status = "archived"
            archived.append(key)
    db.session.flush()
    return ImportReport(tuple(created), tuple(updated), tuple(archived), unchanged)


def _upsert_lesson(lesson: Lesson | None, spec: ParsedLesson, course: Course, module: Module,
                   position: int, now: datetime) -> str:
    fingerprint = _fingerprint(spec.title, spec.body_md, spec.min_seconds)
    if lesson is None:
        lesson = Lesson(key=spec.key, course=course, module=module, position=position,
                        status="published", version=0)
        db.session.add(lesson)
        _set_text(lesson, spec, fingerprint, now)
        return "created"
    lesson.course, lesson.module, lesson.position = course, module, position
    revived = lesson.status == "archived"
    if revived:
        lesson.status = "published"
    if lesson.source_hash == fingerprint:
        return "updated" if revived else "unchanged"
    _set_text(lesson, spec, fingerprint, now)
    return "updated"


def _set_text(lesson: Lesson, spec: ParsedLesson, fingerprint: str, now: datetime) -> None:
    rendered = render(spec.body_md)
    lesson.title, lesson.body_md, lesson.min_seconds = spec.title, spec.body_md, spec.min_seconds
    lesson.html, lesson.toc = rendered.html, rendered.toc
    lesson.source_hash = fingerprint
    lesson.version += 1
    lesson.updated_at = now
    db.session.flush()
    db.session.add(LessonVersion(lesson=lesson, version=lesson.version, title=spec.title,
                                 body_md=spec.body_md, min_seconds=spec.min_seconds,
                                 source="import", created_at=now))


def _sync_posts(course: Course, posts: list[Post]) -> None:
    current = {pc.post_id: pc for pc in db.session.scalars(
        select(PostCourse).where(PostCourse.course_id == course.id))}
    wanted = {p.id for p in posts}
    for post_id, row in current.items():
        if post_id not in wanted:
            db.session.delete(row)
    for post_id in wanted - set(current):
        db.session.add(PostCourse(post_id=post_id, course_id=course.id))


def _fingerprint(title: str, body: str, seconds: int) -> str:
    return hashlib.sha256(f"{title}\x00{body}\x00{seconds}".encode()).hexdigest()


def _check_meta(path: Path, meta: dict) -> None:
    for name in REQUIRED:
        if meta.get(name) in (None, ""):
            raise HandbookError(path, 2, f"the front matter lacks {name!r}")
    if not KEY.match(str(meta["course"])):
        raise HandbookError(path, 2, "the course key may use only a-z, 0-9 and '-'")
    if meta["area"] not in AREAS:
        raise HandbookError(path, 2, f"unknown area {meta['area']!r}; use one of {', '.join(AREAS)}")
    if meta["tier"] not in TIERS:
        raise HandbookError(path, 2, f"unknown tier {meta['tier']!r}; use one of {', '.join(TIERS)}")
    _positive(path, 2, meta["min_seconds"])
    if not isinstance(meta.get("posts") or [], list):
        raise HandbookError(path, 2, "posts must be a list of post codes")
    if not isinstance(meta.get("lesson_seconds") or {}, dict):
        raise HandbookError(path, 2, "lesson_seconds must map lesson keys to seconds")


def _positive(path: Path, line: int, value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise HandbookError(path, line, f"{value!r} is not a positive number of seconds")
    return value
