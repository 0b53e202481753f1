"""Migration 0007 turns float points into exact ones and keeps version hashes true."""

from decimal import Decimal

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from app.questions.content import version_hash


def test_float_points_become_exact_and_hashes_follow(tmp_path):
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}"})
    with app.app_context():
        upgrade(revision="0006_question_version_meta")
        stamp = "2026-01-01 00:00:00"
        with db.engine.begin() as c:
            c.execute(sa.text(
                "INSERT INTO questions (id, content_hash, type, area, tier, difficulty, usage, category, status,"
                " stem_text, version, created_at, updated_at) VALUES (1, 'h', 'essay', 'cadre', 'basic', 3,"
                " 'both', '', 'draft', 's', 1, :at, :at)"), {"at": stamp})
            for vid, points in enumerate([1.0, 2.5, 0.30000000000000004], 1):
                old_hash = version_hash({}, points, [], {})
                c.execute(sa.text(
                    "INSERT INTO question_versions (id, question_id, version, content, points, tags, meta,"
                    " content_hash, frozen, created_at) VALUES (:id, 1, :id, '{}', :p, '[]', '{}', :h, 0, :at)"),
                    {"id": vid, "p": points, "h": old_hash, "at": stamp})
        upgrade()
        versions = sa.table("question_versions", sa.column("id"), sa.column("points", sa.Numeric(8, 2)),
                            sa.column("content_hash"))
        with db.engine.connect() as c:
            rows = c.execute(sa.select(versions.c.points, versions.c.content_hash).order_by(versions.c.id)).all()
        assert [points for points, _h in rows] == [Decimal("1"), Decimal("2.5"), Decimal("0.3")]
        # Whole and two-place points hash as they did; the rounded one is rehashed to match.
        assert [h for _p, h in rows] == [version_hash({}, p, [], {}) for p in (Decimal(1), Decimal("2.5"),
                                                                            Decimal("0.3"))]
        assert rows[0][1] == version_hash({}, 1.0, [], {})
        downgrade(revision="0006_question_version_meta")
        upgrade()
        db.engine.dispose()
