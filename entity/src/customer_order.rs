//! A purchase by a contact or a company: the quantitative record lifetime
//! value and revenue are computed from.

use sea_orm::entity::prelude::*;

use crate::enums::OrderStatus;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "customer_order")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub product: String,
    pub quantity: i32,
    /// The order's total, in ten-thousandths of `currency`.
    pub amount_e4: i64,
    pub currency: String,
    /// When it was placed; for a cart, when it was started.
    pub ordered_at: DateTimeUtc,
    pub status: OrderStatus,
    /// When the order began as a cart (none for an order placed directly):
    /// the abandoned-cart rate counts carts by it.
    pub cart_started_at: Option<DateTimeUtc>,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
