//! A trigger: when its condition holds for a contact or company, a task is
//! created for the owner and a `trigger.fired` event is published.

use crate::enums::TriggerKind;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "trigger_rule")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub kind: TriggerKind,
    /// CSAT_BELOW: the score answers must reach; TICKET_BURST: how many tickets.
    pub threshold: Option<i32>,
    /// TICKET_BURST: the window; CONTRACT_ENDING: how many days ahead.
    pub within_days: Option<i32>,
    pub active: bool,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
