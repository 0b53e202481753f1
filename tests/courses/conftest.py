"""A small handbook written into a temp folder, and fixtures that import it."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.courses.handbook import import_handbook
from app.courses.models import Lesson

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)

SELECTION = """\
---
course: cadre-selection
title: 干部选拔任用工作
area: cadre
tier: basic
posts: [cadre_officer]
min_seconds: 60
lesson_seconds:
  cs-recommendation: 90
sources: [《党政领导干部选拔任用工作条例》（2019年修订）]
summary: 选拔任用的基本程序。
---

本课程介绍干部选拔任用。

# 第一单元 程序

## 动议 {#cs-initiation}

### 一、分析研判

动议前要分析研判领导班子和干部队伍情况。

## 民主推荐 {#cs-recommendation}

民主推荐包括谈话调研推荐和会议推荐，结果一般在一年内有效。

| 方式 | 说明 |
| --- | --- |
| 谈话调研推荐 | 个别谈话 |
| 会议推荐 | 投票 |
"""

ORIENTATION = """\
---
course: self-building
title: 组工干部自身建设
area: self_building
tier: basic
posts: []
orientation: true
min_seconds: 30
summary: 新进人员入门。
---

# 第一单元 定位

## 公道正派 {#sb-fairness}

公道正派是组工干部的立身之本。
"""


def write_handbook(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.md"):
        old.unlink()
    for name, text in files.items():
        (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


@pytest.fixture
def handbook_dir(tmp_path):
    return write_handbook(tmp_path / "handbook", {"01-cadre-selection.md": SELECTION,
                                                 "09-self-building.md": ORIENTATION})


@pytest.fixture
def posts(make_post):
    return {"cadre_officer": make_post("干部工作岗", code="cadre_officer"),
            "organization_officer": make_post("组织工作岗", area="organization",
                                              code="organization_officer")}


@pytest.fixture
def lessons(db, posts, handbook_dir):
    import_handbook(handbook_dir, now=T0)
    db.session.commit()
    return {ls.key: ls for ls in db.session.scalars(sa.select(Lesson))}
