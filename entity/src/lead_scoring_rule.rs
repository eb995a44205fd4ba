//! A rule that adds (or, with negative points, subtracts) points to the lead
//! score of contacts: on a text field containing `text_value` (job title,
//! industry), on a number within `[min_value, max_value]` (company size,
//! annual revenue ×10⁴), or per tracked engagement of one kind.

use crate::enums::ScoringTarget;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "lead_scoring_rule")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub target: ScoringTarget,
    pub text_value: Option<String>,
    pub min_value: Option<i64>,
    pub max_value: Option<i64>,
    pub points: i32,
    pub active: bool,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
