//! Goal mutations (ADMIN and MANAGER): each converts its input and calls one
//! core operation (`rapport_core::ops::goal`), where the rules live.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::NaiveDate;
use rapport_core::ops::goal::{self, GoalChanges, NewGoal};
use rapport_macros::connections;
use rust_decimal::Decimal;

use super::Goal;
use crate::auth::Area;
use crate::graphql::context::acting;
use crate::graphql::error::ApiResult;
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;

#[derive(InputObject)]
pub struct CreateGoalInput {
    pub member_id: ID,
    pub period_start: NaiveDate,
    /// The last day of the period (included); not before `periodStart`.
    pub period_end: NaiveDate,
    /// Zero or more, with at most as many decimals as the currency has.
    pub quota: Decimal,
    pub currency: String,
}

/// Changes to a goal; omitted fields stay.
#[derive(InputObject, Default)]
pub struct UpdateGoalInput {
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub quota: Option<Decimal>,
    pub currency: Option<String>,
}

#[derive(SimpleObject)]
pub struct GoalPayload {
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
        input: CreateGoalInput,
    ) -> ApiResult<GoalPayload> {
        let (core, actor) = acting(ctx, Area::Settings)?;
        let new = NewGoal {
            member_id: ids::decode(&input.member_id, Kind::Member, "input.memberId")?,
            period_start: input.period_start,
            period_end: input.period_end,
            quota: input.quota,
            currency: input.currency,
        };
        Ok(GoalPayload::of(goal::create(core, actor, new).await?))
    }

    /// Changes a goal's period or quota.
    async fn update_goal(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateGoalInput,
        expected_version: Option<i32>,
    ) -> ApiResult<GoalPayload> {
        let (core, actor) = acting(ctx, Area::Settings)?;
        let id = ids::decode(&id, Kind::Goal, "id")?;
        let changes = GoalChanges {
            period_start: input.period_start,
            period_end: input.period_end,
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
