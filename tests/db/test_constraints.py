"""Database-level guarantees: uniqueness, ON DELETE rules, vector dimensions, indexes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, pool, text
from sqlalchemy.exc import DataError, IntegrityError, StatementError

from ghostline_desktop.errors import ConflictError
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from tests.services.factories import populate

# Tables whose rows belong to a project and go with it.
OWNED_TABLES = (
    "book_outlines",
    "chapters",
    "chapter_revisions",
    "voice_profiles",
    "source_materials",
    "content_chunks",
    "qa_findings",
    "generation_tasks",
    "exported_books",
    "notifications",
)


@pytest.fixture(scope="module")
def engine(db_url: str) -> Iterator[Engine]:
    eng = create_engine(db_url, poolclass=pool.NullPool)
    yield eng
    eng.dispose()


def test_duplicate_email_refused_by_database(engine: Engine) -> None:
    insert = text("INSERT INTO users (email, username) VALUES (:e, :u)")
    with engine.begin() as conn:
        conn.execute(insert, {"e": "dup@example.com", "u": "dup1"})
    with pytest.raises(IntegrityError, match="uq_users_email"), engine.begin() as conn:
        conn.execute(insert, {"e": "dup@example.com", "u": "dup2"})
    with pytest.raises(IntegrityError, match="uq_users_username"), engine.begin() as conn:
        conn.execute(insert, {"e": "other@example.com", "u": "dup1"})


def test_duplicate_email_and_username_raise_conflict(services: Services, run: Any) -> None:
    run(services.accounts.create_user(email="Ann@Example.com", username="ann"))
    with pytest.raises(ConflictError):
        run(services.accounts.create_user(email="ann@example.com", username="ann2"))  # emails are case-folded
    with pytest.raises(ConflictError):
        run(services.accounts.create_user(email="ann2@example.com", username="ann"))


def _count(engine: Engine, table: str, project_id: uuid.UUID) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(text(f"SELECT count(*) FROM {table} WHERE project_id = :p"), {"p": project_id}).scalar()
        )


def test_deleting_project_cascades_as_designed(engine: Engine, services: Services, user: UserInfo, run: Any) -> None:
    project = run(services.projects.create(user.id, "Doomed"))
    keep = run(services.projects.create(user.id, "Bystander"))
    made = run(populate(services.db, project.id, user.id))
    run(populate(services.db, keep.id, user.id))
    assert all(_count(engine, t, project.id) > 0 for t in OWNED_TABLES)

    with engine.begin() as conn:  # plain SQL: the database itself must cascade, not the ORM
        conn.execute(text("DELETE FROM projects WHERE id = :p"), {"p": project.id})

    for table in OWNED_TABLES:
        assert _count(engine, table, project.id) == 0, table
        assert _count(engine, table, keep.id) > 0, table
    with engine.connect() as conn:
        ledger = conn.execute(
            text("SELECT project_id, generation_task_id, amount FROM token_transactions WHERE id = :i"),
            {"i": made.ledger_id},
        ).one()
        audit = conn.execute(
            text("SELECT project_id, user_id FROM audit_logs WHERE id = :i"), {"i": made.audit_id}
        ).one()
    assert ledger == (None, None, 100)  # the spend history outlives the project
    assert audit == (None, user.id)


def test_deleting_outline_keeps_chapters(engine: Engine, services: Services, user: UserInfo, run: Any) -> None:
    project = run(services.projects.create(user.id, "Outline gone"))
    made = run(populate(services.db, project.id, user.id, sources=0))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM book_outlines WHERE project_id = :p"), {"p": project.id})
        rows = conn.execute(text("SELECT book_outline_id FROM chapters WHERE project_id = :p"), {"p": project.id}).all()
    assert len(rows) == len(made.chapter_ids)
    assert all(r[0] is None for r in rows)


def test_deleting_original_keeps_fork(engine: Engine, services: Services, user: UserInfo, run: Any) -> None:
    original = run(services.projects.create(user.id, "First"))
    fork = run(services.projects.fork(original.id, "Second"))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM projects WHERE id = :p"), {"p": original.id})
        row = conn.execute(text("SELECT forked_from_project_id FROM projects WHERE id = :p"), {"p": fork.id}).one()
    assert row == (None,)


def test_vector_dimension_is_checked(engine: Engine, services: Services, user: UserInfo, run: Any) -> None:
    project = run(services.projects.create(user.id, "Vectors"))
    made = run(populate(services.db, project.id, user.id, chapters=0, chunks_per_source=0, sources=1))
    with pytest.raises((DataError, StatementError), match="1536"), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO content_chunks (project_id, source_material_id, chunk_index, content, embedding) "
                "VALUES (:p, :s, 0, 'x', '[1,2,3]'::vector)"
            ),
            {"p": project.id, "s": made.source_ids[0]},
        )


def test_search_indexes_exist(engine: Engine) -> None:
    with engine.connect() as conn:
        defs = dict(
            conn.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'content_chunks'")).all()
        )
    # Vector indexes are per embedding model, made when a model's first chunks are written
    # (services/vector_index.py; tests/services/test_vector_index.py): none in a fresh schema.
    assert [d for d in defs.values() if "USING hnsw" in d] == []
    gin = [d for d in defs.values() if "USING gin" in d]
    assert len(gin) == 1 and "search_vector" in gin[0]


def test_every_foreign_key_has_an_index(engine: Engine) -> None:
    """An index whose leading columns are the FK's columns, so ON DELETE and joins never scan."""
    with engine.connect() as conn:
        fks = conn.execute(
            text(
                "SELECT c.conrelid::regclass::text, c.conname, c.conkey::int[] FROM pg_constraint c "
                "JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = 'public'"
            )
        ).all()
        indexes = conn.execute(
            text(
                "SELECT i.indrelid::regclass::text, (string_to_array(i.indkey::text, ' ')::int[]) FROM pg_index i "
                "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
                "WHERE n.nspname = 'public'"
            )
        ).all()
    assert len(fks) >= 30
    by_table: dict[str, list[list[int]]] = {}
    for table, cols in indexes:
        by_table.setdefault(table, []).append(list(cols))
    missing = [
        name
        for table, name, cols in fks
        if not any(sorted(ix[: len(cols)]) == sorted(cols) for ix in by_table.get(table, []))
    ]
    assert missing == []


def test_search_vector_kept_by_trigger(engine: Engine, services: Services, user: UserInfo, run: Any) -> None:
    """Inserting a chunk fills its tsvector; changing the text recomputes it; a fork copies it as is."""
    project = run(services.projects.create(user.id, "Full text"))
    with engine.begin() as conn:
        source_id = conn.execute(
            text(
                "INSERT INTO source_materials (project_id, material_type, processing_status, title)"
                " VALUES (:p, 'NOTE', 'READY', 'n') RETURNING id"
            ),
            {"p": project.id},
        ).scalar_one()
        chunk_id = conn.execute(
            text(
                "INSERT INTO content_chunks (project_id, source_material_id, chunk_index, content)"
                " VALUES (:p, :s, 0, 'The whale surfaced beside the ship') RETURNING id"
            ),
            {"p": project.id, "s": source_id},
        ).scalar_one()

    def matches(query: str, project_id: uuid.UUID) -> int:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT count(*) FROM content_chunks WHERE project_id = :p"
                        " AND search_vector @@ plainto_tsquery('english', :q)"
                    ),
                    {"p": project_id, "q": query},
                ).scalar_one()
            )

    assert matches("whales", project.id) == 1  # stemmed: whale ~ whales
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE content_chunks SET content = 'A storm broke the mast' WHERE id = :c"), {"c": chunk_id}
        )
    assert matches("whale", project.id) == 0
    assert matches("storms", project.id) == 1

    fork = run(services.projects.fork(project.id, "Full text, 2nd ed."))
    assert matches("storm", fork.id) == 1
    with engine.connect() as conn:
        same = conn.execute(
            text(
                "SELECT bool_and(f.search_vector = o.search_vector) FROM content_chunks f"
                " JOIN content_chunks o ON o.content = f.content AND o.project_id = :o WHERE f.project_id = :f"
            ),
            {"o": project.id, "f": fork.id},
        ).scalar_one()
    assert same is True
