//! How goals are sorted and filtered.

use async_graphql::{Enum, InputObject};
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use crate::graphql::error::ApiResult;
use crate::graphql::filter::Fields;
use crate::graphql::filter::{DateFilter, IdFilter, RecordFilter, record_filter_composition};
use crate::graphql::ids::Kind;
use crate::graphql::order::{Ordering, newest_first};
use crate::graphql::page::{KeyType, SortKey};

/// Fields goals can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GoalOrderField {
    /// By `periodStart`: the first day of the period.
    PeriodStart,
    /// By `periodEnd`: the last day of the period (included).
    PeriodEnd,
    /// By `createdAt`: when it was recorded.
    CreatedAt,
}

impl GoalOrderField {
    fn key(self) -> SortKey {
        let (column, ty) = match self {
            Self::PeriodStart => ("period_start", KeyType::Date),
            Self::PeriodEnd => ("period_end", KeyType::Date),
            Self::CreatedAt => ("created_at", KeyType::Timestamp),
        };
        SortKey {
            table: "goal",
            column,
            ty,
            nullable: false,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: latest period first).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        newest_first(order_by, "goal", Self::key, Self::PeriodStart)
    }
}

/// Which goals to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct GoalFilter {
    /// Every filter in the list must match as well.
    pub and: Option<Vec<GoalFilter>>,
    /// At least one filter in the list must match as well.
    pub or: Option<Vec<GoalFilter>>,
    /// Leaves out the records this filter matches.
    pub not: Option<Box<GoalFilter>>,
    /// Matches on the Goal's global id.
    pub id: Option<IdFilter>,
    /// Matches on `member`: the member the quota is for, by global id.
    pub member_id: Option<IdFilter>,
    /// Matches on `periodStart`: the first day of the period.
    pub period_start: Option<DateFilter>,
    /// Matches on `periodEnd`: the last day of the period (included).
    pub period_end: Option<DateFilter>,
}

impl RecordFilter for GoalFilter {
    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        Fields::new("goal", workspace_id, backend)
            .id(&self.id, "id", Kind::Goal)?
            .id(&self.member_id, "member_id", Kind::Member)?
            .column(&self.period_start, "period_start")
            .column(&self.period_end, "period_end")
            .done()
    }
    record_filter_composition!();
}
