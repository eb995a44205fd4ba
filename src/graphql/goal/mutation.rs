//! Goal mutations (ADMIN and MANAGER): each converts its input and calls one
//! core operation (`rapport_core::ops::goal`), where the rules live.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use rapport_core::ops::goal::{self, GoalChanges, NewGoal};
use rapport_macros::connections;
use rust_decimal::Decimal;

use super::Goal;
use crate::auth::Area;
use crate::graphql::context::acting;
use crate::graphql::error::ApiResult;
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;
use crate::graphql::scalars::Date;

/// A member's quota for a period.
#[derive(InputObject)]
pub struct CreateGoalInput {
    /// The member the quota is for, by global id.
    pub member_id: ID,
    /// The first day of the period (included).
    pub period_start: Date,
    /// The last day of the period (included); not before `periodStart`.
    pub period_end: Date,
    /// Zero or more, with at most as many decimals as the currency has.
    pub quota: Decimal,
    /// ISO 4217 code of `quota`.
    pub currency: String,
}

/// Changes to a goal; omitted fields stay.
#[derive(InputObject, Default)]
pub struct UpdateGoalInput {
    /// The first day of the period (included). Left as it is when omitted.
    pub period_start: Option<Date>,
    /// The last day of the period (included). Left as it is when omitted.
    pub period_end: Option<Date>,
    /// The amount to win in the period, in `currency`. Left as it is when omitted.
    pub quota: Option<Decimal>,
    /// ISO 4217 code of `quota`. Left as it is when omitted.
    pub currency: Option<String>,
}

/// The result of a goal mutation.
#[derive(SimpleObject)]
pub struct GoalPayload {
    /// The Goal as the mutation left it.
    pub goal: Goal,
}

impl GoalPayload {
    fn of(row: entity::goal::Model) -> Self {
        Self {
            goal: Goal(Level::single(row)),
        }
    }
}

#[derive(Default)]
pub struct GoalMutation;

#[connections]
#[Object]
impl GoalMutation {
    /// Sets a member's quota for a period (ADMIN and MANAGER).
    async fn create_goal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new record's fields.")] input: CreateGoalInput,
    ) -> ApiResult<GoalPayload> {
        let (core, actor) = acting(ctx, Area::Settings)?;
        let new = NewGoal {
            member_id: ids::decode(&input.member_id, Kind::Member, "input.memberId")?,
            period_start: input.period_start.into(),
            period_end: input.period_end.into(),
            quota: input.quota,
            currency: input.currency,
        };
        Ok(GoalPayload::of(goal::create(core, actor, new).await?))
    }

    /// Changes a goal's period or quota.
    async fn update_goal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: UpdateGoalInput,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<GoalPayload> {
        let (core, actor) = acting(ctx, Area::Settings)?;
        let id = ids::decode(&id, Kind::Goal, "id")?;
        let changes = GoalChanges {
            period_start: input.period_start.map(Into::into),
            period_end: input.period_end.map(Into::into),
            quota: input.quota,
            currency: input.currency,
        };
        let row = goal::update(core, actor, id, changes, expected_version).await?;
        Ok(GoalPayload::of(row))
    }

    /// Soft-deletes a goal.
    lifecycle!(delete_goal: GoalPayload, Settings, Goal, goal::delete, true);

    /// Restores a deleted goal.
    lifecycle!(restore_goal: GoalPayload, Settings, Goal, goal::delete, false);
}
