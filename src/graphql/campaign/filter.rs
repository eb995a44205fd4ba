//! How campaigns are sorted and filtered.

use async_graphql::{Enum, InputObject};
use entity::enums::{CampaignChannel, CampaignStatus};
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use crate::graphql::error::ApiResult;
use crate::graphql::filter::Fields;
use crate::graphql::filter::{
    DateFilter, EnumFilter, IdFilter, RecordFilter, StringFilter, record_filter_composition,
};
use crate::graphql::ids::Kind;
use crate::graphql::order::{Ordering, newest_first};
use crate::graphql::page::{KeyType, SortKey};

/// Fields campaigns can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CampaignOrderField {
    /// By `startsOn`: the first day of the campaign.
    StartsOn,
    /// By `name`.
    Name,
    /// By `createdAt`: when it was recorded.
    CreatedAt,
}

impl CampaignOrderField {
    fn key(self) -> SortKey {
        let (column, ty) = match self {
            Self::StartsOn => ("starts_on", KeyType::Date),
            Self::Name => ("name", KeyType::Text),
            Self::CreatedAt => ("created_at", KeyType::Timestamp),
        };
        SortKey {
            table: "campaign",
            column,
            ty,
            nullable: false,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: latest start first).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        newest_first(order_by, "campaign", Self::key, Self::StartsOn)
    }
}

/// Which campaigns to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CampaignFilter {
    /// Every filter in the list must match as well.
    pub and: Option<Vec<CampaignFilter>>,
    /// At least one filter in the list must match as well.
    pub or: Option<Vec<CampaignFilter>>,
    /// Leaves out the records this filter matches.
    pub not: Option<Box<CampaignFilter>>,
    /// Matches on the Campaign's global id.
    pub id: Option<IdFilter>,
    /// Matches on `name`.
    pub name: Option<StringFilter>,
    /// Matches on `channel`: where the campaign reaches people.
    pub channel: Option<EnumFilter<CampaignChannel>>,
    /// Matches on `status`: where the campaign is in its life.
    pub status: Option<EnumFilter<CampaignStatus>>,
    /// Matches on `startsOn`: the first day of the campaign.
    pub starts_on: Option<DateFilter>,
    /// Matches on `endsOn`: the last day (included), null while open-ended.
    pub ends_on: Option<DateFilter>,
    /// Matches on `currency`: the ISO 4217 code of `spend`.
    pub currency: Option<StringFilter>,
}

impl RecordFilter for CampaignFilter {
    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        Fields::new("campaign", workspace_id, backend)
            .id(&self.id, "id", Kind::Campaign)?
            .column(&self.name, "name")
            .column(&self.currency, "currency")
            .column(&self.channel, "channel")
            .column(&self.status, "status")
            .column(&self.starts_on, "starts_on")
            .column(&self.ends_on, "ends_on")
            .done()
    }
    record_filter_composition!();
}
