//! How order lists are sorted and filtered.

use async_graphql::{Enum, InputObject};
use entity::enums::OrderStatus;
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use crate::graphql::error::ApiResult;
use crate::graphql::filter::Fields;
use crate::graphql::filter::{
    DateTimeFilter, DecimalFilter, EnumFilter, IdFilter, RecordFilter, StringFilter,
    record_filter_composition,
};
use crate::graphql::ids::Kind;
use crate::graphql::order::{Ordering, newest_first};
use crate::graphql::page::{KeyType, SortKey};

/// Fields orders can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderOrderField {
    /// By `orderedAt`: when it was ordered.
    OrderedAt,
    /// By `amount`: the order's total, in `currency`.
    Amount,
    /// By `createdAt`: when it was recorded.
    CreatedAt,
}

impl OrderOrderField {
    fn key(self) -> SortKey {
        let (column, ty) = match self {
            Self::OrderedAt => ("ordered_at", KeyType::Timestamp),
            Self::Amount => ("amount_e4", KeyType::BigInt),
            Self::CreatedAt => ("created_at", KeyType::Timestamp),
        };
        SortKey {
            table: "customer_order",
            column,
            ty,
            nullable: false,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: newest first).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        newest_first(order_by, "customer_order", Self::key, Self::OrderedAt)
    }
}

/// Which orders to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct OrderFilter {
    /// Every filter in the list must match as well.
    pub and: Option<Vec<OrderFilter>>,
    /// At least one filter in the list must match as well.
    pub or: Option<Vec<OrderFilter>>,
    /// Leaves out the records this filter matches.
    pub not: Option<Box<OrderFilter>>,
    /// Matches on the Order's global id.
    pub id: Option<IdFilter>,
    /// Matches on `contact`: who bought, by its global id.
    pub contact_id: Option<IdFilter>,
    /// Matches on `company`: the company that bought, or the buyer's company, by its global id.
    pub company_id: Option<IdFilter>,
    /// Matches on `product`: what was bought.
    pub product: Option<StringFilter>,
    /// Compares nominal amounts, whatever the currency.
    pub amount: Option<DecimalFilter>,
    /// Matches on `currency`: ISO 4217 code of `amount`.
    pub currency: Option<StringFilter>,
    /// Matches on `orderedAt`: when it was placed (a cart: started).
    pub ordered_at: Option<DateTimeFilter>,
    /// Matches on `status`: `PLACED` for what counts as bought.
    pub status: Option<EnumFilter<OrderStatus>>,
    /// Matches on `cartStartedAt`: when the order began as a cart.
    pub cart_started_at: Option<DateTimeFilter>,
}

impl RecordFilter for OrderFilter {
    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        Fields::new("customer_order", workspace_id, backend)
            .id(&self.id, "id", Kind::Order)?
            .id(&self.contact_id, "contact_id", Kind::Contact)?
            .id(&self.company_id, "company_id", Kind::Company)?
            .column(&self.product, "product")
            .column(&self.currency, "currency")
            .amount(&self.amount, "amount_e4")?
            .column(&self.ordered_at, "ordered_at")
            .column(&self.cart_started_at, "cart_started_at")
            .column(&self.status, "status")
            .done()
    }
    record_filter_composition!();
}
