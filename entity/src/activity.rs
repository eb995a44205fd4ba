//! A timeline entry: note, call, email, meeting or task.

use crate::enums::ActivityKind;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "activity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub kind: ActivityKind,
    pub subject: String,
    pub body: Option<String>,
    pub occurred_at: DateTimeUtc,
    pub due_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub contact_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub ticket_id: Option<Uuid>,
    pub author_id: Option<Uuid>,
    /// Who should do it (tasks).
    pub assignee_id: Option<Uuid>,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
