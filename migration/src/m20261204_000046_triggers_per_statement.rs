//! PostgreSQL: what a new record's triggers write, written once per
//! statement instead of once per row. A multi-row insert (an import's
//! batch, `createContacts`) ran the duplicate trigger's lock, delete and
//! three-way self-join (migration 43) and the search document trigger
//! (migration 44) for each of its rows, most of an imported contact's
//! cost: 2,000 contacts took 1.22 s to insert, 0.36 s this way, with the
//! same pairs and documents. The insert triggers become statement triggers
//! over their transition table: one lock of all the new rows' match keys
//! (sorted, as before) and one insert of their pairs, pairs among the new
//! rows included (new records have no pairs to delete first); one insert
//! of their search documents. Updates and deletes keep their row triggers;
//! SQLite has no statement triggers and keeps its own.

use entity::duplicate_match::{pairs_columns, pairs_select, pairs_table};
use entity::search_text::{DOCUMENTS, SEARCHED, documents_select, live_text};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::columns::run_batch;
use crate::m20261204_000043_duplicate_pairs::{COMPARED, lock_keys};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The new rows of the statement, among the table's rows `a`.
const INSERTED: &str = r#""a"."id" IN (SELECT "id" FROM "inserted")"#;

pub(crate) fn statement_trigger(table: &str) -> Vec<String> {
    let backend = DbBackend::Postgres;
    let lock = lock_keys(
        table,
        &format!(r#"{INSERTED} AND "a"."deleted_at" IS NULL"#),
    );
    let insert = format!(
        r#"INSERT INTO "{}" ({}) {};"#,
        pairs_table(table),
        pairs_columns(backend, table),
        pairs_select(backend, table, INSERTED)
    );
    vec![
        format!(r#"DROP TRIGGER "{table}_duplicates_insert" ON "{table}""#),
        format!(
            r#"CREATE FUNCTION "rapport_{table}_duplicates_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {lock} {insert} RETURN NULL; END $$"#
        ),
        format!(
            r#"CREATE TRIGGER "{table}_duplicates_insert" AFTER INSERT ON "{table}" REFERENCING NEW TABLE AS "inserted" FOR EACH STATEMENT EXECUTE FUNCTION "rapport_{table}_duplicates_inserted"()"#
        ),
    ]
}

/// `table`'s search documents of the statement's new rows.
pub(crate) fn documents_trigger(table: &str) -> Vec<String> {
    let select = documents_select(
        table,
        r#"t."id" IN (SELECT "id" FROM "inserted")"#,
        live_text,
    );
    vec![
        format!(r#"DROP TRIGGER "{table}_search_document_insert" ON "{table}""#),
        format!(
            r#"CREATE FUNCTION "rapport_{table}_search_documents_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO "{DOCUMENTS}" ("workspace_id", "record_type", "record_id", "text") {select}; RETURN NULL; END $$"#
        ),
        format!(
            r#"CREATE TRIGGER "{table}_search_document_insert" AFTER INSERT ON "{table}" REFERENCING NEW TABLE AS "inserted" FOR EACH STATEMENT EXECUTE FUNCTION "rapport_{table}_search_documents_inserted"()"#
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let mut statements: Vec<String> =
            COMPARED.iter().flat_map(|t| statement_trigger(t)).collect();
        for (table, _) in SEARCHED {
            statements.extend(documents_trigger(table));
        }
        run_batch(manager, &statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let mut statements = Vec::new();
        for table in COMPARED {
            statements.push(format!(
                r#"DROP TRIGGER "{table}_duplicates_insert" ON "{table}""#
            ));
            statements.push(format!(
                r#"DROP FUNCTION "rapport_{table}_duplicates_inserted"()"#
            ));
            statements.push(format!(
                r#"CREATE TRIGGER "{table}_duplicates_insert" AFTER INSERT ON "{table}" FOR EACH ROW EXECUTE FUNCTION "rapport_{table}_duplicates"()"#
            ));
        }
        for (table, _) in SEARCHED {
            statements.push(format!(
                r#"DROP TRIGGER "{table}_search_document_insert" ON "{table}""#
            ));
            statements.push(format!(
                r#"DROP FUNCTION "rapport_{table}_search_documents_inserted"()"#
            ));
            statements.push(format!(
                r#"CREATE TRIGGER "{table}_search_document_insert" AFTER INSERT ON "{table}" FOR EACH ROW EXECUTE FUNCTION "rapport_{table}_search_document"()"#
            ));
        }
        run_batch(manager, &statements).await
    }
}
