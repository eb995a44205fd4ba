//! Goals: a member's quota (a won amount in one currency) for a period.
//! The leaderboard reads them to report quota attainment. The rules of every
//! change live in the core (`rapport_core::ops::goal`); here are the object,
//! its filter ([`filter`]) and the mutations ([`mutation`]).

mod filter;
mod mutation;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

use crate::graphql::scalars::Date;
use entity::goal;
use rapport_core::error::CoreError;
use rapport_macros::connections;
use rust_decimal::Decimal;

use super::context::actor;
use super::error::{ApiError, ApiResult};
use super::ids::{self, Kind};
use super::level::{Conn, Row};
use super::list::{self, Record};
use super::member::Member;
use crate::auth::Actor;
use crate::domain::money;

pub use self::filter::{GoalFilter, GoalOrderField};
pub use self::mutation::{CreateGoalInput, GoalMutation, GoalPayload, UpdateGoalInput};

/// A member's quota for a period.
pub struct Goal(pub Row<goal::Model>);

impl Record for Goal {
    type Entity = goal::Entity;
    type Model = goal::Model;
    fn wrap(row: Row<goal::Model>) -> Self {
        Self(row)
    }
}

/// A member's quota: the amount of deals they should win from
/// `periodStart` to `periodEnd` (both days included).
#[connections]
#[Object]
impl Goal {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Goal, self.0.model().id)
    }
    /// The first day of the period (included).
    field!(period_start: Date);
    /// The last day of the period (included).
    field!(period_end: Date);
    /// The amount to win in the period, in `currency`.
    async fn quota(&self) -> Decimal {
        let m = self.0.model();
        money::from_e4(m.quota_e4, &m.currency)
    }
    /// ISO 4217 code of `quota`.
    field!(currency: &str);
    /// Incremented by every change; send it back as `expectedVersion`.
    field!(version: i32);
    /// Set while it is deleted (it can be restored); null otherwise.
    field!(deleted_at: Option<DateTime<Utc>>);
    /// When it was recorded.
    field!(created_at: DateTime<Utc>);
    /// The member the quota is for.
    async fn member(&self, ctx: &Context<'_>) -> ApiResult<Option<Member>> {
        list::referenced(ctx, &self.0, "member", |m: &goal::Model| Some(m.member_id)).await
    }
}

/// Goals carry quota amounts, which SUPPORT does not see.
fn reader<'a>(ctx: &Context<'a>) -> ApiResult<&'a Actor> {
    let actor = actor(ctx)?;
    if !actor.can_read_deals() {
        return Err(ApiError(CoreError::Forbidden(
            "this role sees no deal amounts or quotas".into(),
        )));
    }
    Ok(actor)
}

#[derive(Default)]
pub struct GoalQuery;

#[connections]
#[Object]
impl GoalQuery {
    /// The members' goals (latest period first unless `orderBy` says otherwise).
    paged!(goals: Option<Conn<Goal>>, GoalFilter, GoalOrderField, {
        reader(ctx)?;
        list::top_level(ctx, args).await.map(Some)
    });
}
