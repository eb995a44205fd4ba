//! The group-by queries of each record type a dashboard charts: deals,
//! tickets, orders and contacts (see [`super::aggregate`]).

use async_graphql::{Context, Enum, InputObject, Object};

use super::aggregate::{
    self, AggregateGroup, DateBucket, GroupColumn, GroupValue, Joined, Measures,
};
use super::contact::{Contact, ContactFilter};
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
#[graphql(concrete(name = "ContactGroupBy", params(ContactGroupField)))]
pub struct GroupBy<F: async_graphql::InputType> {
    /// What to group by.
    pub field: F,
    /// For date fields, the calendar bucket (default DAY); refused on other fields.
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
        table: None,
        column,
        value: GroupValue::Id(kind),
    }
}

const fn text(column: &'static str) -> GroupColumn {
    GroupColumn {
        table: None,
        column,
        value: GroupValue::Text,
    }
}

const fn date(column: &'static str) -> GroupColumn {
    GroupColumn {
        table: None,
        column,
        value: GroupValue::Date,
    }
}

const fn timestamp(column: &'static str) -> GroupColumn {
    GroupColumn {
        table: None,
        column,
        value: GroupValue::Timestamp,
    }
}

/// What deals can be grouped by; references group by global id.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealGroupField {
    /// The pipeline.
    Pipeline,
    /// The current stage.
    Stage,
    /// OPEN, WON or LOST.
    Status,
    /// The owning member.
    Owner,
    /// The company.
    Company,
    /// The amount's currency.
    Currency,
    /// When it was created (bucketed).
    CreatedAt,
    /// When it was won or lost (bucketed); open deals have no value.
    ClosedAt,
    /// The expected close date (bucketed).
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

/// What tickets can be grouped by; references group by global id.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketGroupField {
    /// The status.
    Status,
    /// The priority.
    Priority,
    /// The category.
    Category,
    /// The assigned member.
    Assignee,
    /// The company.
    Company,
    /// The contact who asked.
    Contact,
    /// When it was opened (bucketed).
    OpenedAt,
    /// When it was resolved (bucketed); unresolved tickets have no value.
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

/// An order's lines and their products, joined when orders are grouped by
/// a catalogue product or category: each line then counts on its own with
/// its total, and an order without lines once, with its amount (under no
/// product).
const ORDER_LINES: Joined = Joined {
    joins: &[
        (
            "order_line",
            r#""order_line"."workspace_id" = "customer_order"."workspace_id" AND "order_line"."order_id" = "customer_order"."id""#,
        ),
        (
            "product",
            r#""product"."workspace_id" = "order_line"."workspace_id" AND "product"."id" = "order_line"."product_id""#,
        ),
    ],
    amount: r#"COALESCE("order_line"."total_e4", "customer_order"."amount_e4")"#,
};

/// What orders can be grouped by; references group by global id.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderGroupField {
    /// The product as written on the order (its product text).
    Product,
    /// The catalogue product of each line (global id): groups count lines
    /// and sum their totals; an order without lines counts once, under null.
    CatalogueProduct,
    /// The category of each line's product: groups count lines and sum
    /// their totals; lines without a category and orders without lines
    /// fall under null.
    Category,
    /// The amount's currency.
    Currency,
    /// The buying contact.
    Contact,
    /// The buying company.
    Company,
    /// CART, ABANDONED, PLACED, CANCELLED or REFUNDED.
    Status,
    /// When it was placed, a cart when it started (bucketed).
    OrderedAt,
    /// When it began as a cart (bucketed); orders placed directly have no value.
    CartStartedAt,
}

impl Groupable for OrderGroupField {
    fn column(self) -> GroupColumn {
        match self {
            Self::Product => text("product"),
            Self::CatalogueProduct => GroupColumn {
                table: Some("order_line"),
                ..id("product_id", Kind::Product)
            },
            Self::Category => GroupColumn {
                table: Some("product"),
                ..text("category")
            },
            Self::Currency => text("currency"),
            Self::Contact => id("contact_id", Kind::Contact),
            Self::Company => id("company_id", Kind::Company),
            Self::Status => text("status"),
            Self::OrderedAt => timestamp("ordered_at"),
            Self::CartStartedAt => timestamp("cart_started_at"),
        }
    }
}

/// What contacts can be grouped by; references group by global id.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactGroupField {
    /// The lifecycle stage.
    LifecycleStage,
    /// The owning member.
    Owner,
    /// The company.
    Company,
    /// The country.
    Country,
    /// The city.
    City,
    /// The job title.
    JobTitle,
    /// The campaign of the first touch.
    FirstTouchCampaign,
    /// The campaign of the latest touch.
    LastTouchCampaign,
    /// When it was created (bucketed).
    CreatedAt,
    /// When the first touch was (bucketed).
    FirstTouchAt,
    /// When the latest email consent was given (bucketed); no value without one.
    EmailOptInAt,
    /// When the contact unsubscribed (bucketed); no value while subscribed.
    UnsubscribedAt,
}

impl Groupable for ContactGroupField {
    fn column(self) -> GroupColumn {
        match self {
            Self::LifecycleStage => text("lifecycle_stage"),
            Self::Owner => id("owner_id", Kind::Member),
            Self::Company => id("company_id", Kind::Company),
            Self::Country => text("country"),
            Self::City => text("city"),
            Self::JobTitle => text("job_title"),
            Self::FirstTouchCampaign => id("first_touch_campaign_id", Kind::Campaign),
            Self::LastTouchCampaign => id("last_touch_campaign_id", Kind::Campaign),
            Self::CreatedAt => timestamp("created_at"),
            Self::FirstTouchAt => timestamp("first_touch_at"),
            Self::EmailOptInAt => timestamp("email_opt_in_at"),
            Self::UnsubscribedAt => timestamp("unsubscribed_at"),
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
        #[graphql(desc = "Only the records matching this filter.")] filter: Option<DealFilter>,
        #[graphql(desc = "One to three groupings, outermost first.")] group_by: Vec<
            GroupBy<DealGroupField>,
        >,
    ) -> ApiResult<Vec<AggregateGroup>> {
        let measures = Measures {
            amounts: true,
            resolution: false,
            joined: None,
        };
        aggregate::groups::<Deal, _>(ctx, filter.as_ref(), &columns(&group_by), measures).await
    }

    /// Tickets the filter selects, grouped: count and mean resolution hours.
    async fn ticket_groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the records matching this filter.")] filter: Option<TicketFilter>,
        #[graphql(desc = "One to three groupings, outermost first.")] group_by: Vec<
            GroupBy<TicketGroupField>,
        >,
    ) -> ApiResult<Vec<AggregateGroup>> {
        let measures = Measures {
            amounts: false,
            resolution: true,
            joined: None,
        };
        aggregate::groups::<Ticket, _>(ctx, filter.as_ref(), &columns(&group_by), measures).await
    }

    /// Orders the filter selects, grouped: count and amount statistics per currency.
    async fn order_groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the records matching this filter.")] filter: Option<OrderFilter>,
        #[graphql(desc = "One to three groupings, outermost first.")] group_by: Vec<
            GroupBy<OrderGroupField>,
        >,
    ) -> ApiResult<Vec<AggregateGroup>> {
        let measures = Measures {
            amounts: true,
            resolution: false,
            joined: Some(ORDER_LINES),
        };
        aggregate::groups::<Order, _>(ctx, filter.as_ref(), &columns(&group_by), measures).await
    }

    /// Contacts the filter selects, grouped: counts, e.g. `groupBy: [{ field:
    /// LIFECYCLE_STAGE }]` or `[{ field: EMAIL_OPT_IN_AT, bucket: MONTH }]`
    /// (the opt-ins per month that email-list growth is made of).
    async fn contact_groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the records matching this filter.")] filter: Option<ContactFilter>,
        #[graphql(desc = "One to three groupings, outermost first.")] group_by: Vec<
            GroupBy<ContactGroupField>,
        >,
    ) -> ApiResult<Vec<AggregateGroup>> {
        let measures = Measures {
            amounts: false,
            resolution: false,
            joined: None,
        };
        aggregate::groups::<Contact, _>(ctx, filter.as_ref(), &columns(&group_by), measures).await
    }
}
