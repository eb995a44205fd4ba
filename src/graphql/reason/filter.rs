//! How reasons are sorted and filtered.

use async_graphql::{Enum, InputObject};
use entity::enums::ReasonKind;
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use crate::graphql::error::ApiResult;
use crate::graphql::filter::Fields;
use crate::graphql::filter::{
    EnumFilter, IdFilter, RecordFilter, StringFilter, record_filter_composition,
};
use crate::graphql::ids::Kind;
use crate::graphql::order::{Ordering, sort_keys};
use crate::graphql::page::{KeyType, SortKey};

/// Fields reasons can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReasonOrderField {
    /// By `kind`.
    Kind,
    /// By `code`: the code records carry, e.g. `PRICE_TOO_HIGH`.
    Code,
    /// By `label`.
    Label,
}

impl ReasonOrderField {
    fn key(self) -> SortKey {
        let column = match self {
            Self::Kind => "kind",
            Self::Code => "code",
            Self::Label => "label",
        };
        SortKey {
            table: "reason",
            column,
            ty: KeyType::Text,
            nullable: false,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: by kind, then code).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        sort_keys(
            order_by,
            "reason",
            Self::key,
            &[Self::Kind.key(), Self::Code.key()],
        )
    }
}

/// Which reasons to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ReasonFilter {
    /// Every filter in the list must match as well.
    pub and: Option<Vec<ReasonFilter>>,
    /// At least one filter in the list must match as well.
    pub or: Option<Vec<ReasonFilter>>,
    /// Leaves out the records this filter matches.
    pub not: Option<Box<ReasonFilter>>,
    /// Matches on the Reason's global id.
    pub id: Option<IdFilter>,
    /// Matches on `kind`: which list the reason belongs to.
    pub kind: Option<EnumFilter<ReasonKind>>,
    /// Matches on `code`: the code records carry, e.g. `PRICE_TOO_HIGH`.
    pub code: Option<StringFilter>,
    /// Matches on `active`: inactive reasons stay on old records but are refused on new ones.
    pub active: Option<bool>,
}

impl RecordFilter for ReasonFilter {
    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        Fields::new("reason", workspace_id, backend)
            .id(&self.id, "id", Kind::Reason)?
            .column(&self.kind, "kind")
            .column(&self.code, "code")
            .column(&self.active, "active")
            .done()
    }
    record_filter_composition!();
}
