//! Idempotency keys: the first response to a mutation sent with an
//! `Idempotency-Key` header, replayed to retries of the same request.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::{create_all, drop_all, tenant_index, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = tenant_table("idempotency_key", false);
        table
            .col(string_len("actor", 64))
            .col(string_len("key", 255))
            .col(string_len("request_hash", 64))
            .col(integer_null("status"))
            .col(text_null("response"));
        create_all(
            manager,
            vec![table],
            vec![
                tenant_index("idempotency_key", &["actor", "key"], true),
                tenant_index("idempotency_key", &["created_at"], false),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["idempotency_key"]).await
    }
}
