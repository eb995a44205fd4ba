//! A faster `rapport_custom_text` (migration 41) on PostgreSQL: the same
//! text, from PL/pgSQL with a shortcut for a record without custom values.
//! A search rechecks the search text of every row the trigram index
//! returns, and the SQL function ran a set-returning call per row even for
//! an empty object: at a million contacts that call was most of a search's
//! time (measured in BENCHMARKS.md). The indexes over the expression stay
//! valid: the function returns what it returned before, for every input.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::columns::run_batch;

#[derive(DeriveMigrationName)]
pub struct Migration;

const FAST: &str = r#"CREATE OR REPLACE FUNCTION "rapport_custom_text"(jsonb) RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$ BEGIN IF $1 = '{}'::jsonb THEN RETURN ''; END IF; RETURN (SELECT coalesce(string_agg("value", ' '), '') FROM jsonb_each_text($1)); END $$"#;

/// Migration 41's body.
const PLAIN: &str = r#"CREATE OR REPLACE FUNCTION "rapport_custom_text"(jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(string_agg("value", ' '), '') FROM jsonb_each_text($1) $$"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        run_batch(manager, &[FAST.to_owned()]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        run_batch(manager, &[PLAIN.to_owned()]).await
    }
}
