//! A contact's answer to an NPS or CSAT survey, optionally about a ticket.

use crate::enums::SurveyKind;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "survey_response")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub contact_id: Uuid,
    pub ticket_id: Option<Uuid>,
    pub kind: SurveyKind,
    /// 0–10 for NPS, 1–5 for CSAT.
    pub score: i32,
    /// A standardised reason code, e.g. `SLOW_RESPONSE`.
    pub reason: Option<String>,
    pub comment: Option<String>,
    pub responded_at: DateTimeUtc,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
