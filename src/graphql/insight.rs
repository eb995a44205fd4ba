//! Calculated figures of contacts and companies, computed in SQL for a whole
//! level at once (one statement per group of figures, whatever the number
//! of parents), always current because nothing is stored.

use rapport_core::store::one_workspace;
use std::collections::HashMap;

use async_graphql::{Context, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::{SurveyKind, TicketStatus};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ActiveEnum, ConnectionTrait};
use uuid::Uuid;

use super::context::{actor, db};
use super::deal::MoneyTotal;
use super::error::ApiResult;
use super::level::Row;
use super::list::in_ids;
use crate::domain::money;
use rapport_core::rules::figures::seconds_between;
use rapport_core::rules::sums;

/// A contact's or company's support figures.
#[derive(SimpleObject, Clone, Debug, Default, PartialEq)]
pub struct TicketFigures {
    /// Live tickets, any status.
    pub count: i64,
    /// Tickets OPEN or PENDING.
    pub open_count: i64,
    /// When the latest ticket was opened.
    pub last_opened_at: Option<DateTime<Utc>>,
    /// Mean hours from opening to resolution, over resolved tickets.
    pub average_resolution_hours: Option<f64>,
}

/// Lifetime value and order figures of a contact or company.
#[derive(SimpleObject, Clone, Debug, Default, PartialEq)]
pub struct OrderFigures {
    /// Live placed orders (carts, cancelled and refunded orders count nowhere here).
    pub count: i64,
    /// The sum of the orders, per currency (never added across currencies).
    pub lifetime_value: Vec<MoneyTotal>,
    /// When the latest order was placed.
    pub last_ordered_at: Option<DateTime<Utc>>,
    /// Projected lifetime value, per currency: average order value ×
    /// purchase frequency (orders per year over the customer's buying span,
    /// at least a year) × the workspace's average customer lifespan (the
    /// mean buying span of its customers, at least a year). It reduces to
    /// Σ orders ÷ span years × average lifespan years.
    pub projected_lifetime_value: Vec<MoneyTotal>,
}

/// The latest survey answers of a contact (or of a company's contacts).
#[derive(SimpleObject, Clone, Debug, Default, PartialEq)]
pub struct SatisfactionFigures {
    /// The latest NPS score (0–10).
    pub latest_nps: Option<i32>,
    /// The latest CSAT score (1–5).
    pub latest_csat: Option<i32>,
}

/// Ticket figures of every row of `parent`'s level, keyed by `foreign_key`
/// (`contact_id` or `company_id`), in one statement.
pub async fn tickets<P: Send + Sync + 'static>(
    ctx: &Context<'_>,
    parent: &Row<P>,
    parent_id: fn(&P) -> Uuid,
    foreign_key: &'static str,
) -> ApiResult<TicketFigures> {
    let actor = actor(ctx)?;
    let db = db(ctx)?;
    let backend = db.get_database_backend();
    let loaded = parent
        .level
        .load(format!("ticket-figures|{foreign_key}"), |rows| async move {
            let ids: Vec<Uuid> = rows.iter().map(parent_id).collect();
            let open = [TicketStatus::Open.to_value(), TicketStatus::Pending.to_value()];
            let resolution = seconds_between(backend, r#""ticket"."opened_at""#, r#""ticket"."resolved_at""#);
            let statement = Query::select()
                .expr_as(Expr::col(("ticket", foreign_key)), "parent")
                .expr_as(Expr::cust("COUNT(*)"), "count")
                .expr_as(
                    Expr::cust(format!(
                        r#"SUM(CASE WHEN "ticket"."status" IN ('{}', '{}') THEN 1 ELSE 0 END)"#,
                        open[0], open[1]
                    )),
                    "open_count",
                )
                .expr_as(Expr::cust(r#"MAX("ticket"."opened_at")"#), "last_opened_at")
                .expr_as(
                    Expr::cust(format!(
                        r#"CAST(AVG(CASE WHEN "ticket"."resolved_at" IS NOT NULL THEN {resolution} END) AS DOUBLE PRECISION)"#
                    )),
                    "average_seconds",
                )
                .from("ticket")
                .and_where(Expr::col(("ticket", "workspace_id")).eq(actor.workspace_id))
                .and_where(Expr::col(("ticket", "deleted_at")).is_null())
                .and_where(in_ids(backend, Expr::col(("ticket", foreign_key)), ids))
                .group_by_col(("ticket", foreign_key))
                .to_owned();
            let mut figures = HashMap::new();
            for row in one_workspace::query_all(db, actor.workspace_id, &statement).await? {
                let parent: Uuid = row.try_get("", "parent")?;
                let count: i64 = row.try_get("", "count")?;
                let open_count: Option<i64> = row.try_get("", "open_count")?;
                let seconds: Option<f64> = row.try_get("", "average_seconds")?;
                figures.insert(
                    parent,
                    TicketFigures {
                        count,
                        open_count: open_count.unwrap_or(0),
                        last_opened_at: row.try_get("", "last_opened_at")?,
                        average_resolution_hours: seconds.map(|s| (s / 36.0).round() / 100.0),
                    },
                );
            }
            Ok(figures)
        })
        .await?;
    Ok(loaded
        .get(&parent_id(parent.model()))
        .cloned()
        .unwrap_or_default())
}

/// Order figures of every row of `parent`'s level, in one statement.
pub async fn orders<P: Send + Sync + 'static>(
    ctx: &Context<'_>,
    parent: &Row<P>,
    parent_id: fn(&P) -> Uuid,
    foreign_key: &'static str,
) -> ApiResult<OrderFigures> {
    let actor = actor(ctx)?;
    let db = db(ctx)?;
    let backend = db.get_database_backend();
    let loaded = parent
        .level
        .load(format!("order-figures|{foreign_key}"), |rows| async move {
            let ids: Vec<Uuid> = rows.iter().map(parent_id).collect();
            let mut statement = Query::select();
            statement
                .expr_as(Expr::col(("customer_order", foreign_key)), "parent")
                .expr_as(Expr::col(("customer_order", "currency")), "currency")
                .expr_as(Expr::cust("COUNT(*)"), "count");
            let statement =
                sums::select(&mut statement, r#""customer_order"."amount_e4""#, "total")
                    .expr_as(
                        Expr::cust(r#"MAX("customer_order"."ordered_at")"#),
                        "last_ordered_at",
                    )
                    .expr_as(
                        Expr::cust(r#"MIN("customer_order"."ordered_at")"#),
                        "first_ordered_at",
                    )
                    .from("customer_order")
                    .and_where(Expr::col(("customer_order", "workspace_id")).eq(actor.workspace_id))
                    .and_where(Expr::col(("customer_order", "deleted_at")).is_null())
                    // Only what was bought: no carts, cancelled or refunded orders.
                    .and_where(
                        Expr::col(("customer_order", "status"))
                            .eq(entity::enums::OrderStatus::Placed.to_value()),
                    )
                    .and_where(in_ids(
                        backend,
                        Expr::col(("customer_order", foreign_key)),
                        ids,
                    ))
                    .group_by_col(("customer_order", foreign_key))
                    .group_by_col(("customer_order", "currency"))
                    .order_by(Alias::new("currency"), sea_orm::Order::Asc)
                    .to_owned();
            let mut figures: HashMap<Uuid, OrderFigures> = HashMap::new();
            let mut first_orders: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
            for row in one_workspace::query_all(db, actor.workspace_id, &statement).await? {
                let parent: Uuid = row.try_get("", "parent")?;
                let currency: String = row.try_get("", "currency")?;
                let count: i64 = row.try_get("", "count")?;
                let total = sums::read(&row, "total")?;
                let last: Option<DateTime<Utc>> = row.try_get("", "last_ordered_at")?;
                let first: Option<DateTime<Utc>> = row.try_get("", "first_ordered_at")?;
                if let Some(first) = first {
                    let earliest = first_orders.entry(parent).or_insert(first);
                    *earliest = Ord::min(*earliest, first);
                }
                let entry = figures.entry(parent).or_default();
                entry.count += count;
                entry.last_ordered_at = Ord::max(entry.last_ordered_at, last);
                entry.lifetime_value.push(MoneyTotal {
                    amount: money::from_e4_wide(total, &currency),
                    currency,
                    count,
                });
            }
            if !figures.is_empty() {
                let lifespan = average_lifespan_years(db, actor.workspace_id, foreign_key).await?;
                for (parent, entry) in &mut figures {
                    let span = match (first_orders.get(parent), entry.last_ordered_at) {
                        (Some(first), Some(last)) => years(last - *first),
                        _ => 0.0,
                    };
                    entry.projected_lifetime_value =
                        projection(&entry.lifetime_value, span, lifespan);
                }
            }
            Ok(figures)
        })
        .await?;
    Ok(loaded
        .get(&parent_id(parent.model()))
        .cloned()
        .unwrap_or_default())
}

/// The latest NPS and CSAT of every row of `parent`'s level: for contacts
/// their own answers, for companies their contacts' (`via_company`).
pub async fn satisfaction<P: Send + Sync + 'static>(
    ctx: &Context<'_>,
    parent: &Row<P>,
    parent_id: fn(&P) -> Uuid,
    via_company: bool,
) -> ApiResult<SatisfactionFigures> {
    let actor = actor(ctx)?;
    let db = db(ctx)?;
    let backend = db.get_database_backend();
    let key = format!("satisfaction|{via_company}");
    let loaded = parent
        .level
        .load(key, |rows| async move {
            let ids: Vec<Uuid> = rows.iter().map(parent_id).collect();
            let owner = if via_company { r#""contact"."company_id""# } else { r#""survey_response"."contact_id""# };
            // The latest answer of each kind per owner: a window, then the first rows.
            let mut inner = Query::select();
            inner
                .expr_as(Expr::cust(owner), "parent")
                .expr_as(Expr::col(("survey_response", "kind")), "kind")
                .expr_as(Expr::col(("survey_response", "score")), "score")
                .expr_as(
                    Expr::cust(format!(
                        r#"ROW_NUMBER() OVER (PARTITION BY {owner}, "survey_response"."kind" ORDER BY "survey_response"."responded_at" DESC, "survey_response"."id" DESC)"#
                    )),
                    "position",
                )
                .from("survey_response")
                .and_where(Expr::col(("survey_response", "workspace_id")).eq(actor.workspace_id))
                .and_where(Expr::col(("survey_response", "deleted_at")).is_null());
            if via_company {
                inner
                    .inner_join("contact", Expr::col(("contact", "id")).equals(("survey_response", "contact_id")))
                    .and_where(Expr::col(("contact", "workspace_id")).eq(actor.workspace_id))
                    .and_where(Expr::col(("contact", "deleted_at")).is_null())
                    .and_where(in_ids(backend, Expr::col(("contact", "company_id")), ids));
            } else {
                inner.and_where(in_ids(backend, Expr::col(("survey_response", "contact_id")), ids));
            }
            let statement = Query::select()
                .column(Alias::new("parent"))
                .column(Alias::new("kind"))
                .column(Alias::new("score"))
                .from_subquery(inner.to_owned(), Alias::new("ranked"))
                .and_where(Expr::col(Alias::new("position")).eq(1))
                .to_owned();
            let mut figures: HashMap<Uuid, SatisfactionFigures> = HashMap::new();
            for row in one_workspace::query_all(db, actor.workspace_id, &statement).await? {
                let parent: Uuid = row.try_get("", "parent")?;
                let kind: String = row.try_get("", "kind")?;
                let score: i32 = row.try_get("", "score")?;
                let entry = figures.entry(parent).or_default();
                if kind == SurveyKind::Nps.to_value() {
                    entry.latest_nps = Some(score);
                } else {
                    entry.latest_csat = Some(score);
                }
            }
            Ok(figures)
        })
        .await?;
    Ok(loaded
        .get(&parent_id(parent.model()))
        .cloned()
        .unwrap_or_default())
}

const YEAR_SECONDS: f64 = 365.25 * 86_400.0;

fn years(span: chrono::Duration) -> f64 {
    span.num_seconds() as f64 / YEAR_SECONDS
}

/// The projection of each currency's total: Σ ÷ max(span, 1) × lifespan.
fn projection(totals: &[MoneyTotal], span_years: f64, lifespan_years: f64) -> Vec<MoneyTotal> {
    let factor = lifespan_years / span_years.max(1.0);
    let factor =
        rust_decimal::Decimal::from_f64_retain(factor).unwrap_or(rust_decimal::Decimal::ONE);
    totals
        .iter()
        .map(|t| MoneyTotal {
            currency: t.currency.clone(),
            amount: money::round_to_currency(t.amount * factor, &t.currency),
            count: t.count,
        })
        .collect()
}

/// The mean buying span (first to last order) of the workspace's customers
/// keyed by `foreign_key`, in years, each span counted as at least a year:
/// read from the buyers' stored first and last orders, through an index.
async fn average_lifespan_years<C: ConnectionTrait>(
    db: &C,
    workspace_id: Uuid,
    foreign_key: &'static str,
) -> Result<f64, sea_orm::DbErr> {
    // Each buyer's first and last live order are stored with it.
    let buyers = if foreign_key == "company_id" {
        "company"
    } else {
        "contact"
    };
    let span = seconds_between(
        db.get_database_backend(),
        &format!(r#""{buyers}"."first_order_at""#),
        &format!(r#""{buyers}"."last_order_at""#),
    );
    let spans = Query::select()
        .expr_as(
            Expr::cust(format!("CAST({span} AS DOUBLE PRECISION)")),
            "span",
        )
        .from(buyers)
        .and_where(Expr::col((buyers, "workspace_id")).eq(workspace_id))
        .and_where(Expr::col((buyers, "first_order_at")).is_not_null())
        .to_owned();
    let statement = Query::select()
        .expr_as(
            Expr::cust(format!(
                r#"CAST(AVG(CASE WHEN "spans"."span" < {YEAR_SECONDS} THEN {YEAR_SECONDS} ELSE "spans"."span" END) AS DOUBLE PRECISION)"#
            )),
            "lifespan",
        )
        .from_subquery(spans, Alias::new("spans"))
        .to_owned();
    let seconds: Option<f64> = match db.query_one(&statement).await? {
        Some(row) => row.try_get("", "lifespan")?,
        None => None,
    };
    Ok(seconds.unwrap_or(YEAR_SECONDS) / YEAR_SECONDS)
}
