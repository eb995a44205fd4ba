//! PostgreSQL: the search documents and duplicate pairs are written by the
//! core in each write's transaction (`rapport_core::store::derived`), not
//! by triggers (issue 22). On Citus a trigger runs on a shard, where its
//! queries of the workspace's other tables are refused or run as
//! distributed queries of their own, row by row; the core's statements name
//! the workspace and run on the one node holding it. The trigger functions
//! stay (`down` attaches them again); SQLite keeps its triggers.

use entity::search_text::SEARCHED;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::columns::run_batch;
use crate::m20261204_000043_duplicate_pairs::{COMPARED, postgres_triggers};
use crate::m20261204_000044_search_documents::triggers;
use crate::m20261204_000045_search_live_custom_fields::postgres_definition_trigger;
use crate::m20261204_000046_triggers_per_statement::{documents_trigger, statement_trigger};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let mut statements = Vec::new();
        for table in COMPARED {
            for verb in ["insert", "update"] {
                statements.push(format!(
                    r#"DROP TRIGGER "{table}_duplicates_{verb}" ON "{table}""#
                ));
            }
        }
        for (table, _) in SEARCHED {
            for verb in ["insert", "update", "delete"] {
                statements.push(format!(
                    r#"DROP TRIGGER "{table}_search_document_{verb}" ON "{table}""#
                ));
            }
        }
        statements.push(r#"DROP TRIGGER "custom_field_search_documents" ON "custom_field""#.into());
        run_batch(manager, &statements).await
    }

    /// The triggers as migration 46 left them: per statement on insert
    /// (46), per row on update (43, 44) and delete (44), and on a custom
    /// field's deletion (45). Each helper lists its function's statement
    /// first, then its triggers in the order shown.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let mut statements = Vec::new();
        for table in COMPARED {
            // [function, insert, update]; the insert is 46's.
            statements.push(postgres_triggers(table)[2].clone());
            // [drop, function, create]
            statements.push(statement_trigger(table)[2].clone());
        }
        for (table, columns) in SEARCHED {
            // [function, insert, update, delete]; the insert is 46's.
            let row_triggers = triggers(table, columns);
            statements.extend(row_triggers[2..].iter().cloned());
            statements.push(documents_trigger(table)[2].clone());
        }
        // [function, trigger]
        statements.push(postgres_definition_trigger()[1].clone());
        run_batch(manager, &statements).await
    }
}
