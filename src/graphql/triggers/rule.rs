//! Trigger rules, with the full API treatment (ADMIN and MANAGER write).

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::TriggerKind;
use entity::trigger_rule;
use sea_orm::sea_query::{Condition, ExprTrait};
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

use crate::auth::Area;
use crate::domain::text;
use crate::graphql::context::{actor, writer};
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::filter::{EnumFilter, IdFilter, RecordFilter, col, record_filter_composition};
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::{Conn, Level, Row};
use crate::graphql::list::{self, ListArgs, Record};
use crate::graphql::order::{Ordering, sort_keys};
use crate::graphql::page::{KeyType, PageArgs, SortKey};
use crate::graphql::write::{self, begin, check_version, commit, event_for, load_live, now};

/// A trigger rule.
pub struct TriggerRule(pub Row<trigger_rule::Model>);

impl Record for TriggerRule {
    type Entity = trigger_rule::Entity;
    type Model = trigger_rule::Model;
    fn wrap(row: Row<trigger_rule::Model>) -> Self {
        Self(row)
    }
}

/// Fields triggers can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TriggerRuleOrderField {
    Name,
    CreatedAt,
}

impl TriggerRuleOrderField {
    fn key(self) -> SortKey {
        let (column, ty) = match self {
            Self::Name => ("name", KeyType::Text),
            Self::CreatedAt => ("created_at", KeyType::Timestamp),
        };
        SortKey {
            table: "trigger_rule",
            column,
            ty,
            nullable: false,
            desc: false,
        }
    }
}

/// Which triggers to return.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TriggerRuleFilter {
    pub and: Option<Vec<TriggerRuleFilter>>,
    pub or: Option<Vec<TriggerRuleFilter>>,
    pub not: Option<Box<TriggerRuleFilter>>,
    pub id: Option<IdFilter>,
    pub kind: Option<EnumFilter<TriggerKind>>,
    pub active: Option<bool>,
}

impl RecordFilter for TriggerRuleFilter {
    fn fields(&self, _workspace_id: Uuid, _backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        let c = |name| col("trigger_rule", name);
        let mut all = Condition::all();
        if let Some(f) = &self.id {
            all = all.add(f.condition(c("id"), Kind::TriggerRule, "filter.id")?);
        }
        if let Some(f) = &self.kind {
            all = all.add(f.condition(c("kind")));
        }
        if let Some(active) = self.active {
            all = all.add(c("active").eq(active));
        }
        Ok(all)
    }
    record_filter_composition!();
}

/// Watches for a condition and creates a task for the owner when it holds.
#[Object]
impl TriggerRule {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::TriggerRule, self.0.model().id)
    }
    async fn name(&self) -> &str {
        &self.0.model().name
    }
    async fn kind(&self) -> TriggerKind {
        self.0.model().kind
    }
    /// CSAT_BELOW: answers below this score fire; TICKET_BURST: this many tickets fire.
    async fn threshold(&self) -> Option<i32> {
        self.0.model().threshold
    }
    /// TICKET_BURST: the window in days; CONTRACT_ENDING: how many days ahead.
    async fn within_days(&self) -> Option<i32> {
        self.0.model().within_days
    }
    async fn active(&self) -> bool {
        self.0.model().active
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
}

#[derive(InputObject)]
pub struct TriggerRuleInput {
    pub name: String,
    pub kind: TriggerKind,
    /// CSAT_BELOW: 2–5 (answers below it fire). TICKET_BURST: 2–100 tickets.
    pub threshold: Option<i32>,
    /// TICKET_BURST: 1–365. CONTRACT_ENDING: 0–365 days ahead.
    pub within_days: Option<i32>,
    #[graphql(default = true)]
    pub active: bool,
}

fn check(input: &TriggerRuleInput) -> ApiResult<(String, Option<i32>, Option<i32>)> {
    let name = text::required_name(&input.name, 200).map_err(ApiError::invalid("input.name"))?;
    let want = |value: Option<i32>, field: &str, range: std::ops::RangeInclusive<i32>| match value {
        Some(v) if range.contains(&v) => Ok(Some(v)),
        _ => Err(ApiError::bad_input(
            field,
            format!(
                "a {:?} trigger needs it between {} and {}",
                input.kind,
                range.start(),
                range.end()
            ),
        )),
    };
    let refuse = |value: Option<i32>, field: &str| match value {
        None => Ok(None),
        Some(_) => Err(ApiError::bad_input(
            field,
            format!("a {:?} trigger does not take it", input.kind),
        )),
    };
    let (threshold, within) = match input.kind {
        TriggerKind::CsatBelow => (
            want(input.threshold, "input.threshold", 2..=5)?,
            refuse(input.within_days, "input.withinDays")?,
        ),
        TriggerKind::TicketBurst => (
            want(input.threshold, "input.threshold", 2..=100)?,
            want(input.within_days, "input.withinDays", 1..=365)?,
        ),
        TriggerKind::ContractEnding => (
            refuse(input.threshold, "input.threshold")?,
            want(input.within_days, "input.withinDays", 0..=365)?,
        ),
    };
    Ok((name, threshold, within))
}

#[derive(SimpleObject)]
pub struct TriggerRulePayload {
    pub trigger_rule: TriggerRule,
}

fn payload(row: trigger_rule::Model) -> TriggerRulePayload {
    TriggerRulePayload {
        trigger_rule: TriggerRule(Level::single(row)),
    }
}

#[derive(Default)]
pub struct TriggerRuleMutation;

#[Object]
impl TriggerRuleMutation {
    /// Adds a trigger.
    async fn create_trigger_rule(
        &self,
        ctx: &Context<'_>,
        input: TriggerRuleInput,
    ) -> ApiResult<TriggerRulePayload> {
        let actor = writer(ctx, Area::Settings)?;
        let (name, threshold, within_days) = check(&input)?;
        let txn = begin(ctx).await?;
        let at = now();
        let row = trigger_rule::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(actor.workspace_id),
            name: Set(name),
            kind: Set(input.kind),
            threshold: Set(threshold),
            within_days: Set(within_days),
            active: Set(input.active),
            version: Set(1),
            deleted_at: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&txn)
        .await?;
        let event = event_for::<TriggerRule>(&row, "created")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(payload(row))
    }

    /// Replaces a trigger's settings.
    async fn update_trigger_rule(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: TriggerRuleInput,
        expected_version: Option<i32>,
    ) -> ApiResult<TriggerRulePayload> {
        let actor = writer(ctx, Area::Settings)?;
        let id = ids::decode(&id, Kind::TriggerRule, "id")?;
        let (name, threshold, within_days) = check(&input)?;
        let txn = begin(ctx).await?;
        let current = load_live::<TriggerRule>(&txn, actor, id).await?;
        check_version(expected_version, current.version)?;
        let change = trigger_rule::ActiveModel {
            name: Set(name),
            kind: Set(input.kind),
            threshold: Set(threshold),
            within_days: Set(within_days),
            active: Set(input.active),
            version: Set(current.version + 1),
            updated_at: Set(now()),
            ..Default::default()
        };
        let row = write::save_if_unchanged::<TriggerRule>(&txn, actor, id, current.version, change)
            .await?;
        let event = event_for::<TriggerRule>(&row, "updated")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(payload(row))
    }

    /// Deletes a trigger (restorable).
    async fn delete_trigger_rule(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<TriggerRulePayload> {
        let actor = writer(ctx, Area::Settings)?;
        let trigger_rule =
            write::delete_or_restore(ctx, actor, &id, expected_version, true).await?;
        Ok(TriggerRulePayload { trigger_rule })
    }

    /// Restores a deleted trigger.
    async fn restore_trigger_rule(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<TriggerRulePayload> {
        let actor = writer(ctx, Area::Settings)?;
        let trigger_rule =
            write::delete_or_restore(ctx, actor, &id, expected_version, false).await?;
        Ok(TriggerRulePayload { trigger_rule })
    }
}

#[derive(Default)]
pub struct TriggerRuleQuery;

#[Object]
impl TriggerRuleQuery {
    /// The workspace's triggers (by name unless `orderBy` says otherwise).
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
    async fn trigger_rules(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<TriggerRuleFilter>,
        order_by: Option<Vec<Ordering<TriggerRuleOrderField>>>,
    ) -> ApiResult<Conn<TriggerRule>> {
        actor(ctx)?;
        let keys = sort_keys(
            order_by.as_deref(),
            "trigger_rule",
            TriggerRuleOrderField::key,
            &[TriggerRuleOrderField::Name.key()],
        )?;
        let args = ListArgs {
            page: PageArgs {
                first,
                after,
                last,
                before,
            },
            filter: filter.as_ref(),
            keys,
            extra: Condition::all(),
        };
        list::top_level(ctx, args).await
    }
}
