//! Analytics for a period: the figures a sales team runs on, each computed
//! by one SQL statement when (and only when) it is selected.
//!
//! Every figure reads live records of the workspace in the half-open period
//! `[from, to)`; `pipelineId` narrows deal figures to one pipeline, `ownerId`
//! narrows each figure to one member (deal owner, contact owner, company
//! owner, ticket assignee, the owner of an order's buyer or of a survey
//! answer's contact). Each figure's description says how both narrow it,
//! or why one does not. The rules (periods, dates, deleted records) are the
//! core's: `rapport_core::rules::analytics`. Money is reported per currency
//! and never added across currencies; counts and rates do not depend on
//! currency.

mod acquisition;
mod customers;
mod deals;
pub(crate) mod leaderboard;
mod marketing;
mod sql;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::stage;
use rapport_core::error::CoreError;
use rapport_core::rules::analytics;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use self::acquisition::AcquisitionFigures;
use self::customers::{CategoryCount, ChurnFigures, CsatFigures, NpsFigures, OrderMix};
use self::deals::{Conversion, DealOutcomes, ReasonCount};
use self::leaderboard::LeaderboardEntry;
use self::marketing::{CartFigures, EmailListGrowthFigures};
use self::sql::{Scope, round2};
use super::context::{actor, db};
use super::deal::MoneyTotal;
use super::error::{ApiError, ApiResult};
use super::ids::{self, Kind};
use super::level::Level;
use super::list;
use super::member::Member;
use super::pipeline::{Pipeline, Stage};
use crate::auth::Actor;

/// A half-open span of time: from `from` (included) to `to` (excluded).
#[derive(InputObject, Debug, Clone, Copy)]
pub struct PeriodInput {
    /// Start of the period (included).
    pub from: DateTime<Utc>,
    /// End of the period (excluded).
    pub to: DateTime<Utc>,
}

/// The figures of one period; each field is computed when selected.
pub struct Analytics {
    scope: Scope,
    actor: Actor,
}

/// Time spent in one stage.
#[derive(SimpleObject)]
pub struct StageDuration {
    /// The stage.
    pub stage: Stage,
    /// Stays in the stage that ended in the period.
    pub stays: i64,
    /// Their mean length, in days.
    pub average_days: f64,
}

impl Analytics {
    /// Money figures are refused to roles that see no deal amounts.
    fn amounts(&self) -> ApiResult<()> {
        if self.actor.sees_amounts() {
            Ok(())
        } else {
            Err(ApiError(CoreError::Forbidden(
                "this role sees no deal amounts".into(),
            )))
        }
    }
}

/// The figures of one period (`from` included, `to` excluded), narrowed to a pipeline and an owner
/// when given; each field is computed when selected. Money figures are refused (`FORBIDDEN`) to
/// roles that see no deal amounts: such a field answers null with its error, and the other
/// figures of the same request still answer.
#[Object]
impl Analytics {
    /// Start of the period (included).
    async fn from(&self) -> DateTime<Utc> {
        self.scope.from
    }
    /// End of the period (excluded).
    async fn to(&self) -> DateTime<Utc> {
        self.scope.to
    }
    /// Contacts created in the period and how many reached a deal. `ownerId`:
    /// the member's contacts; `pipelineId`: only deals of that pipeline
    /// convert (a contact belongs to no pipeline, so the leads stay).
    async fn lead_conversion(&self, ctx: &Context<'_>) -> ApiResult<Conversion> {
        Ok(deals::conversion(db(ctx)?, &self.scope).await?)
    }
    /// Deals won and lost in the period, and the win rate. Narrowed by
    /// `pipelineId` and by `ownerId` (the deal's owner).
    async fn deal_outcomes(&self, ctx: &Context<'_>) -> ApiResult<DealOutcomes> {
        Ok(deals::outcomes(db(ctx)?, &self.scope).await?)
    }
    /// Amounts of the deals won in the period, per currency. Narrowed by
    /// `pipelineId` and `ownerId` (the deal's owner).
    async fn won_revenue(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<MoneyTotal>>> {
        self.amounts()?;
        Ok(Some(
            deals::won_revenue(db(ctx)?, &self.scope, false).await?,
        ))
    }
    /// Won revenue from new customers: each company's first won deal (and
    /// deals without a company), per currency. Narrowed by `pipelineId` and
    /// `ownerId`; a company's first win is its first in any pipeline.
    async fn net_new_revenue(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<MoneyTotal>>> {
        self.amounts()?;
        Ok(Some(deals::won_revenue(db(ctx)?, &self.scope, true).await?))
    }
    /// Mean amount of the deals won in the period, per currency. Narrowed by
    /// `pipelineId` and `ownerId`.
    async fn average_deal_size(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<MoneyTotal>>> {
        self.amounts()?;
        let won = deals::won_revenue(db(ctx)?, &self.scope, false).await?;
        Ok(Some(sql::averages(&won)))
    }
    /// Deals open at the period's end, by their stage history (the last
    /// stage each entered before `to` is an OPEN one), at their current
    /// amounts, per currency. Narrowed by `pipelineId` and `ownerId`.
    async fn pipeline_value(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<MoneyTotal>>> {
        self.amounts()?;
        let totals = analytics::pipeline_value(db(ctx)?, &self.scope).await?;
        Ok(Some(sql::money(totals)))
    }
    /// Σ amount × stage probability of deals open now and expected to close
    /// on a day of the period (a period ending at noon includes that day).
    /// Narrowed by `pipelineId` and `ownerId`.
    async fn weighted_forecast(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<MoneyTotal>>> {
        self.amounts()?;
        let totals = analytics::weighted_forecast(db(ctx)?, &self.scope).await?;
        Ok(Some(sql::money(totals)))
    }
    /// Mean days from a deal's creation to its win, over deals won in the
    /// period. Narrowed by `pipelineId` and `ownerId`.
    async fn average_sales_cycle_days(&self, ctx: &Context<'_>) -> ApiResult<Option<f64>> {
        Ok(deals::sales_cycle_days(db(ctx)?, &self.scope)
            .await?
            .map(round2))
    }
    /// Mean days per stay in each stage, over stays that ended in the period.
    /// Narrowed by `pipelineId` and `ownerId` (the deal's owner now).
    async fn time_in_stage(&self, ctx: &Context<'_>) -> ApiResult<Vec<StageDuration>> {
        let db = db(ctx)?;
        let stays = deals::time_in_stage(db, &self.scope).await?;
        let ids: Vec<_> = stays.iter().map(|(id, _, _)| *id).collect();
        let mut stages = stage::Entity::find()
            .filter(stage::Column::WorkspaceId.eq(self.scope.workspace_id))
            .filter(stage::Column::Id.is_in(ids))
            .all(db)
            .await?;
        stages.sort_by_key(|s| (s.pipeline_id, s.position));
        Ok(stages
            .into_iter()
            .filter_map(|s| {
                let (_, count, days) = stays.iter().find(|(id, _, _)| *id == s.id)?;
                Some(StageDuration {
                    stays: *count,
                    average_days: round2(*days),
                    stage: Stage(Level::single(s)),
                })
            })
            .collect())
    }
    /// How often each close reason was given for deals closed in the period.
    /// Narrowed by `pipelineId` and `ownerId`.
    async fn close_reasons(&self, ctx: &Context<'_>) -> ApiResult<Vec<ReasonCount>> {
        Ok(deals::close_reasons(db(ctx)?, &self.scope).await?)
    }
    /// NPS answers given in the period, and the score; a deleted contact's
    /// answers still count. `ownerId`: answers of the member's contacts;
    /// `pipelineId` does not narrow it: an answer belongs to no pipeline.
    async fn nps(&self, ctx: &Context<'_>) -> ApiResult<NpsFigures> {
        Ok(analytics::nps(db(ctx)?, &self.scope).await?.into())
    }
    /// CSAT answers given in the period: their mean and the share of
    /// satisfied answers (4–5); a deleted contact's answers still count.
    /// `ownerId`: answers of the member's contacts; `pipelineId` does not
    /// narrow it: an answer belongs to no pipeline.
    async fn csat(&self, ctx: &Context<'_>) -> ApiResult<CsatFigures> {
        Ok(analytics::csat(db(ctx)?, &self.scope).await?.into())
    }
    /// Customers at the period's start and how many left during it.
    /// `ownerId`: the member's companies; `pipelineId` does not narrow it:
    /// a company belongs to no pipeline.
    async fn churn(&self, ctx: &Context<'_>) -> ApiResult<ChurnFigures> {
        Ok(customers::churn(db(ctx)?, &self.scope).await?)
    }
    /// Mean hours from opening to resolution of tickets resolved in the
    /// period. `ownerId`: tickets assigned to the member; `pipelineId` does
    /// not narrow it: tickets belong to no pipeline (few are about a deal).
    async fn average_resolution_hours(&self, ctx: &Context<'_>) -> ApiResult<Option<f64>> {
        Ok(customers::resolution_hours(db(ctx)?, &self.scope).await?)
    }
    /// Tickets opened in the period, per category. `ownerId`: tickets
    /// assigned to the member; `pipelineId` does not narrow it: tickets
    /// belong to no pipeline (few are about a deal).
    async fn ticket_volume(&self, ctx: &Context<'_>) -> ApiResult<Vec<CategoryCount>> {
        Ok(customers::ticket_volume(db(ctx)?, &self.scope).await?)
    }
    /// Orders placed in the period: first orders, upsell and cross-sell; a
    /// deleted buyer's orders still count. `ownerId`: orders whose buyer (the
    /// company, else the contact) the member owns; `pipelineId` does not
    /// narrow it: an order belongs to no pipeline.
    async fn order_mix(&self, ctx: &Context<'_>) -> ApiResult<OrderMix> {
        Ok(analytics::order_mix(db(ctx)?, &self.scope).await?.into())
    }
    /// Email-list growth: (opt-ins − unsubscribes in the period) ÷ contacts
    /// opted in at its start, over live contacts. `ownerId`: the member's
    /// contacts; `pipelineId` does not narrow it: a contact belongs to no
    /// pipeline.
    async fn email_list_growth_rate(&self, ctx: &Context<'_>) -> ApiResult<EmailListGrowthFigures> {
        Ok(analytics::email_list_growth(db(ctx)?, &self.scope)
            .await?
            .into())
    }
    /// Carts started in the period and how many were abandoned (the
    /// abandoned-cart rate). `ownerId`: carts whose buyer (the company, else
    /// the contact) the member owns; `pipelineId` does not narrow it: an
    /// order belongs to no pipeline.
    async fn carts(&self, ctx: &Context<'_>) -> ApiResult<CartFigures> {
        Ok(analytics::carts(db(ctx)?, &self.scope).await?.into())
    }
    /// What customers cost, per campaign channel and overall, by first
    /// touch: spend of the campaigns starting in the period, leads first
    /// touched in it, customers acquired in it (first won deal or placed
    /// order), won revenue, cost per lead, CAC and ROI, per currency. About
    /// money, so refused (`FORBIDDEN`) to roles that see no deal amounts.
    /// Neither `pipelineId` nor `ownerId` narrows it: a campaign's spend
    /// belongs to no pipeline and no member, so a role that reads only its
    /// own or its team's contacts or deals is refused it.
    async fn acquisition(&self, ctx: &Context<'_>) -> ApiResult<Option<AcquisitionFigures>> {
        self.amounts()?;
        use rapport_core::access::Owned;
        self.actor
            .require_whole(&[Owned::Contacts, Owned::Deals], "`acquisition`")?;
        Ok(Some(
            analytics::acquisition(db(ctx)?, &self.scope).await?.into(),
        ))
    }
}

/// Checks the period and the optional pipeline and owner.
pub(crate) async fn scope(
    ctx: &Context<'_>,
    period: PeriodInput,
    pipeline_id: Option<ID>,
    owner_id: Option<ID>,
) -> ApiResult<Scope> {
    let actor = actor(ctx)?;
    if period.to <= period.from {
        return Err(ApiError::bad_input(
            "period.to",
            "must be after period.from",
        ));
    }
    let pipeline_id = ids::decode_opt(pipeline_id.as_ref(), Kind::Pipeline, "pipelineId")?;
    if let Some(id) = pipeline_id
        && list::find::<Pipeline>(ctx, id).await?.is_none()
    {
        return Err(ApiError(CoreError::NotFound("no such pipeline")));
    }
    let owner_id = ids::decode_opt(owner_id.as_ref(), Kind::Member, "ownerId")?;
    if let Some(id) = owner_id
        && list::find::<Member>(ctx, id).await?.is_none()
    {
        return Err(ApiError(CoreError::NotFound("no such member")));
    }
    Ok(Scope {
        workspace_id: actor.workspace_id,
        from: period.from,
        to: period.to,
        pipeline_id,
        owner_id,
        reader: actor.sight.clone(),
    })
}

/// A role that reads only its own or its team's deals, companies or
/// contacts gets the figures of the records it reads (the scope's
/// `reader`), or of one owner it reads (`ownerId`: itself or a teammate);
/// another owner's are refused, as none of them would count.
fn within_sight(actor: &Actor, owner_id: Option<uuid::Uuid>) -> ApiResult<()> {
    use rapport_core::access::Owned;
    let areas = [Owned::Deals, Owned::Companies, Owned::Contacts];
    match owner_id {
        Some(owner) if !areas.iter().all(|area| actor.sees(*area, Some(owner))) => {
            Err(ApiError(CoreError::Forbidden(
                "this role reads only its own or its team's records: `ownerId` must be yourself or a teammate".into(),
            )))
        }
        _ => Ok(()),
    }
}

#[derive(Default)]
pub struct AnalyticsQuery;

#[Object]
impl AnalyticsQuery {
    /// The figures of a period, optionally for one pipeline and one member.
    /// A role narrowed to its team's or its own deals, companies or
    /// contacts gets the figures of the records it reads; `ownerId` must
    /// then be itself or a teammate.
    async fn analytics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The period the figures cover.")] period: PeriodInput,
        #[graphql(desc = "Only this pipeline's deals (global id).")] pipeline_id: Option<ID>,
        #[graphql(desc = "Only this member's records (global id).")] owner_id: Option<ID>,
    ) -> ApiResult<Analytics> {
        let scope = scope(ctx, period, pipeline_id, owner_id).await?;
        within_sight(actor(ctx)?, scope.owner_id)?;
        Ok(Analytics {
            scope,
            actor: actor(ctx)?.clone(),
        })
    }

    /// Per member: deals won in the period, commission and goal attainment.
    /// A role that reads only its own or its team's deals sees its own or
    /// its team's rows.
    async fn leaderboard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The period the figures cover.")] period: PeriodInput,
        #[graphql(desc = "Only this pipeline's deals (global id).")] pipeline_id: Option<ID>,
    ) -> ApiResult<Option<Vec<LeaderboardEntry>>> {
        if !actor(ctx)?.sees_amounts() {
            return Err(ApiError(CoreError::Forbidden(
                "this role sees no deal amounts".into(),
            )));
        }
        let scope = scope(ctx, period, pipeline_id, None).await?;
        let entries = leaderboard::leaderboard(db(ctx)?, &scope).await?;
        Ok(Some(leaderboard::in_sight(actor(ctx)?, entries)))
    }
}
