//! The claim of an `Idempotency-Key`: written in the transaction of the
//! request's first committed write (so it exists exactly when that write
//! committed), then completed with the request's response.

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
    /// The sender's role when the write committed: a retry under another
    /// role is not answered with this response.
    pub role: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
