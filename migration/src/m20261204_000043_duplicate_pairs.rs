//! Duplicate candidates kept on write (issue 17): `contact_duplicate` and
//! `company_duplicate` hold every scored pair of live records that look
//! alike (`entity::duplicate_match`), so a page of candidates is an index
//! range instead of a self-join of the whole workspace (seconds at a
//! million contacts). Triggers on `contact` and `company` recompute a
//! record's pairs whenever it is written, whatever the writer (the API,
//! imports, merges, erasure); a hard delete cascades. On PostgreSQL two
//! transactions writing records that match each other take an advisory
//! lock on their match key first, so the later one sees the earlier and
//! no pair is missed. The tables are filled here from the data already in
//! place.

use entity::duplicate_match::{self, pairs_columns, pairs_select, pairs_table, reasons, watched};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::columns::run_batch;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const COMPARED: [&str; 2] = ["contact", "company"];

fn pairs_table_create(backend: DbBackend, table: &str) -> TableCreateStatement {
    let pairs = pairs_table(table);
    let mut create = Table::create();
    create
        .table(Alias::new(&pairs))
        .col(uuid("workspace_id"))
        .col(uuid("record_id"))
        .col(uuid("duplicate_id"));
    for reason in reasons(backend, table) {
        create.col(integer(reason.column()));
    }
    create
        .col(integer("score"))
        .primary_key(
            Index::create()
                .col("workspace_id")
                .col("record_id")
                .col("duplicate_id"),
        )
        .foreign_key(
            ForeignKey::create()
                .from(Alias::new(&pairs), "workspace_id")
                .to("workspace", "id"),
        );
    for column in ["record_id", "duplicate_id"] {
        create.foreign_key(
            ForeignKey::create()
                .from(Alias::new(&pairs), column)
                .to(Alias::new(table), "id")
                .on_delete(ForeignKeyAction::Cascade),
        );
    }
    create.to_owned()
}

/// The statements that recompute the pairs of the row `NEW` (a trigger's).
fn recompute(backend: DbBackend, table: &str) -> String {
    let pairs = pairs_table(table);
    let only = r#""a"."id" = NEW."id""#;
    format!(
        r#"DELETE FROM "{pairs}" WHERE "workspace_id" = NEW."workspace_id" AND ("record_id" = NEW."id" OR "duplicate_id" = NEW."id"); INSERT INTO "{pairs}" ({columns}) {select};"#,
        columns = pairs_columns(backend, table),
        select = pairs_select(backend, table, only),
    )
}

/// PostgreSQL: locks every match key of the live `table` rows `a` that
/// `only` selects, sorted so two writers lock in one order.
pub fn lock_keys(table: &str, only: &str) -> String {
    format!("{};", duplicate_match::lock_keys(table, only, "PERFORM"))
}

pub(crate) fn postgres_triggers(table: &str) -> Vec<String> {
    let backend = DbBackend::Postgres;
    let lock = lock_keys(table, r#""a"."id" = NEW."id""#);
    let changed: Vec<String> = watched(table)
        .iter()
        .map(|c| format!(r#"OLD."{c}" IS DISTINCT FROM NEW."{c}""#))
        .collect();
    vec![
        format!(
            r#"CREATE FUNCTION "rapport_{table}_duplicates"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW."deleted_at" IS NULL THEN {lock} END IF; {recompute} RETURN NULL; END $$"#,
            recompute = recompute(backend, table),
        ),
        format!(
            r#"CREATE TRIGGER "{table}_duplicates_insert" AFTER INSERT ON "{table}" FOR EACH ROW EXECUTE FUNCTION "rapport_{table}_duplicates"()"#
        ),
        format!(
            r#"CREATE TRIGGER "{table}_duplicates_update" AFTER UPDATE ON "{table}" FOR EACH ROW WHEN ({}) EXECUTE FUNCTION "rapport_{table}_duplicates"()"#,
            changed.join(" OR ")
        ),
    ]
}

fn sqlite_triggers(table: &str) -> Vec<String> {
    let backend = DbBackend::Sqlite;
    let columns: Vec<String> = watched(table).iter().map(|c| format!(r#""{c}""#)).collect();
    let changed: Vec<String> = watched(table)
        .iter()
        .map(|c| format!(r#"OLD."{c}" IS NOT NEW."{c}""#))
        .collect();
    let recompute = recompute(backend, table);
    vec![
        format!(
            r#"CREATE TRIGGER "{table}_duplicates_insert" AFTER INSERT ON "{table}" WHEN NEW."deleted_at" IS NULL BEGIN {recompute} END"#
        ),
        format!(
            r#"CREATE TRIGGER "{table}_duplicates_update" AFTER UPDATE OF {} ON "{table}" WHEN {} BEGIN {recompute} END"#,
            columns.join(", "),
            changed.join(" OR ")
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        for table in COMPARED {
            manager
                .create_table(pairs_table_create(backend, table))
                .await?;
        }
        let mut statements = Vec::new();
        for table in COMPARED {
            let pairs = pairs_table(table);
            statements.push(format!(
                r#"CREATE INDEX "ix_{pairs}_page" ON "{pairs}" ("workspace_id", "score" DESC, "record_id", "duplicate_id")"#
            ));
            statements.push(format!(
                r#"CREATE INDEX "ix_{pairs}_duplicate" ON "{pairs}" ("workspace_id", "duplicate_id")"#
            ));
            statements.push(format!(
                r#"INSERT INTO "{pairs}" ({}) {}"#,
                pairs_columns(backend, table),
                pairs_select(backend, table, "1 = 1")
            ));
            statements.extend(match backend {
                DbBackend::Postgres => postgres_triggers(table),
                _ => sqlite_triggers(table),
            });
        }
        run_batch(manager, &statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut statements = Vec::new();
        for table in COMPARED {
            for verb in ["insert", "update"] {
                statements.push(format!(
                    r#"DROP TRIGGER "{table}_duplicates_{verb}"{}"#,
                    if backend == DbBackend::Postgres {
                        format!(r#" ON "{table}""#)
                    } else {
                        String::new()
                    }
                ));
            }
            if backend == DbBackend::Postgres {
                statements.push(format!(r#"DROP FUNCTION "rapport_{table}_duplicates"()"#));
            }
            statements.push(format!(r#"DROP TABLE "{}""#, pairs_table(table)));
        }
        run_batch(manager, &statements).await
    }
}
