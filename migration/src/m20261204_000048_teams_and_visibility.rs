//! Visibility per role (issue 19, item 5). A workspace may narrow what a
//! role reads of deals, companies and contacts to `TEAM` (records owned by
//! members of the reader's team) or `OWNED` (the reader's own); unowned
//! records stay visible to all. Teams are a small record of their own, and
//! a member belongs to at most one. No row in `role_visibility` means `ALL`,
//! so existing workspaces read as before.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::{create_all, tenant_index, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut team = tenant_table("team", false);
        team.col(string_len("name", 100));
        let mut visibility = Table::create();
        visibility
            .table("role_visibility")
            .col(uuid("workspace_id"))
            .col(string_len("role", 24))
            .col(string_len("deals", 24))
            .col(string_len("companies", 24))
            .col(string_len("contacts", 24))
            .col(timestamp_with_time_zone("updated_at"))
            .primary_key(Index::create().col("workspace_id").col("role"))
            .foreign_key(
                ForeignKey::create()
                    .from("role_visibility", "workspace_id")
                    .to("workspace", "id"),
            );
        let indexes = vec![tenant_index("team", &["name"], true)];
        create_all(manager, vec![team, visibility.to_owned()], indexes).await?;
        // A plain column (no foreign key): SQLite adds a referencing column
        // only without one, and the team operations keep it consistent
        // (deleting a team clears its members' `team_id` in the same
        // transaction).
        let member = Table::alter()
            .table("member")
            .add_column(uuid_null("team_id"))
            .to_owned();
        manager.alter_table(member).await?;
        manager
            .create_index(tenant_index("member", &["team_id"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_member_team_id")
                    .table("member")
                    .to_owned(),
            )
            .await?;
        let member = Table::alter()
            .table("member")
            .drop_column("team_id")
            .to_owned();
        manager.alter_table(member).await?;
        crate::columns::drop_all(manager, &["role_visibility", "team"]).await
    }
}
