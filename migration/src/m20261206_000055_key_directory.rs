//! `key_directory`: the workspace of every API key (by its prefix) and web
//! form (by its public key), filled from the keys there are. A request
//! presents such a key without naming its workspace; on Citus, where this
//! table is a reference table (`rapport::db::citus`), the look-up no longer
//! asks every node (issue 22).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum KeyDirectory {
    Table,
    Kind,
    Key,
    WorkspaceId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(KeyDirectory::Table)
                    .col(ColumnDef::new(KeyDirectory::Kind).text().not_null())
                    .col(ColumnDef::new(KeyDirectory::Key).text().not_null())
                    .col(ColumnDef::new(KeyDirectory::WorkspaceId).uuid().not_null())
                    .primary_key(
                        Index::create()
                            .col(KeyDirectory::Kind)
                            .col(KeyDirectory::Key),
                    )
                    .to_owned(),
            )
            .await?;
        // Reading every workspace's keys is cross-workspace work: on Citus
        // it asks every node, allowed for this session however the
        // database is set (a placeholder setting elsewhere; not on SQLite).
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        if postgres {
            manager
                .get_connection()
                .execute_unprepared("SET citus.multi_task_query_log_level = 'off'")
                .await?;
        }
        // Deleted forms keep their key: it stays taken.
        for (kind, table, column) in [
            ("api_key", "api_key", "prefix"),
            ("form", "form", "form_key"),
        ] {
            let select = Query::select()
                .expr(Expr::val(kind))
                .column(Alias::new(column))
                .column(Alias::new("workspace_id"))
                .from(Alias::new(table))
                .to_owned();
            let insert = Query::insert()
                .into_table(KeyDirectory::Table)
                .columns([
                    KeyDirectory::Kind,
                    KeyDirectory::Key,
                    KeyDirectory::WorkspaceId,
                ])
                .select_from(select)
                .map_err(|error| DbErr::Custom(error.to_string()))?
                .to_owned();
            manager.exec_stmt(insert).await?;
        }
        if postgres {
            manager
                .get_connection()
                .execute_unprepared("RESET citus.multi_task_query_log_level")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(KeyDirectory::Table).to_owned())
            .await
    }
}
