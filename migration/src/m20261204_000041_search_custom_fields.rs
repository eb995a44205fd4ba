//! Search finds custom field values too (issue 17, item 5): the search text
//! of companies, contacts, deals and tickets gains the text of their custom
//! field values (`entity::search_text::text`). PostgreSQL: an immutable
//! function joins the values of a `custom_fields` object, and each table's
//! trigram index is rebuilt on the new expression. SQLite: each table's
//! triggers are replaced (a change of `custom_fields` now rewrites the
//! text) and its full-text rows rewritten.

use entity::search_text::{Dialect, WITH_CUSTOM_FIELDS, columns, expr, text};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::columns::run_batch;
use crate::m20261204_000039_search::sqlite_table;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The values of a custom field object as one text (arrays as their JSON).
const CUSTOM_TEXT: &str = r#"CREATE FUNCTION "rapport_custom_text"(jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(string_agg("value", ' '), '') FROM jsonb_each_text($1) $$"#;

/// PostgreSQL: `table`'s trigram index on `search_text`.
fn postgres_index(table: &str, search_text: &str) -> Vec<String> {
    vec![
        format!(r#"DROP INDEX "ix_{table}_search""#),
        format!(
            r#"CREATE INDEX "ix_{table}_search" ON "{table}" USING gin (({search_text}) gin_trgm_ops) WHERE "deleted_at" IS NULL"#
        ),
    ]
}

/// SQLite: `table`'s triggers and full-text rows written anew by `search_text`.
pub fn sqlite_rewrite(
    table: &str,
    watched: &[&str],
    search_text: &dyn Fn(&str, &str) -> String,
) -> Vec<String> {
    let mut statements: Vec<String> = ["insert", "update", "delete"]
        .iter()
        .map(|verb| format!(r#"DROP TRIGGER "{table}_search_{verb}""#))
        .collect();
    statements.push(format!(
        r#"DELETE FROM "search_fts" WHERE "rowid" IN (SELECT "id" FROM "search_entry" WHERE "record_type" = '{table}')"#
    ));
    statements.push(format!(
        r#"DELETE FROM "search_entry" WHERE "record_type" = '{table}'"#
    ));
    statements.extend(sqlite_table(table, watched, search_text));
    statements
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut statements = Vec::new();
        if manager.get_database_backend() == DbBackend::Postgres {
            statements.push(CUSTOM_TEXT.to_owned());
            for table in WITH_CUSTOM_FIELDS {
                statements.extend(postgres_index(table, &text(table, "", Dialect::Postgres)));
            }
        } else {
            for table in WITH_CUSTOM_FIELDS {
                let mut watched = columns(table).to_vec();
                watched.push("custom_fields");
                let sqlite = |t: &str, p: &str| text(t, p, Dialect::Sqlite);
                statements.extend(sqlite_rewrite(table, &watched, &sqlite));
            }
        }
        run_batch(manager, &statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut statements = Vec::new();
        if manager.get_database_backend() == DbBackend::Postgres {
            for table in WITH_CUSTOM_FIELDS {
                statements.extend(postgres_index(table, &expr(table, "")));
            }
            statements.push(r#"DROP FUNCTION "rapport_custom_text"(jsonb)"#.to_owned());
        } else {
            for table in WITH_CUSTOM_FIELDS {
                statements.extend(sqlite_rewrite(table, columns(table), &expr));
            }
        }
        run_batch(manager, &statements).await
    }
}
