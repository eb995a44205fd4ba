//! How products are sorted and filtered.

use async_graphql::{Enum, InputObject};
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use crate::graphql::error::ApiResult;
use crate::graphql::filter::Fields;
use crate::graphql::filter::{IdFilter, RecordFilter, StringFilter, record_filter_composition};
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
    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        Fields::new("product", workspace_id, backend)
            .id(&self.id, "id", Kind::Product)?
            .column(&self.sku, "sku")
            .column(&self.name, "name")
            .column(&self.category, "category")
            .column(&self.active, "active")
            .done()
    }
    record_filter_composition!();
}
