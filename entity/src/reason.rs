//! One entry of a workspace's list of standardised reasons (why a deal was
//! won or lost, why a customer left, why a survey scored as it did).

use crate::enums::ReasonKind;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "reason")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub kind: ReasonKind,
    /// The code stored on records, e.g. `PRICE_TOO_HIGH`; unique per kind.
    pub code: String,
    /// What people read.
    pub label: String,
    /// Retired reasons stay on old records but are refused on new ones.
    pub active: bool,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
