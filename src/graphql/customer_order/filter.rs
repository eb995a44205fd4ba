//! How order lists are sorted and filtered.

use async_graphql::{Enum, InputObject};
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use crate::graphql::error::ApiResult;
use crate::graphql::filter::{
    DateTimeFilter, DecimalFilter, IdFilter, RecordFilter, StringFilter, col,
    record_filter_composition,
};
use crate::graphql::ids::Kind;
use crate::graphql::order::{Ordering, newest_first};
use crate::graphql::page::{KeyType, SortKey};

/// Fields orders can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderOrderField {
    OrderedAt,
    Amount,
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
    pub and: Option<Vec<OrderFilter>>,
    pub or: Option<Vec<OrderFilter>>,
    pub not: Option<Box<OrderFilter>>,
    pub id: Option<IdFilter>,
    pub contact_id: Option<IdFilter>,
    pub company_id: Option<IdFilter>,
    pub product: Option<StringFilter>,
    /// Compares nominal amounts, whatever the currency.
    pub amount: Option<DecimalFilter>,
    pub currency: Option<StringFilter>,
    pub ordered_at: Option<DateTimeFilter>,
}

impl RecordFilter for OrderFilter {
    fn fields(&self, _workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        let c = |name| col("customer_order", name);
        let mut all = Condition::all();
        let references = [
            (&self.id, "id", Kind::Order, "filter.id"),
            (
                &self.contact_id,
                "contact_id",
                Kind::Contact,
                "filter.contactId",
            ),
            (
                &self.company_id,
                "company_id",
                Kind::Company,
                "filter.companyId",
            ),
        ];
        for (filter, column, kind, field) in references {
            if let Some(f) = filter {
                all = all.add(f.condition(c(column), kind, field)?);
            }
        }
        for (filter, column) in [(&self.product, "product"), (&self.currency, "currency")] {
            if let Some(f) = filter {
                all = all.add(f.condition(c(column), backend));
            }
        }
        if let Some(f) = &self.amount {
            all = all.add(f.condition(c("amount_e4"), "filter.amount")?);
        }
        if let Some(f) = &self.ordered_at {
            all = all.add(f.condition(c("ordered_at")));
        }
        Ok(all)
    }
    record_filter_composition!();
}
