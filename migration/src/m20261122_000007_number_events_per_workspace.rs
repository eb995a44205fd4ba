//! Numbers events per workspace: `event.seq` is dense (1, 2, 3, …) within a
//! workspace and `workspace.event_seq` is the last number handed out.
//!
//! Why: the global `event.id` has holes (other workspaces' events, rolled
//! back transactions), so a subscriber cannot tell a missing event from one
//! that belongs elsewhere. A dense per-workspace number makes every gap
//! visible, and handing it out with `UPDATE workspace … RETURNING` locks the
//! workspace row until commit, so numbers become visible in order.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::tenant_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("workspace")
                    .add_column(big_integer("event_seq").default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("event")
                    .add_column(big_integer("seq").default(0))
                    .to_owned(),
            )
            .await?;
        // Existing events are numbered in id order, which is how they were
        // read until now.
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE event SET seq = (SELECT COUNT(*) FROM event AS earlier \
             WHERE earlier.workspace_id = event.workspace_id AND earlier.id <= event.id)",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE workspace SET event_seq = COALESCE((SELECT MAX(seq) FROM event \
             WHERE event.workspace_id = workspace.id), 0)",
        )
        .await?;
        manager
            .create_index(tenant_index("event", &["seq"], true))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("ix_event_seq").table("event").to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table("event").drop_column("seq").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("workspace")
                    .drop_column("event_seq")
                    .to_owned(),
            )
            .await
    }
}
