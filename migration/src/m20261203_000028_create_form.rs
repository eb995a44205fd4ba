//! Web forms: a workspace's public lead-capture forms, each reached by a
//! random key, with its field mapping, consent wording, allowed origins and
//! the round-robin position of its owner assignment.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::{create_all, drop_all, live_sort_indexes, run_batch, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut form = tenant_table("form", true);
        form.col(string_len("name", 200))
            // Random and unguessable: the public URL names the form by it.
            .col(string_len("form_key", 64))
            // JSON array of `{ name, target, required, label }`.
            .col(json_binary("fields"))
            .col(text_null("consent_text"))
            .col(string_len_null("legal_basis", 24))
            // JSON array of member ids taking new contacts in turn.
            .col(json_binary("owner_ids"))
            // How many owners were handed out: the next is this modulo their count.
            .col(big_integer("owner_turn").default(0))
            .col(json_binary("allowed_origins"))
            .col(string_len_null("redirect_url", 2000))
            .col(uuid("created_by"));
        // The public endpoint finds a form by its key alone, before it knows
        // the workspace: the lookup index cannot lead with workspace_id.
        let by_key = Index::create()
            .name("ix_form_key")
            .table("form")
            .col("form_key")
            .unique()
            .to_owned();
        create_all(manager, vec![form], vec![by_key]).await?;
        // Every orderBy of `forms`.
        run_batch(manager, &live_sort_indexes("form", &["name", "created_at"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["form"]).await
    }
}
