//! One line of an order: a catalogue product, how many, at what unit price
//! and with what discount, in the order's currency. An order with lines has
//! the sum of their totals as its amount.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "order_line")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub order_id: Uuid,
    pub product_id: Uuid,
    /// Where the line stands in its order, from 0.
    pub position: i32,
    pub quantity: i32,
    /// The price of one unit, ×10⁴ of the order's currency.
    pub unit_price_e4: i64,
    /// Taken off the line as a whole, ×10⁴.
    pub discount_e4: i64,
    /// quantity × unit price − discount, ×10⁴: stored so that sums group by
    /// product without recomputing it.
    pub total_e4: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
