//! One firing of a trigger for one record and occasion (a survey answer, a
//! ticket, a contract end date), unique so that it happens once.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "trigger_firing")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub trigger_id: Uuid,
    /// The contact or company the trigger fired for.
    pub record_id: Uuid,
    pub occasion: String,
    /// The task created for the owner.
    pub task_id: Uuid,
    pub fired_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
