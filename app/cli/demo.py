"""`flask seed-demo`: a demo county organization department, safe to run again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.accounts import org, services
from app.accounts.models import OrgUnit, Post, User
from app.courses import collective, plans
from app.courses.handbook import import_handbook
from app.courses.models import CollectiveSession, Course, CourseAssignment, Lesson
from app.extensions import db
from app.questions.importer import import_questions
from app.timeutil import LOCAL_TZ, add_months, local_today, utcnow

DEMO_PASSWORD = "demo1234"

DEPARTMENT = "组织部"
SECTIONS = ["干部室", "组织室", "干部监督室", "电教中心", "信息网评室", "办公室"]
TOWNS = {
    "城关镇": ["城关镇机关党支部", "东关村党总支", "南街社区党委"],
    "河西镇": ["河西镇机关党支部", "柳湾村党支部", "河西村党总支"],
}

POSTS = [
    ("cadre_officer", "干部工作岗", "cadre", "干部选拔任用、干部教育培训等干部工作。"),
    ("organization_officer", "组织工作岗", "organization", "基层组织建设、党员发展与管理。"),
    ("supervision_officer", "干部监督岗", "supervision", "干部日常监督、个人有关事项报告、12380举报受理。"),
    ("remote_edu_officer", "远程教育岗", "remote_edu", "党员干部现代远程教育站点管理与学用。"),
    ("info_officer", "信息网评岗", "informatization", "组织工作信息化、组工信息与网络信息工作。"),
    ("office_officer", "综合文秘岗", "informatization", "文稿、信息报送、保密与综合协调。"),
    ("town_org_member", "乡镇组织委员", "organization", "乡镇党委分管党建、组织工作。"),
]


@dataclass(frozen=True)
class DemoPerson:
    username: str
    name: str
    unit: str  # a name path
    post: str | None
    roles: tuple[str, ...]
    months_ago: int


STAFF = [
    DemoPerson("admin", "系统管理员", "组织部/办公室", None, ("admin",), 60),
    DemoPerson("trainer", "周培文", "组织部/干部室", "cadre_officer", ("trainer", "cadre"), 48),
    # A second trainer, because nobody approves their own questions.
    DemoPerson("trainer2", "吴文清", "组织部/组织室", "organization_officer", ("trainer", "cadre"), 36),
    DemoPerson("manager", "高明远", "组织部", None, ("manager",), 96),
]
CADRES = [
    ("刘思远", "组织部/干部室", "cadre_officer", 1),  # a newcomer whose orientation is due soon
    ("陈静怡", "组织部/干部室", "cadre_officer", 30),
    ("王建国", "组织部/干部室", "cadre_officer", 72),
    ("赵晓雯", "组织部/组织室", "organization_officer", 8),
    ("孙立新", "组织部/组织室", "organization_officer", 40),
    ("李红梅", "组织部/组织室", "organization_officer", 55),
    ("杨帆", "组织部/干部监督室", "supervision_officer", 5),
    ("吴志强", "组织部/干部监督室", "supervision_officer", 26),
    ("郑雅琴", "组织部/干部监督室", "supervision_officer", 64),
    ("马骏", "组织部/电教中心", "remote_edu_officer", 14),
    ("黄丽", "组织部/电教中心", "remote_edu_officer", 38),
    ("何宇航", "组织部/信息网评室", "info_officer", 2),
    ("林婉清", "组织部/信息网评室", "info_officer", 20),
    ("郭子豪", "组织部/办公室", "office_officer", 11),
    ("罗欣然", "组织部/办公室", "office_officer", 44),
    ("梁海涛", "组织部/干部室", "cadre_officer", 90),
    ("宋晓峰", "城关镇", "town_org_member", 6),
    ("唐雪", "城关镇", "town_org_member", 33),
    ("韩磊", "河西镇", "town_org_member", 15),
    ("冯佳", "河西镇", "town_org_member", 50),
]


def demo_people() -> list[DemoPerson]:
    people = list(STAFF)
    for number, (name, unit, post, months) in enumerate(CADRES, 1):
        people.append(DemoPerson(f"cadre{number:02d}", name, unit, post, ("cadre",), months))
    return people


def seed(today: date) -> list[str]:
    """Create or complete the demo org tree, posts and accounts; return new usernames."""
    department = _unit(DEPARTMENT, None, "department", 0)
    for order, name in enumerate(SECTIONS, 1):
        _unit(name, department, "section", order)
    for order, (town, committees) in enumerate(TOWNS.items(), 1):
        town_unit = _unit(town, None, "town", order)
        for sub_order, name in enumerate(committees, 1):
            _unit(name, town_unit, "branch" if "支部" in name else "committee", sub_order)

    posts = {}
    for code, name, area, description in POSTS:
        post = db.session.scalar(select(Post).where(Post.code == code))
        posts[code] = post or services.create_post(code, name, area, description)

    created = []
    for person in demo_people():
        if db.session.scalar(select(User.id).where(User.username == person.username)):
            continue
        data = services.UserData(
            username=person.username,
            name=person.name,
            org_unit=org.find_by_path(person.unit),
            roles=person.roles,
            joined_on=add_months(today, -person.months_ago),
            post=posts[person.post] if person.post else None,
        )
        services.create_user(data, DEMO_PASSWORD, actor=None, today=today,
                             must_change_password=False)
        created.append(person.username)
    db.session.flush()
    return created


def _unit(name: str, parent: OrgUnit | None, kind: str, order: int) -> OrgUnit:
    parent_clause = OrgUnit.parent_id.is_(None) if parent is None else OrgUnit.parent_id == parent.id
    existing = db.session.scalar(select(OrgUnit).where(parent_clause, OrgUnit.name == name))
    return existing or org.create_unit(name, parent=parent, kind=kind, sort_order=order)


def seed_learning(now: datetime) -> list[str]:
    """Import the shipped handbook and add a collective study and an assignment to show."""
    directory = Path(current_app.config["HANDBOOK_DIR"])
    if not any(directory.glob("*.md")):
        return ["handbook: no files, skipped"]
    report = import_handbook(directory, now=now)
    lines = [f"handbook: {report.lines()[-1]}"]
    trainer = db.session.scalar(select(User).where(User.username == "trainer"))
    manager = db.session.scalar(select(User).where(User.username == "manager"))
    lesson = db.session.scalar(select(Lesson).where(Lesson.key == "sb-professional"))
    if lesson is not None and not db.session.scalar(select(CollectiveSession.id)):
        # The next Monday's 周一大课堂, 08:30-10:00 Beijing time.
        today = local_today(now)
        monday = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
        start = datetime.combine(monday, time(8, 30), LOCAL_TZ)
        session = collective.schedule(title="周一大课堂：干什么学什么", starts_at=start,
                                      ends_at=start + timedelta(minutes=90), place="部机关三楼会议室",
                                      link="", lesson=lesson, by=trainer)
        lines.append(f"collective study {monday.isoformat()} 08:30, check-in code {session.code}")
    training = db.session.scalar(select(Course).where(Course.key == "cadre-training"))
    department = org.find_by_path(DEPARTMENT)
    if training is not None and not db.session.scalar(select(CourseAssignment.id)):
        quarter_end = _quarter_end(local_today(now))
        plans.assign(training, due_on=quarter_end, by=manager, org_unit=department)
        lines.append(f"assigned {training.title} to {DEPARTMENT}, due {quarter_end.isoformat()}")
    db.session.flush()
    lines.extend(seed_question_bank(now))
    lines.extend(seed_exams(now))
    lines.extend(seed_points(now))
    return lines


# Demo study, as (cadre number, days ago it ended, days of study): the points come from
# real heartbeats, so every point on the demo pages traces back to a lesson.
DEMO_STUDY = [(1, 1, 7), (2, 1, 3), (3, 2, 2), (4, 1, 4), (7, 3, 1), (10, 1, 2), (12, 1, 1)]
DEMO_REWARDS = [("《干部教育培训工作条例》读本", "学习用书，到办公室领取。", 10, 20),
                ("组工干部笔记本", "印有“忠诚 干净 担当”的笔记本。", 20, 30),
                ("“学习标兵”荣誉证书", "季度评议时颁发。", 100, 5)]
BEATS_PER_DAY, BEAT_S = 21, 30  # 600 credited seconds a day: 2 study points


def seed_points(now: datetime) -> list[str]:
    """A rewards catalogue, and study by some demo cadres on past days (heartbeats on the
    shipped lessons), which the ledger turns into points; a streak is settled."""
    from app.courses.services import heartbeat
    from app.courses.tasks import close_stale_sittings
    from app.ledger import services as ledger_services
    from app.ledger.models import Reward
    from app.ledger.tasks import settle_streaks
    from app.traces.models import Trace

    lines = []
    if not db.session.scalar(select(Reward.id)):
        for title, description, price, stock in DEMO_REWARDS:
            ledger_services.create_reward(title, price, stock, description, actor=None, now=now)
        lines.append(f"rewards: {len(DEMO_REWARDS)} in the catalogue")
    cadres = {int(u.username[5:]): u for u in db.session.scalars(
        select(User).where(User.username.like("cadre%")))}
    lessons = db.session.scalars(select(Lesson).where(Lesson.status == "published")
                                 .order_by(Lesson.course_id, Lesson.id).limit(8)).all()
    if not lessons or db.session.scalar(select(Trace.id).where(
            Trace.verb == "studied", Trace.actor_id.in_([u.id for u in cadres.values()]))):
        return lines
    max_credit = current_app.config["HEARTBEAT_MAX_CREDIT_S"]
    today = local_today(now)
    for number, ended, days in DEMO_STUDY:
        user = cadres.get(number)
        if user is None:
            continue
        for n, day_offset in enumerate(range(ended + days - 1, ended - 1, -1)):
            lesson = lessons[(number + n) % len(lessons)]
            start = datetime.combine(today - timedelta(days=day_offset), time(9, 0), LOCAL_TZ)
            for beat in range(BEATS_PER_DAY):
                heartbeat(user, lesson, visible=True, at_end=beat == BEATS_PER_DAY - 1,
                          now=start + timedelta(seconds=beat * BEAT_S), max_credit=max_credit)
    close_stale_sittings(now)  # the last day's sittings end with the demo's history
    settle_streaks(now)
    db.session.flush()
    lines.append(f"points: study by {len(DEMO_STUDY)} cadres on past days, streaks settled")
    return lines


DEMO_EXAM = "干部工作基础知识考试"


def seed_exams(now: datetime) -> list[str]:
    """A published formal exam for the cadres, drawn by rules from the shipped bank: 20
    questions, 100 points, 30 minutes, open for the next 30 days, required by 干部工作岗."""
    from decimal import Decimal

    from app.exams import services as exams
    from app.exams.draw import RuleSpec
    from app.exams.models import Exam, PostExam

    if db.session.scalar(select(Exam.id).where(Exam.title == DEMO_EXAM)) is not None:
        return [f"exam {DEMO_EXAM}: already there"]
    rules = [RuleSpec("cadre", "single_choice", "basic", 10, Decimal("4")),
             RuleSpec("cadre", "multiple_choice", "basic", 2, Decimal("5")),
             RuleSpec("cadre", "true_false", "basic", 5, Decimal("4")),
             RuleSpec("cadre", "fill_blank", "basic", 3, Decimal("10"))]
    data = exams.ExamData(
        title=DEMO_EXAM, kind="exam", status="published",
        description="干部选拔任用、干部教育培训等干部工作基础知识。每次作答从题库按规则抽题。",
        opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=30), time_limit_s=30 * 60,
        max_attempts=2, counting="highest", pass_score=Decimal("60"), shuffle=True,
        multiple_choice_policy="partial", review_policy="after_close", grace_s=30, rules=rules)
    exam = exams.create_exam(data, actor=None, now=now)
    post = db.session.scalar(select(Post).where(Post.code == "cadre_officer"))
    if post is not None:
        db.session.add(PostExam(post_id=post.id, exam_id=exam.id))
    db.session.flush()
    return [f"exam {DEMO_EXAM}: 20 questions by rules, 30 minutes, open until "
            f"{exam.closes_at.astimezone(LOCAL_TZ):%Y-%m-%d}"]


def seed_question_bank(now: datetime) -> list[str]:
    """Import the shipped bank (question_bank/*.yaml) as published questions."""
    directory = Path(current_app.config["QUESTION_BANK_DIR"])
    files = sorted(directory.glob("*.yaml"))
    if not files:
        return ["question bank: no files, skipped"]
    imported = skipped = 0
    for file in files:
        report = import_questions(file.read_bytes(), fmt="yaml", filename=file.name, actor=None,
                                  now=now, publish=True)
        if report.errors:
            first = report.errors[0]
            raise click.ClickException(f"{file}:{first.location}: {first.message}")
        imported += report.imported
        skipped += report.skipped
    return [f"question bank: {imported} imported, {skipped} already there"]


def _quarter_end(day: date) -> date:
    month = ((day.month - 1) // 3 + 1) * 3
    return add_months(date(day.year, month, 1), 1) - timedelta(days=1)


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Create the demo department, posts and accounts, load the handbook (safe to run twice)."""
    created = seed(local_today())
    for line in seed_learning(utcnow()):
        click.echo(line)
    db.session.commit()
    if created:
        click.echo(f"Created {len(created)} demo accounts.")
    else:
        click.echo("The demo data is already there.")
    for line in account_lines():
        click.echo(line)


def account_lines() -> list[str]:
    """The demo accounts, saying which still log in with DEMO_PASSWORD: one whose password
    was changed (or reset) since, or that was deactivated, is listed apart with the reason."""
    users = db.session.scalars(
        select(User).where(User.username.in_([p.username for p in demo_people()])).order_by(User.id)
    ).all()
    usable, other = [], []
    for user in users:
        row = f"  {user.username:<10} {user.name:<6} {', '.join(user.roles)}"
        if not user.active:
            other.append(f"{row}  (deactivated)")
        elif not check_password_hash(user.password_hash, DEMO_PASSWORD):
            other.append(f"{row}  (password changed since the demo was seeded)")
        else:
            usable.append(row)
    lines = []
    if usable:
        lines.append(f"Accounts with password {DEMO_PASSWORD}:")
        lines.extend(usable)
    if other:
        lines.append(f"Demo accounts that no longer log in with {DEMO_PASSWORD}:")
        lines.extend(other)
    return lines


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
