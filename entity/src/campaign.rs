//! A marketing campaign: a channel, a period, what it cost (in one currency)
//! and what it is for. Contacts and deals point at it through their first-
//! and last-touch columns (attribution).

use crate::enums::{CampaignChannel, CampaignStatus};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "campaign")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub channel: CampaignChannel,
    pub status: CampaignStatus,
    /// The first day of the campaign (included).
    pub starts_on: Date,
    /// The last day (included); null while open-ended.
    pub ends_on: Option<Date>,
    /// What was spent, in `currency`, ×10⁴.
    pub spend_e4: i64,
    pub currency: String,
    /// What the campaign is meant to achieve, in words.
    pub goal: Option<String>,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
