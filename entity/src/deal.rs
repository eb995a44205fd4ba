//! A sales opportunity: an amount moving through a pipeline's stages.

use crate::enums::DealStatus;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "deal")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    /// Amount × 10⁴ in `currency`.
    pub amount_e4: i64,
    /// ISO 4217.
    pub currency: String,
    pub pipeline_id: Uuid,
    pub stage_id: Uuid,
    pub company_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub expected_close_date: Option<Date>,
    pub status: DealStatus,
    pub closed_at: Option<DateTimeUtc>,
    /// A standardised won/lost reason.
    pub close_reason: Option<String>,
    pub stage_entered_at: DateTimeUtc,
    /// The campaign of the first touch copied from the deal's contact when the deal was created.
    pub first_touch_campaign_id: Option<Uuid>,
    pub first_touch_at: Option<DateTimeUtc>,
    /// The campaign of the latest touch, by the time of the touch.
    pub last_touch_campaign_id: Option<Uuid>,
    pub last_touch_at: Option<DateTimeUtc>,
    /// Its custom field values: a JSON object keyed by each field's `key`
    /// (only fields with a value; see `custom_field`).
    pub custom_fields: Json,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
