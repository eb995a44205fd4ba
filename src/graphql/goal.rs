//! Goals: a member's quota (a won amount in one currency) for a period.
//! The leaderboard reads them to report quota attainment.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::goal;
use rapport_core::error::CoreError;
use rust_decimal::Decimal;
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

use super::context::{actor, writer};
use super::error::{ApiError, ApiResult};
use super::filter::{DateFilter, IdFilter, RecordFilter, col, record_filter_composition};
use super::ids::{self, Kind};
use super::level::{Conn, Level, Row};
use super::list::{self, ListArgs, Record};
use super::member::Member;
use super::order::{Ordering, newest_first};
use super::page::{KeyType, PageArgs, SortKey};
use super::write::{
    self, begin, check_reference, check_version, commit, event_for, load_live, now,
};
use crate::auth::{Actor, Area};
use crate::domain::{currency, money};

/// A member's quota for a period.
pub struct Goal(pub Row<goal::Model>);

impl Record for Goal {
    type Entity = goal::Entity;
    type Model = goal::Model;
    fn wrap(row: Row<goal::Model>) -> Self {
        Self(row)
    }
}

/// Fields goals can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GoalOrderField {
    PeriodStart,
    PeriodEnd,
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
    pub and: Option<Vec<GoalFilter>>,
    pub or: Option<Vec<GoalFilter>>,
    pub not: Option<Box<GoalFilter>>,
    pub id: Option<IdFilter>,
    pub member_id: Option<IdFilter>,
    pub period_start: Option<DateFilter>,
    pub period_end: Option<DateFilter>,
}

impl RecordFilter for GoalFilter {
    fn fields(&self, _workspace_id: Uuid, _backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        let c = |name| col("goal", name);
        let mut all = Condition::all();
        if let Some(f) = &self.id {
            all = all.add(f.condition(c("id"), Kind::Goal, "filter.id")?);
        }
        if let Some(f) = &self.member_id {
            all = all.add(f.condition(c("member_id"), Kind::Member, "filter.memberId")?);
        }
        if let Some(f) = &self.period_start {
            all = all.add(f.condition(c("period_start")));
        }
        if let Some(f) = &self.period_end {
            all = all.add(f.condition(c("period_end")));
        }
        Ok(all)
    }
    record_filter_composition!();
}

/// A member's quota: the amount of deals they should win from
/// `periodStart` to `periodEnd` (both days included).
#[Object]
impl Goal {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Goal, self.0.model().id)
    }
    async fn period_start(&self) -> NaiveDate {
        self.0.model().period_start
    }
    /// The last day of the period (included).
    async fn period_end(&self) -> NaiveDate {
        self.0.model().period_end
    }
    async fn quota(&self) -> Decimal {
        let m = self.0.model();
        money::from_e4(m.quota_e4, &m.currency)
    }
    async fn currency(&self) -> &str {
        &self.0.model().currency
    }
    async fn version(&self) -> i32 {
        self.0.model().version
    }
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().deleted_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model().created_at
    }
    async fn member(&self, ctx: &Context<'_>) -> ApiResult<Option<Member>> {
        list::referenced(ctx, &self.0, "member", |m: &goal::Model| Some(m.member_id)).await
    }
}

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

fn payload(row: goal::Model) -> GoalPayload {
    GoalPayload {
        goal: Goal(Level::single(row)),
    }
}

/// A period whose end is not before its start.
fn check_period(start: NaiveDate, end: NaiveDate) -> ApiResult<()> {
    if end < start {
        return Err(ApiError::bad_input(
            "input.periodEnd",
            "must not be before periodStart",
        ));
    }
    Ok(())
}

/// A quota's currency code and stored amount.
fn check_quota(quota: Decimal, raw_currency: &str) -> ApiResult<(String, i64)> {
    let code =
        currency::normalize_currency(raw_currency).map_err(ApiError::invalid("input.currency"))?;
    if quota.is_sign_negative() {
        return Err(ApiError::bad_input("input.quota", "must not be negative"));
    }
    let stored = money::amount_e4(quota, &code).map_err(ApiError::invalid("input.quota"))?;
    Ok((code, stored))
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
pub struct GoalMutation;

#[Object]
impl GoalMutation {
    /// Sets a member's quota for a period (ADMIN and MANAGER).
    async fn create_goal(
        &self,
        ctx: &Context<'_>,
        input: CreateGoalInput,
    ) -> ApiResult<GoalPayload> {
        let actor = writer(ctx, Area::Settings)?;
        check_period(input.period_start, input.period_end)?;
        let (code, quota_e4) = check_quota(input.quota, &input.currency)?;
        let member_id = ids::decode(&input.member_id, Kind::Member, "input.memberId")?;
        let txn = begin(ctx).await?;
        check_reference::<Member>(&txn, actor, Some(member_id), "input.memberId").await?;
        let at = now();
        let row = goal::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(actor.workspace_id),
            member_id: Set(member_id),
            period_start: Set(input.period_start),
            period_end: Set(input.period_end),
            quota_e4: Set(quota_e4),
            currency: Set(code),
            version: Set(1),
            deleted_at: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&txn)
        .await?;
        let event = event_for::<Goal>(&row, "created")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(payload(row))
    }

    /// Changes a goal's period or quota.
    async fn update_goal(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateGoalInput,
        expected_version: Option<i32>,
    ) -> ApiResult<GoalPayload> {
        let actor = writer(ctx, Area::Settings)?;
        let id = ids::decode(&id, Kind::Goal, "id")?;
        let txn = begin(ctx).await?;
        let current = load_live::<Goal>(&txn, actor, id).await?;
        check_version(expected_version, current.version)?;
        let start = input.period_start.unwrap_or(current.period_start);
        let end = input.period_end.unwrap_or(current.period_end);
        check_period(start, end)?;
        let code = input.currency.unwrap_or_else(|| current.currency.clone());
        let quota = input
            .quota
            .unwrap_or_else(|| money::from_e4(current.quota_e4, &current.currency));
        let (code, quota_e4) = check_quota(quota, &code)?;
        let change = goal::ActiveModel {
            period_start: Set(start),
            period_end: Set(end),
            quota_e4: Set(quota_e4),
            currency: Set(code),
            version: Set(current.version + 1),
            updated_at: Set(now()),
            ..Default::default()
        };
        let row =
            write::save_if_unchanged::<Goal>(&txn, actor, id, current.version, change).await?;
        let event = event_for::<Goal>(&row, "updated")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(payload(row))
    }

    /// Soft-deletes a goal.
    async fn delete_goal(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<GoalPayload> {
        let actor = writer(ctx, Area::Settings)?;
        let goal = write::delete_or_restore(ctx, actor, &id, expected_version, true).await?;
        Ok(GoalPayload { goal })
    }

    /// Restores a deleted goal.
    async fn restore_goal(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<GoalPayload> {
        let actor = writer(ctx, Area::Settings)?;
        let goal = write::delete_or_restore(ctx, actor, &id, expected_version, false).await?;
        Ok(GoalPayload { goal })
    }
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
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<GoalFilter>,
        order_by: Option<Vec<Ordering<GoalOrderField>>>,
    ) -> ApiResult<Conn<Goal>> {
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
        list::top_level(ctx, args).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_and_quotas_are_checked() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
        assert!(check_period(day(1), day(31)).is_ok());
        assert!(check_period(day(1), day(1)).is_ok());
        assert!(check_period(day(2), day(1)).is_err());
        assert_eq!(
            check_quota(Decimal::new(1000, 0), "eur").unwrap(),
            ("EUR".to_owned(), 10_000_000)
        );
        assert!(check_quota(Decimal::new(-1, 0), "EUR").is_err());
        assert!(check_quota(Decimal::new(1, 3), "EUR").is_err());
        assert!(check_quota(Decimal::new(1, 0), "XXZ").is_err());
    }
}
