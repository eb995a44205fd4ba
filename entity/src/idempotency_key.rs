//! The first response to a mutation sent with an `Idempotency-Key`.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "idempotency_key")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// `member:<uuid>` or `key:<uuid>`: keys are scoped to who sent them.
    pub actor: String,
    pub key: String,
    /// Hex SHA-256 of the request body: a reused key with another request is refused.
    pub request_hash: String,
    /// The HTTP status of the first response; null while it runs.
    pub status: Option<i32>,
    /// The first response's body.
    pub response: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
