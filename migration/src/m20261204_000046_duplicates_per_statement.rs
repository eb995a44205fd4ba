//! PostgreSQL: new records' duplicate pairs (migration 43) found once per
//! statement instead of once per row. A multi-row insert (an import's
//! batch, `createContacts`) ran the row trigger's lock, delete and
//! three-way self-join for each of its rows, which was most of an
//! imported contact's cost (1.05 s of 2,000 rows, against 0.54 s this way,
//! the same pairs). The insert trigger becomes a statement trigger over its
//! transition table: one lock of all the new rows' match keys (sorted, as
//! before), one insert of their pairs, pairs among the new rows included.
//! New records have no pairs to delete first. Updates keep their row
//! trigger; SQLite has no statement triggers and keeps its own.

use entity::duplicate_match::{pairs_columns, pairs_select, pairs_table};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::columns::run_batch;
use crate::m20261204_000043_duplicate_pairs::{COMPARED, lock_keys};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The new rows of the statement, among the table's rows `a`.
const INSERTED: &str = r#""a"."id" IN (SELECT "id" FROM "inserted")"#;

fn statement_trigger(table: &str) -> Vec<String> {
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let statements: Vec<String> = COMPARED.iter().flat_map(|t| statement_trigger(t)).collect();
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
        run_batch(manager, &statements).await
    }
}
