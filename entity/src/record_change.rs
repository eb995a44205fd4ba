//! One change to one record: who made it, when, and each field's before
//! and after.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "record_change")]
pub struct Model {
    /// UUID v7: ordered by time.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub record_type: String,
    pub record_id: Uuid,
    /// The event kind, e.g. `deal.moved`.
    pub kind: String,
    pub actor_member_id: Option<Uuid>,
    pub actor_api_key_id: Option<Uuid>,
    /// The record after the change (the next change diffs against it).
    pub snapshot: Json,
    /// `[{ "field", "before", "after" }]`.
    pub changes: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
