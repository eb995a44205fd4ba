//! A product of the workspace's catalogue: what order lines reference, what
//! `orderGroups` groups by and what co-purchase recommendations rank.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "product")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// The stock-keeping unit: unique among the workspace's live products.
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    /// List prices, one per currency: a JSON array of `{ "currency",
    /// "amount_e4" }` sorted by currency. Kept on the row because they are
    /// only ever read with their product, and a price change then shows in
    /// the product's history like any other field.
    pub list_prices: Json,
    /// Whether it is sold now: new order lines refuse an inactive product,
    /// recommendations leave it out; past orders keep it.
    pub active: bool,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
