//! The outbox: one row per change, written in the change's transaction.
//!
//! `seq` numbers a workspace's events densely (1, 2, 3, …) in commit order:
//! it is the subscription cursor, and a missing number is a missing event.
//! `id` is the global database sequence, used only as the primary key.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub workspace_id: Uuid,
    /// The event's number within its workspace.
    pub seq: i64,
    /// The channel subscribers listen on, e.g. `pipeline:<uuid>` or `ticket`.
    pub topic: String,
    /// What happened, e.g. `deal.moved`.
    pub kind: String,
    pub record_type: String,
    pub record_id: Uuid,
    /// The member who made the change, when one did.
    pub actor_id: Option<Uuid>,
    /// JSON: the record after the change, plus kind-specific details.
    pub payload: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
