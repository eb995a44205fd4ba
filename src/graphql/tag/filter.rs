//! How tag lists are sorted and filtered.

use async_graphql::{Enum, InputObject};
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use crate::graphql::error::ApiResult;
use crate::graphql::filter::Fields;
use crate::graphql::filter::{RecordFilter, StringFilter, record_filter_composition};
use crate::graphql::order::{Ordering, sort_keys};
use crate::graphql::page::{KeyType, SortKey};

/// Fields tags can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TagOrderField {
    /// By `name`: the label.
    Name,
    /// By `createdAt`: when it was first used.
    CreatedAt,
}

impl TagOrderField {
    fn key(self) -> SortKey {
        let (column, ty) = match self {
            Self::Name => ("name", KeyType::Text),
            Self::CreatedAt => ("created_at", KeyType::Timestamp),
        };
        SortKey {
            table: "tag",
            column,
            ty,
            nullable: false,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: by name).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        sort_keys(order_by, "tag", Self::key, &[Self::Name.key()])
    }
}

/// Which tags to list.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TagListFilter {
    /// Every filter in the list must match as well.
    pub and: Option<Vec<TagListFilter>>,
    /// At least one filter in the list must match as well.
    pub or: Option<Vec<TagListFilter>>,
    /// Leaves out the records this filter matches.
    pub not: Option<Box<TagListFilter>>,
    /// Matches on `name`: the label.
    pub name: Option<StringFilter>,
}

impl RecordFilter for TagListFilter {
    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        Fields::new("tag", workspace_id, backend)
            .column(&self.name, "name")
            .done()
    }
    record_filter_composition!();
}
