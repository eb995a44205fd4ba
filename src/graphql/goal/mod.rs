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
use sea_orm::sea_query::Condition;

use super::context::actor;
use super::error::{ApiError, ApiResult};
use super::ids::{self, Kind};
use super::level::{Conn, Row};
use super::list::{self, ListArgs, Record};
use super::member::Member;
use super::order::Ordering;
use super::page::PageArgs;
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
    async fn currency(&self) -> &str {
        &self.0.model().currency
    }
    /// Incremented by every change; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.model().version
    }
    /// Set while it is deleted (it can be restored); null otherwise.
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().deleted_at
    }
    /// When it was recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model().created_at
    }
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

#[Object]
impl GoalQuery {
    /// The members' goals (latest period first unless `orderBy` says otherwise).
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
    async fn goals(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Forward paging: at most this many records after `after`; 0 to 100, and 20 when neither `first` nor `last` is given."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Forward paging: the records after this cursor (an edge's `cursor` or `pageInfo.endCursor`)."
        )]
        after: Option<String>,
        #[graphql(desc = "Backward paging: at most this many records before `before`; 0 to 100.")]
        last: Option<i32>,
        #[graphql(
            desc = "Backward paging: the records before this cursor (an edge's `cursor` or `pageInfo.startCursor`)."
        )]
        before: Option<String>,
        #[graphql(
            desc = "Only the records matching this filter; `totalCount` counts the same records."
        )]
        filter: Option<GoalFilter>,
        #[graphql(
            desc = "Sort fields, most significant first (at most 4, none twice); ties always end with the id. Without it the list's default order applies."
        )]
        order_by: Option<Vec<Ordering<GoalOrderField>>>,
    ) -> ApiResult<Option<Conn<Goal>>> {
        reader(ctx)?;
        let args = ListArgs {
            page: PageArgs {
                first,
                after,
                last,
                before,
            },
            filter: filter.as_ref(),
            keys: GoalOrderField::keys(order_by.as_deref())?,
            extra: Condition::all(),
        };
        list::top_level(ctx, args).await.map(Some)
    }
}
