//! Search at a million records (issue 17): on PostgreSQL, `search_document`
//! holds one narrow row per live searchable record, `(workspace_id,
//! record_type, record_id, text)`, with its search text already built
//! (`entity::search_text::text`), trigram-indexed per type. Triggers on the
//! five searchable tables keep it, whatever the writer (the API, imports,
//! merges, erasure): a write of a searched column rewrites the row, a soft
//! or hard delete removes it. Rows are keyed in the order records were
//! added (ids are UUIDv7), so a search reads the newest few thousand of a
//! type in a few pages before it falls back to the trigram index (see
//! `rapport_core::search`). SQLite's full-text table (migration 39)
//! already plays this part; nothing changes there.

use entity::search_text::{
    DOCUMENTS, Dialect, SEARCHED, WITH_CUSTOM_FIELDS, documents_select, text,
};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::columns::run_batch;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns whose change rewrites `table`'s document.
fn watched(table: &str, columns: &[&str]) -> Vec<String> {
    let mut watched: Vec<String> = columns.iter().map(|c| (*c).to_owned()).collect();
    if WITH_CUSTOM_FIELDS.contains(&table) {
        watched.push("custom_fields".to_owned());
    }
    watched.push("deleted_at".to_owned());
    watched
}

/// `table`'s trigger function, writing its document with `search_text`
/// (created, or replaced by a later migration).
pub fn document_function(table: &str, search_text: &str) -> String {
    let remove = |row: &str| {
        format!(
            r#"DELETE FROM "{DOCUMENTS}" WHERE "workspace_id" = {row}."workspace_id" AND "record_type" = '{table}' AND "record_id" = {row}."id";"#
        )
    };
    let write = format!(
        r#"INSERT INTO "{DOCUMENTS}" ("workspace_id", "record_type", "record_id", "text") VALUES (NEW."workspace_id", '{table}', NEW."id", {search_text}) ON CONFLICT ("workspace_id", "record_type", "record_id") DO UPDATE SET "text" = EXCLUDED."text" WHERE "{DOCUMENTS}"."text" IS DISTINCT FROM EXCLUDED."text";"#,
    );
    format!(
        r#"CREATE OR REPLACE FUNCTION "rapport_{table}_search_document"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'DELETE' THEN {old} ELSIF NEW."deleted_at" IS NOT NULL THEN {new} ELSE {write} END IF; RETURN NULL; END $$"#,
        old = remove("OLD"),
        new = remove("NEW"),
    )
}

/// `table`'s trigger function and its three triggers.
pub(crate) fn triggers(table: &str, columns: &[&str]) -> Vec<String> {
    let changed: Vec<String> = watched(table, columns)
        .iter()
        .map(|c| format!(r#"OLD."{c}" IS DISTINCT FROM NEW."{c}""#))
        .collect();
    let function = format!(r#""rapport_{table}_search_document""#);
    vec![
        document_function(table, &text(table, "NEW.", Dialect::Postgres)),
        format!(
            r#"CREATE TRIGGER "{table}_search_document_insert" AFTER INSERT ON "{table}" FOR EACH ROW EXECUTE FUNCTION {function}()"#
        ),
        format!(
            r#"CREATE TRIGGER "{table}_search_document_update" AFTER UPDATE ON "{table}" FOR EACH ROW WHEN ({}) EXECUTE FUNCTION {function}()"#,
            changed.join(" OR ")
        ),
        format!(
            r#"CREATE TRIGGER "{table}_search_document_delete" AFTER DELETE ON "{table}" FOR EACH ROW EXECUTE FUNCTION {function}()"#
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let mut statements = vec![format!(
            r#"CREATE TABLE "{DOCUMENTS}" ("workspace_id" uuid NOT NULL REFERENCES "workspace" ("id"), "record_type" text NOT NULL, "record_id" uuid NOT NULL, "text" text NOT NULL, PRIMARY KEY ("workspace_id", "record_type", "record_id"))"#
        )];
        for (table, _) in SEARCHED {
            statements.push(format!(
                r#"INSERT INTO "{DOCUMENTS}" ("workspace_id", "record_type", "record_id", "text") {}"#,
                documents_select(table, "1 = 1", text)
            ));
        }
        for (table, columns) in SEARCHED {
            // One index per type, built after the rows are in (one pass
            // instead of a GIN insert per row): a search asks the index for
            // one type's matches, and one index over all five would hand it
            // every other type's too (a name in a million contacts, for a
            // search among activities).
            statements.push(format!(
                r#"CREATE INDEX "ix_{DOCUMENTS}_{table}" ON "{DOCUMENTS}" USING gin ("text" gin_trgm_ops) WHERE "record_type" = '{table}'"#
            ));
            statements.extend(triggers(table, columns));
        }
        run_batch(manager, &statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let mut statements = Vec::new();
        for (table, _) in SEARCHED {
            for verb in ["insert", "update", "delete"] {
                statements.push(format!(
                    r#"DROP TRIGGER "{table}_search_document_{verb}" ON "{table}""#
                ));
            }
            statements.push(format!(
                r#"DROP FUNCTION "rapport_{table}_search_document"()"#
            ));
        }
        statements.push(format!(r#"DROP TABLE "{DOCUMENTS}""#));
        run_batch(manager, &statements).await
    }
}
