//! A person at a customer: identity and description.

use crate::enums::{LegalBasis, LifecycleStage};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "contact")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub company_id: Option<Uuid>,
    pub first_name: String,
    pub last_name: String,
    /// Normalised (trimmed, lower-cased); unique per workspace when set.
    pub email: Option<String>,
    /// E.164, e.g. +14155552671.
    pub phone: Option<String>,
    pub job_title: Option<String>,
    pub lifecycle_stage: LifecycleStage,
    pub city: Option<String>,
    pub country: Option<String>,
    pub birthdate: Option<Date>,
    pub owner_id: Option<Uuid>,
    /// The lead score the workspace's scoring rules give the contact.
    pub lead_score: i32,
    /// Whether the contact agreed to marketing email.
    pub email_opt_in: bool,
    pub email_opt_in_at: Option<DateTimeUtc>,
    /// Where the consent was given (a form, an event…).
    pub consent_source: Option<String>,
    pub consent_legal_basis: Option<LegalBasis>,
    pub unsubscribed_at: Option<DateTimeUtc>,
    /// The contact this one was merged into (set with `deleted_at`).
    pub merged_into: Option<Uuid>,
    /// The campaign of the first touch (attribution); moves only when set by hand.
    pub first_touch_campaign_id: Option<Uuid>,
    pub first_touch_at: Option<DateTimeUtc>,
    /// The campaign of the latest touch, by the time of the touch.
    pub last_touch_campaign_id: Option<Uuid>,
    pub last_touch_at: Option<DateTimeUtc>,
    /// When the contact's identity and descriptive data were erased
    /// (`eraseContact`); set once, never cleared.
    pub erased_at: Option<DateTimeUtc>,
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
