//! The pipeline dashboard: the figures a sales team watches, as a query
//! (`pipelineDashboard`) and as a live subscription (`dashboard`) that pushes
//! them again whenever a deal or stage of the pipeline changes.
//!
//! Amounts in different currencies are never added together: every money
//! figure is a list with one total per currency.

use rapport_core::error::CoreError;
use std::collections::BTreeMap;

use async_graphql::{Context, ID, Object, SimpleObject, Subscription};
use chrono::{DateTime, Datelike, TimeZone, Utc};
use entity::enums::DealStatus;
use entity::stage;
use futures_util::Stream;
use rapport_core::store::owned_by;
use rust_decimal::Decimal;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::events;
use super::recomputed::recomputed;
use crate::auth::Actor;
use crate::domain::money;
use crate::graphql::context::{actor, db, state};
use crate::graphql::deal::MoneyTotal;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;
use crate::graphql::list;
use crate::graphql::pipeline::{Pipeline, Stage};
use crate::graphql::write::now;
use rapport_core::rules::sums;

/// One stage's deals.
#[derive(Clone, PartialEq)]
pub struct StageFigures {
    stage: stage::Model,
    count: i64,
    amounts: Vec<MoneyTotal>,
}

/// One stage's deals on the live dashboard.
#[Object]
impl StageFigures {
    /// The stage.
    async fn stage(&self) -> Stage {
        Stage(Level::single(self.stage.clone()))
    }

    /// Deals in the stage (open, or closed for WON and LOST stages).
    async fn count(&self) -> i64 {
        self.count
    }

    /// Their amounts, per currency.
    async fn amounts(&self) -> &[MoneyTotal] {
        &self.amounts
    }
}

/// The pipeline's figures at one moment.
#[derive(SimpleObject, Clone, PartialEq)]
pub struct PipelineDashboard {
    /// The pipeline's global id.
    pub pipeline_id: ID,
    /// When the figures were computed.
    #[graphql(skip)]
    pub as_of: DateTime<Utc>,
    /// Every live stage, in pipeline order, with its deals.
    pub stages: Vec<StageFigures>,
    /// Open deals' amounts, per currency.
    pub open_value: Vec<MoneyTotal>,
    /// Σ open amount × the stage's win probability, per currency (rounded to the currency's decimals).
    pub weighted_forecast: Vec<MoneyTotal>,
    /// Deals won since the start of this month (UTC), per currency.
    pub won_this_month: Vec<MoneyTotal>,
    /// Deals lost since the start of this month (UTC), per currency.
    pub lost_this_month: Vec<MoneyTotal>,
    /// Won ÷ (won + lost) among the deals closed this month; null when none closed.
    pub win_rate: Option<f64>,
}

/// Sums per currency: (count, Σ amount ×10⁴, Σ amount ×10⁴ × probability %),
/// in 128 bits: exact for any number of the largest amounts.
#[derive(Default, Clone, Copy)]
struct Sums {
    count: i64,
    amount_e4: i128,
    weighted_e6: i128,
}

type ByCurrency = BTreeMap<String, Sums>;

fn add(into: &mut ByCurrency, currency: &str, sums: Sums) {
    let entry = into.entry(currency.to_owned()).or_default();
    entry.count += sums.count;
    entry.amount_e4 += sums.amount_e4;
    entry.weighted_e6 += sums.weighted_e6;
}

fn totals(sums: &ByCurrency) -> Vec<MoneyTotal> {
    sums.iter()
        .map(|(currency, s)| MoneyTotal {
            currency: currency.clone(),
            amount: money::from_e4_wide(s.amount_e4, currency),
            count: s.count,
        })
        .collect()
}

fn weighted(sums: &ByCurrency) -> Vec<MoneyTotal> {
    sums.iter()
        .map(|(currency, s)| {
            let exact = Decimal::try_from_i128_with_scale(s.weighted_e6, money::STORED_SCALE + 2)
                .unwrap_or(Decimal::MAX);
            MoneyTotal {
                currency: currency.clone(),
                amount: money::round_to_currency(exact, currency),
                count: s.count,
            }
        })
        .collect()
}

/// The first instant of `at`'s month, UTC.
fn month_start(at: DateTime<Utc>) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(at.year(), at.month(), 1, 0, 0, 0)
        .single()
        .unwrap_or(at)
}

/// Computes the dashboard in three statements: the stages, the live deals
/// grouped by stage, status and currency (read from one index, and
/// weighted per group: the probability is the stage's), and this month's
/// closings (through the index on closing times). Of the deals `reader`
/// reads: a role narrowed to its team's or its own deals sees their figures.
pub async fn compute(
    db: &DatabaseConnection,
    reader: &Actor,
    pipeline_id: Uuid,
    at: DateTime<Utc>,
) -> Result<PipelineDashboard, DbErr> {
    let workspace_id = reader.workspace_id;
    let stages = stage::Entity::find()
        .filter(stage::Column::WorkspaceId.eq(workspace_id))
        .filter(stage::Column::PipelineId.eq(pipeline_id))
        .filter(stage::Column::DeletedAt.is_null())
        .order_by_asc(stage::Column::Position)
        .all(db)
        .await?;
    let mut live_deals = Condition::all()
        .add(Expr::col(("deal", "workspace_id")).eq(workspace_id))
        .add(Expr::col(("deal", "pipeline_id")).eq(pipeline_id))
        .add(Expr::col(("deal", "deleted_at")).is_null());
    if let Some(owners) = owned_by::<entity::deal::Entity>(reader, "deal") {
        live_deals = live_deals.add(owners);
    }
    let mut grouped = Query::select();
    grouped
        .expr_as(Expr::col(("deal", "stage_id")), "stage_id")
        .expr_as(Expr::col(("stage", "win_probability")), "probability");
    with_totals(&mut grouped);
    let grouped = grouped
        .from("deal")
        .inner_join(
            "stage",
            Expr::col(("stage", "workspace_id"))
                .equals(("deal", "workspace_id"))
                .and(Expr::col(("stage", "id")).equals(("deal", "stage_id"))),
        )
        .cond_where(live_deals.clone())
        .group_by_col(("deal", "stage_id"))
        .group_by_col(("deal", "status"))
        .group_by_col(("deal", "currency"))
        .group_by_col(("stage", "win_probability"))
        .to_owned();
    let mut per_stage: BTreeMap<Uuid, ByCurrency> = BTreeMap::new();
    let mut open = ByCurrency::new();
    for row in db.query_all(&grouped).await? {
        let stage_id: Uuid = row.try_get("", "stage_id")?;
        let status: String = row.try_get("", "status")?;
        let currency: String = row.try_get("", "currency")?;
        let amount_e4 = sums::read(&row, "amount")?;
        let probability: i32 = row.try_get("", "probability")?;
        let sums = Sums {
            count: row.try_get("", "count")?,
            amount_e4,
            weighted_e6: amount_e4 * i128::from(probability),
        };
        add(per_stage.entry(stage_id).or_default(), &currency, sums);
        if status == DealStatus::Open.to_value() {
            add(&mut open, &currency, sums);
        }
    }
    let mut closings = Query::select();
    with_totals(&mut closings);
    let closings = closings
        .from("deal")
        .cond_where(
            live_deals
                .add(Expr::col(("deal", "status")).ne(DealStatus::Open.to_value()))
                .add(Expr::col(("deal", "closed_at")).gte(month_start(at))),
        )
        .group_by_col(("deal", "status"))
        .group_by_col(("deal", "currency"))
        .to_owned();
    let (mut won, mut lost) = (ByCurrency::new(), ByCurrency::new());
    for row in db.query_all(&closings).await? {
        let status: String = row.try_get("", "status")?;
        let currency: String = row.try_get("", "currency")?;
        let sums = Sums {
            count: row.try_get("", "count")?,
            amount_e4: sums::read(&row, "amount")?,
            weighted_e6: 0,
        };
        let into = if status == DealStatus::Won.to_value() {
            &mut won
        } else {
            &mut lost
        };
        add(into, &currency, sums);
    }
    let count = |sums: &ByCurrency| sums.values().map(|s| s.count).sum::<i64>();
    let (won_count, lost_count) = (count(&won), count(&lost));
    let win_rate =
        (won_count + lost_count > 0).then(|| won_count as f64 / (won_count + lost_count) as f64);
    Ok(PipelineDashboard {
        pipeline_id: ids::encode(Kind::Pipeline, pipeline_id),
        as_of: at,
        stages: stages
            .into_iter()
            .map(|stage| {
                let sums = per_stage.remove(&stage.id).unwrap_or_default();
                StageFigures {
                    count: count(&sums),
                    amounts: totals(&sums),
                    stage,
                }
            })
            .collect(),
        open_value: totals(&open),
        weighted_forecast: weighted(&open),
        won_this_month: totals(&won),
        lost_this_month: totals(&lost),
        win_rate,
    })
}

/// Adds the deal status and currency, `count` and the `amount` sum to a
/// grouped select (the caller groups by status and currency).
fn with_totals(select: &mut SelectStatement) -> &mut SelectStatement {
    select
        .expr_as(Expr::col(("deal", "status")), "status")
        .expr_as(Expr::col(("deal", "currency")), "currency")
        .expr_as(Expr::cust("COUNT(*)"), "count");
    sums::select(select, r#""deal"."amount_e4""#, "amount")
}

/// The pipeline id of a dashboard request, checked against the actor's role
/// and workspace.
async fn dashboard_pipeline(ctx: &Context<'_>, pipeline_id: &ID) -> ApiResult<Uuid> {
    let actor = actor(ctx)?;
    if !actor.can_read_deals() {
        return Err(ApiError(CoreError::Forbidden(
            "this role sees no deal amounts".into(),
        )));
    }
    let id = ids::decode(pipeline_id, Kind::Pipeline, "pipelineId")?;
    if list::find::<Pipeline>(ctx, id).await?.is_none() {
        return Err(ApiError(CoreError::NotFound("pipeline")));
    }
    Ok(id)
}

#[derive(Default)]
pub struct DashboardQuery;

#[Object]
impl DashboardQuery {
    /// The pipeline's dashboard now; the `dashboard` subscription pushes the same figures live.
    async fn pipeline_dashboard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The pipeline, by global id.")] pipeline_id: ID,
    ) -> ApiResult<PipelineDashboard> {
        let id = dashboard_pipeline(ctx, &pipeline_id).await?;
        Ok(compute(db(ctx)?, actor(ctx)?, id, now()).await?)
    }
}

#[derive(Default)]
pub struct DashboardSubscription;

#[Subscription]
impl DashboardSubscription {
    /// The pipeline's dashboard: sent at once, then again whenever a deal or
    /// stage of the pipeline changes the figures, at most once per 250 ms.
    async fn dashboard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The pipeline, by global id.")] pipeline_id: ID,
    ) -> Result<impl Stream<Item = PipelineDashboard> + use<>, ApiError> {
        let id = dashboard_pipeline(ctx, &pipeline_id).await?;
        let reader = actor(ctx)?.clone();
        let workspace_id = reader.workspace_id;
        let db = state(ctx)?.db.clone();
        let deal_topic = format!("pipeline:{id}");
        let relevant = move |e: &entity::event::Model| {
            e.topic == deal_topic
                || (e.record_type == Kind::Stage.name()
                    && super::payload_uuid(e, "pipeline_id") == Some(id))
        };
        let changes = events(ctx, workspace_id, None).await?;
        let first = compute(&db, &reader, id, now()).await?;
        let recompute = move || {
            let (db, reader) = (db.clone(), reader.clone());
            async move { compute(&db, &reader, id, now()).await }
        };
        Ok(recomputed(
            first,
            changes,
            relevant,
            recompute,
            shown,
            "dashboard",
        ))
    }
}

/// The figures as a client sees them: equal whenever they were computed.
fn shown(figures: &PipelineDashboard) -> PipelineDashboard {
    PipelineDashboard {
        as_of: DateTime::<Utc>::MIN_UTC,
        ..figures.clone()
    }
}
