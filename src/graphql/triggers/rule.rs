//! Trigger rules, with the full API treatment (ADMIN and MANAGER write);
//! the rules of a rule are the core's `ops::trigger`.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::TriggerKind;
use entity::trigger_rule;
use rapport_core::ops::trigger::{self, TriggerSettings};
use rapport_macros::connections;
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use crate::auth::Area;
use crate::graphql::context::acting;
use crate::graphql::error::ApiResult;
use crate::graphql::filter::Fields;
use crate::graphql::filter::{EnumFilter, IdFilter, RecordFilter, record_filter_composition};
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::{Level, Row};
use crate::graphql::list::Record;
use crate::graphql::order::{Ordering, sort_keys};
use crate::graphql::page::{KeyType, SortKey};

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
    /// By `name`.
    Name,
    /// By `createdAt`: when it was recorded.
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

    /// The sort keys of an `orderBy` argument (default: by name).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        sort_keys(order_by, "trigger_rule", Self::key, &[Self::Name.key()])
    }
}

/// Which triggers to return.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TriggerRuleFilter {
    /// Every filter in the list must match as well.
    pub and: Option<Vec<TriggerRuleFilter>>,
    /// At least one filter in the list must match as well.
    pub or: Option<Vec<TriggerRuleFilter>>,
    /// Leaves out the records this filter matches.
    pub not: Option<Box<TriggerRuleFilter>>,
    /// Matches on the TriggerRule's global id.
    pub id: Option<IdFilter>,
    /// Matches on `kind`: what the trigger watches.
    pub kind: Option<EnumFilter<TriggerKind>>,
    /// Matches on `active`.
    pub active: Option<bool>,
}

impl RecordFilter for TriggerRuleFilter {
    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        Fields::new("trigger_rule", workspace_id, backend)
            .id(&self.id, "id", Kind::TriggerRule)?
            .column(&self.kind, "kind")
            .column(&self.active, "active")
            .done()
    }
    record_filter_composition!();
}

/// Watches for a condition and creates a task for the owner when it holds.
#[connections]
#[Object]
impl TriggerRule {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::TriggerRule, self.0.model().id)
    }
    /// What the trigger is called.
    field!(name: &str);
    /// What it watches.
    field!(kind: TriggerKind);
    /// CSAT_BELOW: answers below this score fire; TICKET_BURST: this many tickets fire.
    field!(threshold: Option<i32>);
    /// TICKET_BURST: the window in days; CONTRACT_ENDING: how many days ahead.
    field!(within_days: Option<i32>);
    /// Inactive triggers do not fire.
    field!(active: bool);
    /// Incremented by every change; send it back as `expectedVersion`.
    field!(version: i32);
    /// Set while it is deleted (it can be restored); null otherwise.
    field!(deleted_at: Option<DateTime<Utc>>);
    /// When it was recorded.
    field!(created_at: DateTime<Utc>);
}

/// A trigger (ADMIN and MANAGER): what to watch and its limits; when it fires, a task goes to the
/// owner.
#[derive(InputObject)]
pub struct TriggerRuleInput {
    /// What the trigger is called.
    pub name: String,
    /// What it watches.
    pub kind: TriggerKind,
    /// CSAT_BELOW: 2–5 (answers below it fire). TICKET_BURST: 2–100 tickets.
    pub threshold: Option<i32>,
    /// TICKET_BURST: 1–365. CONTRACT_ENDING: 0–365 days ahead.
    pub within_days: Option<i32>,
    /// Inactive triggers do not fire (default true).
    #[graphql(default = true)]
    pub active: bool,
}

impl TriggerRuleInput {
    fn settings(self) -> TriggerSettings {
        TriggerSettings {
            name: self.name,
            kind: self.kind,
            threshold: self.threshold,
            within_days: self.within_days,
            active: self.active,
        }
    }
}

/// The result of a trigger mutation.
#[derive(SimpleObject)]
pub struct TriggerRulePayload {
    /// The TriggerRule as the mutation left it.
    pub trigger_rule: TriggerRule,
}

fn payload(row: trigger_rule::Model) -> TriggerRulePayload {
    TriggerRulePayload {
        trigger_rule: TriggerRule(Level::single(row)),
    }
}

#[derive(Default)]
pub struct TriggerRuleMutation;

#[connections]
#[Object]
impl TriggerRuleMutation {
    /// Adds a trigger.
    async fn create_trigger_rule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new record's fields.")] input: TriggerRuleInput,
    ) -> ApiResult<TriggerRulePayload> {
        let (core, actor) = acting(ctx, Area::Settings)?;
        Ok(payload(
            trigger::create_rule(core, actor, input.settings()).await?,
        ))
    }

    /// Replaces a trigger's settings.
    async fn update_trigger_rule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The trigger's whole new settings; they replace the old ones.")]
        input: TriggerRuleInput,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<TriggerRulePayload> {
        let (core, actor) = acting(ctx, Area::Settings)?;
        let id = ids::decode(&id, Kind::TriggerRule, "id")?;
        let settings = input.settings();
        Ok(payload(
            trigger::update_rule(core, actor, id, settings, expected_version).await?,
        ))
    }

    /// Deletes a trigger (restorable).
    by_id!(delete_trigger_rule: TriggerRulePayload, Settings, TriggerRule,
        payload(trigger::delete_rule(core, actor, id, expected_version, true).await?));

    /// Restores a deleted trigger.
    by_id!(restore_trigger_rule: TriggerRulePayload, Settings, TriggerRule,
        payload(trigger::delete_rule(core, actor, id, expected_version, false).await?));
}

#[derive(Default)]
pub struct TriggerRuleQuery;

#[connections]
#[Object]
impl TriggerRuleQuery {
    /// The workspace's triggers (by name unless `orderBy` says otherwise).
    listing!(trigger_rules: TriggerRule, TriggerRuleFilter, TriggerRuleOrderField);
}
