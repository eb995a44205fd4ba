//! Search (issue 17, item 1). PostgreSQL: the `pg_trgm` extension and, per
//! searchable table, a trigram GIN index over its search text among live
//! rows (substring `LIKE` and the word-similarity operator `<%` read it).
//! SQLite: an FTS5 table with the trigram tokenizer holds the search text of
//! every live row, kept by triggers on each table (so every write path,
//! imports and merges included, keeps it current), with `search_entry`
//! giving each record a stable integer rowid.

use entity::search_text::{SEARCHED, expr};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::columns::run_batch;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The triggers and backfill of one table on SQLite: `text` gives the
/// search text with its columns read under a prefix, and a change to one of
/// `columns` rewrites it.
pub fn sqlite_table(
    table: &str,
    columns: &[&str],
    text: &dyn Fn(&str, &str) -> String,
) -> Vec<String> {
    let new_text = text(table, "NEW.");
    let entry = |id: &str| {
        format!(
            r#"(SELECT "id" FROM "search_entry" WHERE "record_type" = '{table}' AND "record_id" = {id})"#
        )
    };
    let changed: Vec<String> = columns
        .iter()
        .chain(&["deleted_at"])
        .map(|c| format!(r#""{c}""#))
        .collect();
    let add = format!(
        r#"INSERT OR IGNORE INTO "search_entry" ("record_type", "record_id") SELECT '{table}', NEW."id" WHERE NEW."deleted_at" IS NULL;
  INSERT INTO "search_fts" ("rowid", "text") SELECT "id", {new_text} FROM "search_entry" WHERE "record_type" = '{table}' AND "record_id" = NEW."id" AND NEW."deleted_at" IS NULL;"#
    );
    vec![
        format!(
            r#"CREATE TRIGGER "{table}_search_insert" AFTER INSERT ON "{table}" BEGIN
  {add}
END"#
        ),
        format!(
            r#"CREATE TRIGGER "{table}_search_update" AFTER UPDATE OF {} ON "{table}" BEGIN
  DELETE FROM "search_fts" WHERE "rowid" = {};
  {add}
END"#,
            changed.join(", "),
            entry(r#"OLD."id""#)
        ),
        format!(
            r#"CREATE TRIGGER "{table}_search_delete" AFTER DELETE ON "{table}" BEGIN
  DELETE FROM "search_fts" WHERE "rowid" = {};
  DELETE FROM "search_entry" WHERE "record_type" = '{table}' AND "record_id" = OLD."id";
END"#,
            entry(r#"OLD."id""#)
        ),
        format!(
            r#"INSERT INTO "search_entry" ("record_type", "record_id") SELECT '{table}', "id" FROM "{table}" WHERE "deleted_at" IS NULL"#
        ),
        format!(
            r#"INSERT INTO "search_fts" ("rowid", "text") SELECT e."id", {} FROM "{table}" AS t JOIN "search_entry" AS e ON e."record_type" = '{table}' AND e."record_id" = t."id" WHERE t."deleted_at" IS NULL"#,
            text(table, "t.")
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut statements = Vec::new();
        if manager.get_database_backend() == DbBackend::Postgres {
            statements.push("CREATE EXTENSION IF NOT EXISTS pg_trgm".to_owned());
            for (table, _) in SEARCHED {
                statements.push(format!(
                    r#"CREATE INDEX "ix_{table}_search" ON "{table}" USING gin (({}) gin_trgm_ops) WHERE "deleted_at" IS NULL"#,
                    expr(table, "")
                ));
            }
        } else {
            statements.push(
                r#"CREATE TABLE "search_entry" ("id" INTEGER PRIMARY KEY, "record_type" TEXT NOT NULL, "record_id" BLOB NOT NULL, UNIQUE ("record_type", "record_id"))"#
                    .to_owned(),
            );
            statements.push(
                r#"CREATE VIRTUAL TABLE "search_fts" USING fts5("text", tokenize = 'trigram')"#
                    .to_owned(),
            );
            for (table, columns) in SEARCHED {
                statements.extend(sqlite_table(table, columns, &expr));
            }
        }
        run_batch(manager, &statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut statements = Vec::new();
        if manager.get_database_backend() == DbBackend::Postgres {
            for (table, _) in SEARCHED {
                statements.push(format!(r#"DROP INDEX "ix_{table}_search""#));
            }
        } else {
            for (table, _) in SEARCHED {
                for verb in ["insert", "update", "delete"] {
                    statements.push(format!(r#"DROP TRIGGER "{table}_search_{verb}""#));
                }
            }
            statements.push(r#"DROP TABLE "search_fts""#.to_owned());
            statements.push(r#"DROP TABLE "search_entry""#.to_owned());
        }
        run_batch(manager, &statements).await
    }
}
