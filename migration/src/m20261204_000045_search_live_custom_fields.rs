//! Deleting a custom field definition hides its values from search too
//! (issue 17, item 5), as it already did from reads, filters and exports.
//! The search text counts a value only while its definition is live
//! (`entity::search_text::live_text`), and a definition deleted or restored
//! rewrites the text of its type's records that hold its key.
//!
//! PostgreSQL: a stable function reads the live definitions; the document
//! triggers of migration 44 use it; a trigger on `custom_field` rewrites
//! documents; the per-table trigram indexes of migrations 39 and 41 go,
//! since every search now reads the documents (those indexes' expression had
//! to be immutable, so it could not consult the definitions).
//! SQLite: the full-text triggers are written anew with the same rule, and
//! a trigger on `custom_field` rewrites the full-text rows.

use entity::search_text::{
    DOCUMENTS, Dialect, SEARCHED, WITH_CUSTOM_FIELDS, columns, expr, live_text, text,
};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::columns::run_batch;
use crate::m20261204_000041_search_custom_fields::sqlite_rewrite;
use crate::m20261204_000044_search_documents::document_function;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The values of a custom field object whose definition (workspace, record
/// type) is live, as one text. Empty objects, most records', skip the read.
const LIVE_CUSTOM_TEXT: &str = r#"CREATE FUNCTION "rapport_live_custom_text"(uuid, text, jsonb) RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$ BEGIN IF $3 = '{}'::jsonb THEN RETURN ''; END IF; RETURN (SELECT coalesce(string_agg(v."value", ' '), '') FROM jsonb_each_text($3) AS v WHERE EXISTS (SELECT 1 FROM "custom_field" AS f WHERE f."workspace_id" = $1 AND f."record_type" = $2 AND f."key" = v."key" AND f."deleted_at" IS NULL)); END $$"#;

/// PostgreSQL: rewrites the documents of `table`'s records in `workspace`
/// that `holds` selects (both SQL, over the alias `t` or a trigger's row).
fn postgres_rewrite(table: &str, workspace: &str, holds: &str) -> String {
    let live = live_text(table, "t.", Dialect::Postgres);
    format!(
        r#"UPDATE "{DOCUMENTS}" AS d SET "text" = {live} FROM "{table}" AS t WHERE d."workspace_id" = {workspace} AND d."record_type" = '{table}' AND d."record_id" = t."id" AND t."workspace_id" = {workspace} AND {holds} AND d."text" IS DISTINCT FROM {live}"#
    )
}

/// PostgreSQL: the trigger on `custom_field` rewriting the documents of
/// the definition's type when it is deleted or restored.
pub(crate) fn postgres_definition_trigger() -> Vec<String> {
    let branches: Vec<String> = WITH_CUSTOM_FIELDS
        .iter()
        .map(|table| {
            format!(
                "IF NEW.\"record_type\" = '{}' THEN {}; END IF;",
                table.to_uppercase(),
                postgres_rewrite(
                    table,
                    r#"NEW."workspace_id""#,
                    r#"t."custom_fields" ? NEW."key""#
                )
            )
        })
        .collect();
    vec![
        format!(
            r#"CREATE FUNCTION "rapport_custom_field_search_documents"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {} RETURN NULL; END $$"#,
            branches.join(" ")
        ),
        r#"CREATE TRIGGER "custom_field_search_documents" AFTER UPDATE ON "custom_field" FOR EACH ROW WHEN (OLD."deleted_at" IS DISTINCT FROM NEW."deleted_at") EXECUTE FUNCTION "rapport_custom_field_search_documents"()"#.to_owned(),
    ]
}

/// SQLite: the trigger on `custom_field` rewriting the full-text rows of
/// the definition's type when it is deleted or restored.
fn sqlite_definition_trigger() -> String {
    let mut body = Vec::new();
    for table in WITH_CUSTOM_FIELDS {
        let kind = table.to_uppercase();
        let holding = format!(
            r#"FROM "{table}" AS t JOIN "search_entry" AS e ON e."record_type" = '{table}' AND e."record_id" = t."id" WHERE NEW."record_type" = '{kind}' AND t."workspace_id" = NEW."workspace_id" AND json_type(t."custom_fields", '$.' || NEW."key") IS NOT NULL"#
        );
        body.push(format!(
            r#"DELETE FROM "search_fts" WHERE "rowid" IN (SELECT e."id" {holding});"#
        ));
        body.push(format!(
            r#"INSERT INTO "search_fts" ("rowid", "text") SELECT e."id", {} {holding} AND t."deleted_at" IS NULL;"#,
            live_text(table, "t.", Dialect::Sqlite)
        ));
    }
    format!(
        r#"CREATE TRIGGER "custom_field_search" AFTER UPDATE OF "deleted_at" ON "custom_field" WHEN OLD."deleted_at" IS NOT NEW."deleted_at" BEGIN
  {}
END"#,
        body.join("\n  ")
    )
}

/// The searched columns and `custom_fields` of `table` (SQLite's triggers
/// rewrite its text when one changes).
fn watched(table: &str) -> Vec<&'static str> {
    let mut watched = columns(table).to_vec();
    watched.push("custom_fields");
    watched
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut statements = Vec::new();
        if manager.get_database_backend() == DbBackend::Postgres {
            statements.push(LIVE_CUSTOM_TEXT.to_owned());
            for table in WITH_CUSTOM_FIELDS {
                statements.push(document_function(
                    table,
                    &live_text(table, "NEW.", Dialect::Postgres),
                ));
                // Documents holding a deleted definition's value lose it.
                statements.push(postgres_rewrite(
                    table,
                    "t.\"workspace_id\"",
                    r#"t."custom_fields" <> '{}'::jsonb"#,
                ));
            }
            statements.extend(postgres_definition_trigger());
            for (table, _) in SEARCHED {
                statements.push(format!(r#"DROP INDEX "ix_{table}_search""#));
            }
        } else {
            for table in WITH_CUSTOM_FIELDS {
                let live = |t: &str, p: &str| live_text(t, p, Dialect::Sqlite);
                statements.extend(sqlite_rewrite(table, &watched(table), &live));
            }
            statements.push(sqlite_definition_trigger());
        }
        run_batch(manager, &statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut statements = Vec::new();
        if manager.get_database_backend() == DbBackend::Postgres {
            statements.push(
                r#"DROP TRIGGER "custom_field_search_documents" ON "custom_field""#.to_owned(),
            );
            statements
                .push(r#"DROP FUNCTION "rapport_custom_field_search_documents"()"#.to_owned());
            for (table, _) in SEARCHED {
                let indexed = if WITH_CUSTOM_FIELDS.contains(&table) {
                    text(table, "", Dialect::Postgres)
                } else {
                    expr(table, "")
                };
                statements.push(format!(
                    r#"CREATE INDEX "ix_{table}_search" ON "{table}" USING gin (({indexed}) gin_trgm_ops) WHERE "deleted_at" IS NULL"#
                ));
            }
            for table in WITH_CUSTOM_FIELDS {
                statements.push(document_function(
                    table,
                    &text(table, "NEW.", Dialect::Postgres),
                ));
            }
            statements
                .push(r#"DROP FUNCTION "rapport_live_custom_text"(uuid, text, jsonb)"#.to_owned());
        } else {
            statements.push(r#"DROP TRIGGER "custom_field_search""#.to_owned());
            for table in WITH_CUSTOM_FIELDS {
                let plain = |t: &str, p: &str| text(t, p, Dialect::Sqlite);
                statements.extend(sqlite_rewrite(table, &watched(table), &plain));
            }
        }
        run_batch(manager, &statements).await
    }
}
