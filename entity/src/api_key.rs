//! A key for programs: acts in one workspace with one role, on behalf of the
//! member who created it. Only its SHA-256 is stored; the prefix, which is
//! part of the key, finds it.

use crate::enums::Role;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "api_key")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    /// The key's visible beginning, e.g. `rpk_3fa9c2d1`.
    pub prefix: String,
    /// Hex SHA-256 of the whole key.
    #[serde(skip_serializing, default)]
    pub secret_hash: String,
    pub role: Role,
    pub created_by: Uuid,
    /// When it last authenticated a request (to the minute).
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
