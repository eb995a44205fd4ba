//! A customer organisation: identity (name, domain) and description.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "company")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    /// Web domain, lower-cased, without scheme or path.
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub employee_count: Option<i32>,
    /// Annual revenue × 10⁴ in `annual_revenue_currency`.
    pub annual_revenue_e4: Option<i64>,
    pub annual_revenue_currency: Option<String>,
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub owner_id: Option<Uuid>,
    /// The competitor the company buys from today.
    pub current_vendor: Option<String>,
    /// When the company's contract with that competitor ends.
    pub vendor_contract_ends_on: Option<Date>,
    /// When the company stopped being a customer (null while it is one).
    pub churned_at: Option<DateTimeUtc>,
    /// Why it left: a CUSTOMER_EXIT reason code.
    pub exit_reason: Option<String>,
    /// The company this one was merged into (set with `deleted_at`).
    pub merged_into: Option<Uuid>,
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
