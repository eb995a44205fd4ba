//! The group-by queries of each record type a dashboard charts: deals,
//! tickets and orders (see [`super::aggregate`]).

use async_graphql::{Context, Enum, InputObject, Object};

use super::aggregate::{self, AggregateGroup, DateBucket, GroupColumn, GroupValue, Measures};
use super::customer_order::{Order, OrderFilter};
use super::deal::{Deal, DealFilter};
use super::error::ApiResult;
use super::ids::Kind;
use super::ticket::{Ticket, TicketFilter};

/// One `groupBy` entry: a field, and a bucket when the field is a date.
#[derive(InputObject, Debug, Clone, Copy)]
#[graphql(concrete(name = "DealGroupBy", params(DealGroupField)))]
#[graphql(concrete(name = "TicketGroupBy", params(TicketGroupField)))]
#[graphql(concrete(name = "OrderGroupBy", params(OrderGroupField)))]
pub struct GroupBy<F: async_graphql::InputType> {
    pub field: F,
    pub bucket: Option<DateBucket>,
}

/// A field of a record type that groups can be made by.
pub trait Groupable: async_graphql::InputType + Copy {
    fn column(self) -> GroupColumn;
}

fn columns<F: Groupable>(group_by: &[GroupBy<F>]) -> Vec<(GroupColumn, Option<DateBucket>)> {
    group_by
        .iter()
        .map(|g| (g.field.column(), g.bucket))
        .collect()
}

const fn id(column: &'static str, kind: Kind) -> GroupColumn {
    GroupColumn {
        column,
        value: GroupValue::Id(kind),
    }
}

const fn text(column: &'static str) -> GroupColumn {
    GroupColumn {
        column,
        value: GroupValue::Text,
    }
}

const fn date(column: &'static str) -> GroupColumn {
    GroupColumn {
        column,
        value: GroupValue::Date,
    }
}

const fn timestamp(column: &'static str) -> GroupColumn {
    GroupColumn {
        column,
        value: GroupValue::Timestamp,
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealGroupField {
    Pipeline,
    Stage,
    Status,
    Owner,
    Company,
    Currency,
    CreatedAt,
    ClosedAt,
    ExpectedCloseDate,
}

impl Groupable for DealGroupField {
    fn column(self) -> GroupColumn {
        match self {
            Self::Pipeline => id("pipeline_id", Kind::Pipeline),
            Self::Stage => id("stage_id", Kind::Stage),
            Self::Status => text("status"),
            Self::Owner => id("owner_id", Kind::Member),
            Self::Company => id("company_id", Kind::Company),
            Self::Currency => text("currency"),
            Self::CreatedAt => timestamp("created_at"),
            Self::ClosedAt => timestamp("closed_at"),
            Self::ExpectedCloseDate => date("expected_close_date"),
        }
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketGroupField {
    Status,
    Priority,
    Category,
    Assignee,
    Company,
    Contact,
    OpenedAt,
    ResolvedAt,
}

impl Groupable for TicketGroupField {
    fn column(self) -> GroupColumn {
        match self {
            Self::Status => text("status"),
            Self::Priority => text("priority"),
            Self::Category => text("category"),
            Self::Assignee => id("assignee_id", Kind::Member),
            Self::Company => id("company_id", Kind::Company),
            Self::Contact => id("contact_id", Kind::Contact),
            Self::OpenedAt => timestamp("opened_at"),
            Self::ResolvedAt => timestamp("resolved_at"),
        }
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderGroupField {
    Product,
    Currency,
    Contact,
    Company,
    OrderedAt,
}

impl Groupable for OrderGroupField {
    fn column(self) -> GroupColumn {
        match self {
            Self::Product => text("product"),
            Self::Currency => text("currency"),
            Self::Contact => id("contact_id", Kind::Contact),
            Self::Company => id("company_id", Kind::Company),
            Self::OrderedAt => timestamp("ordered_at"),
        }
    }
}

#[derive(Default)]
pub struct ChartsQuery;

#[Object]
impl ChartsQuery {
    /// Deals the filter selects, grouped: count and amount statistics per
    /// currency, e.g. `groupBy: [{ field: STAGE }]` or
    /// `[{ field: CLOSED_AT, bucket: MONTH }, { field: STATUS }]`.
    async fn deal_groups(
        &self,
        ctx: &Context<'_>,
        filter: Option<DealFilter>,
        group_by: Vec<GroupBy<DealGroupField>>,
    ) -> ApiResult<Vec<AggregateGroup>> {
        let measures = Measures {
            amounts: true,
            resolution: false,
        };
        aggregate::groups::<Deal, _>(ctx, filter.as_ref(), &columns(&group_by), measures).await
    }

    /// Tickets the filter selects, grouped: count and mean resolution hours.
    async fn ticket_groups(
        &self,
        ctx: &Context<'_>,
        filter: Option<TicketFilter>,
        group_by: Vec<GroupBy<TicketGroupField>>,
    ) -> ApiResult<Vec<AggregateGroup>> {
        let measures = Measures {
            amounts: false,
            resolution: true,
        };
        aggregate::groups::<Ticket, _>(ctx, filter.as_ref(), &columns(&group_by), measures).await
    }

    /// Orders the filter selects, grouped: count and amount statistics per currency.
    async fn order_groups(
        &self,
        ctx: &Context<'_>,
        filter: Option<OrderFilter>,
        group_by: Vec<GroupBy<OrderGroupField>>,
    ) -> ApiResult<Vec<AggregateGroup>> {
        let measures = Measures {
            amounts: true,
            resolution: false,
        };
        aggregate::groups::<Order, _>(ctx, filter.as_ref(), &columns(&group_by), measures).await
    }
}
