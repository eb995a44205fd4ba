//! How members are sorted and filtered.

use async_graphql::{Enum, InputObject};
use entity::enums::Role;
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

/// Fields members can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemberOrderField {
    /// By `name`: display name.
    Name,
    /// By `email`: login email, lower-cased.
    Email,
    /// By `createdAt`: when the member joined.
    CreatedAt,
}

impl MemberOrderField {
    fn key(self) -> SortKey {
        let (column, ty) = match self {
            Self::Name => ("name", KeyType::Text),
            Self::Email => ("email", KeyType::Text),
            Self::CreatedAt => ("created_at", KeyType::Timestamp),
        };
        SortKey {
            table: "member",
            column,
            ty,
            nullable: false,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: oldest first).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        sort_keys(order_by, "member", Self::key, &[SortKey::id("member")])
    }
}

/// Which members to return.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct MemberFilter {
    /// Every filter in the list must match as well.
    pub and: Option<Vec<MemberFilter>>,
    /// At least one filter in the list must match as well.
    pub or: Option<Vec<MemberFilter>>,
    /// Leaves out the records this filter matches.
    pub not: Option<Box<MemberFilter>>,
    /// Matches on the Member's global id.
    pub id: Option<IdFilter>,
    /// Matches on `name`: display name.
    pub name: Option<StringFilter>,
    /// Matches on `email`: login email, lower-cased.
    pub email: Option<StringFilter>,
    /// Matches on `role`: what the member may do.
    pub role: Option<EnumFilter<Role>>,
}

impl RecordFilter for MemberFilter {
    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        Fields::new("member", workspace_id, backend)
            .id(&self.id, "id", Kind::Member)?
            .column(&self.name, "name")
            .column(&self.email, "email")
            .column(&self.role, "role")
            .done()
    }
    record_filter_composition!();
}
