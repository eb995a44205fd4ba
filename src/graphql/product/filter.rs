//! How products are sorted and filtered.

use async_graphql::{Enum, InputObject};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use uuid::Uuid;

use crate::graphql::error::ApiResult;
use crate::graphql::filter::{
    IdFilter, RecordFilter, StringFilter, col, record_filter_composition,
};
use crate::graphql::ids::Kind;
use crate::graphql::order::{Ordering, newest_first};
use crate::graphql::page::{KeyType, SortKey};

/// Fields products can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProductOrderField {
    /// By `name`.
    Name,
    /// By `sku`.
    Sku,
    /// By `createdAt`: when it was added to the catalogue.
    CreatedAt,
}

impl ProductOrderField {
    fn key(self) -> SortKey {
        let (column, ty) = match self {
            Self::Name => ("name", KeyType::Text),
            Self::Sku => ("sku", KeyType::Text),
            Self::CreatedAt => ("created_at", KeyType::Timestamp),
        };
        SortKey {
            table: "product",
            column,
            ty,
            nullable: false,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: newest first).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        newest_first(order_by, "product", Self::key, Self::CreatedAt)
    }
}

/// Which products to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ProductFilter {
    /// Every filter in the list must match as well.
    pub and: Option<Vec<ProductFilter>>,
    /// At least one filter in the list must match as well.
    pub or: Option<Vec<ProductFilter>>,
    /// Leaves out the records this filter matches.
    pub not: Option<Box<ProductFilter>>,
    /// Matches on the Product's global id.
    pub id: Option<IdFilter>,
    /// Matches on `sku`.
    pub sku: Option<StringFilter>,
    /// Matches on `name`.
    pub name: Option<StringFilter>,
    /// Matches on `category` (null for products without one).
    pub category: Option<StringFilter>,
    /// Only products sold now (true) or no longer sold (false).
    pub active: Option<bool>,
}

impl RecordFilter for ProductFilter {
    fn fields(&self, _workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        let c = |name| col("product", name);
        let mut all = Condition::all();
        if let Some(f) = &self.id {
            all = all.add(f.condition(c("id"), Kind::Product, "filter.id")?);
        }
        for (filter, column) in [
            (&self.sku, "sku"),
            (&self.name, "name"),
            (&self.category, "category"),
        ] {
            if let Some(f) = filter {
                all = all.add(f.condition(c(column), backend));
            }
        }
        if let Some(active) = self.active {
            all = all.add(Expr::col(("product", "active")).eq(active));
        }
        Ok(all)
    }
    record_filter_composition!();
}
