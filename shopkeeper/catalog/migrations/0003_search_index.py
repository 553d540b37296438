"""The full-text index over catalog_productsearchdocument, in each database's own way.

SQLite: an FTS5 table reading its text from the document table, kept in step by triggers on it.
PostgreSQL: GIN indexes on the documents' words, one over title and other words together (to match)
and one over the title words alone (to rank title hits first and to complete prefixes).
The words are already cut by jieba, so both only split on spaces: FTS5's unicode61 tokenizer and
the 'simple' text-search configuration, neither of which stems.

Note for later migrations: SQLite rebuilds a table to alter it, which drops these triggers; a
migration that alters catalog_productsearchdocument must create them again (search_reindex_all then
repairs the index).
"""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE catalog_search_fts USING fts5(
        title_tokens,
        other_tokens,
        content='catalog_productsearchdocument',
        content_rowid='product_id',
        tokenize='unicode61 remove_diacritics 0',
        prefix='1 2'
    )
    """,
    """
    CREATE TRIGGER catalog_search_fts_insert AFTER INSERT ON catalog_productsearchdocument BEGIN
        INSERT INTO catalog_search_fts(rowid, title_tokens, other_tokens)
        VALUES (new.product_id, new.title_tokens, new.other_tokens);
    END
    """,
    """
    CREATE TRIGGER catalog_search_fts_delete AFTER DELETE ON catalog_productsearchdocument BEGIN
        INSERT INTO catalog_search_fts(catalog_search_fts, rowid, title_tokens, other_tokens)
        VALUES ('delete', old.product_id, old.title_tokens, old.other_tokens);
    END
    """,
    """
    CREATE TRIGGER catalog_search_fts_update AFTER UPDATE OF title_tokens, other_tokens
    ON catalog_productsearchdocument BEGIN
        INSERT INTO catalog_search_fts(catalog_search_fts, rowid, title_tokens, other_tokens)
        VALUES ('delete', old.product_id, old.title_tokens, old.other_tokens);
        INSERT INTO catalog_search_fts(rowid, title_tokens, other_tokens)
        VALUES (new.product_id, new.title_tokens, new.other_tokens);
    END
    """,
    # Documents written before this migration join the index.
    "INSERT INTO catalog_search_fts(catalog_search_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS catalog_search_fts_update",
    "DROP TRIGGER IF EXISTS catalog_search_fts_delete",
    "DROP TRIGGER IF EXISTS catalog_search_fts_insert",
    "DROP TABLE IF EXISTS catalog_search_fts",
]

POSTGRESQL_FORWARD = [
    """
    CREATE INDEX IF NOT EXISTS catalog_search_words_gin ON catalog_productsearchdocument
    USING gin (to_tsvector('simple'::regconfig, title_tokens || ' ' || other_tokens))
    """,
    """
    CREATE INDEX IF NOT EXISTS catalog_search_title_gin ON catalog_productsearchdocument
    USING gin (to_tsvector('simple'::regconfig, title_tokens))
    """,
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS catalog_search_title_gin",
    "DROP INDEX IF EXISTS catalog_search_words_gin",
]


def _run(schema_editor: BaseDatabaseSchemaEditor, statements: dict[str, list[str]]) -> None:
    # Other databases get no index: search then has no backend there and says so when called.
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def create_index(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD})


def drop_index(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_catalog_role_permissions"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
