//! Lead scoring rules, with the full API treatment. Every change to a rule
//! rescores the workspace's contacts in the same transaction (the core's
//! `ops::scoring_rule`).

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::ScoringTarget;
use entity::lead_scoring_rule;
use rapport_core::ops::scoring_rule::{self, Rescored, RuleSettings};
use rapport_macros::connections;
use rust_decimal::Decimal;
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use crate::auth::Area;
use crate::domain::money;
use crate::graphql::context::acting;
use crate::graphql::error::ApiResult;
use crate::graphql::filter::Fields;
use crate::graphql::filter::{EnumFilter, IdFilter, RecordFilter, record_filter_composition};
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::{Level, Row};
use crate::graphql::list::Record;
use crate::graphql::order::{Ordering, sort_keys};
use crate::graphql::page::{KeyType, SortKey};

/// A lead scoring rule.
pub struct LeadScoringRule(pub Row<lead_scoring_rule::Model>);

impl Record for LeadScoringRule {
    type Entity = lead_scoring_rule::Entity;
    type Model = lead_scoring_rule::Model;
    fn wrap(row: Row<lead_scoring_rule::Model>) -> Self {
        Self(row)
    }
}

/// Fields rules can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeadScoringRuleOrderField {
    /// By `name`.
    Name,
    /// By `points`: points added when the rule matches (per engagement for engagement targets);
    /// negative points subtract.
    Points,
    /// By `createdAt`: when it was recorded.
    CreatedAt,
}

impl LeadScoringRuleOrderField {
    fn key(self) -> SortKey {
        let (column, ty) = match self {
            Self::Name => ("name", KeyType::Text),
            Self::Points => ("points", KeyType::Int),
            Self::CreatedAt => ("created_at", KeyType::Timestamp),
        };
        SortKey {
            table: "lead_scoring_rule",
            column,
            ty,
            nullable: false,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: by name).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        sort_keys(
            order_by,
            "lead_scoring_rule",
            Self::key,
            &[Self::Name.key()],
        )
    }
}

/// Which rules to return.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct LeadScoringRuleFilter {
    /// Every filter in the list must match as well.
    pub and: Option<Vec<LeadScoringRuleFilter>>,
    /// At least one filter in the list must match as well.
    pub or: Option<Vec<LeadScoringRuleFilter>>,
    /// Leaves out the records this filter matches.
    pub not: Option<Box<LeadScoringRuleFilter>>,
    /// Matches on the LeadScoringRule's global id.
    pub id: Option<IdFilter>,
    /// Matches on `target`: what the rule looks at.
    pub target: Option<EnumFilter<ScoringTarget>>,
    /// Matches on `active`: only active (`true`) or inactive (`false`) rules.
    pub active: Option<bool>,
}

impl RecordFilter for LeadScoringRuleFilter {
    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        Fields::new("lead_scoring_rule", workspace_id, backend)
            .id(&self.id, "id", Kind::LeadScoringRule)?
            .column(&self.target, "target")
            .column(&self.active, "active")
            .done()
    }
    record_filter_composition!();
}

/// Adds `points` to the score of every contact the rule matches.
#[connections]
#[Object]
impl LeadScoringRule {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::LeadScoringRule, self.0.model().id)
    }
    /// What the rule is called.
    field!(name: &str);
    /// What the rule looks at.
    field!(target: ScoringTarget);
    /// For JOB_TITLE and INDUSTRY: the text the field must contain (any case).
    async fn contains(&self) -> Option<&str> {
        self.0.model().text_value.as_deref()
    }
    /// For COMPANY_SIZE and ANNUAL_REVENUE: the smallest matching value.
    async fn at_least(&self) -> Option<Decimal> {
        bound(self.0.model(), self.0.model().min_value)
    }
    /// For COMPANY_SIZE and ANNUAL_REVENUE: the largest matching value.
    async fn at_most(&self) -> Option<Decimal> {
        bound(self.0.model(), self.0.model().max_value)
    }
    /// Points added when the rule matches (per engagement for engagement
    /// targets); negative points subtract.
    field!(points: i32);
    /// Inactive rules add no points.
    field!(active: bool);
    /// Incremented by every change; send it back as `expectedVersion`.
    field!(version: i32);
    /// Set while it is deleted (it can be restored); null otherwise.
    field!(deleted_at: Option<DateTime<Utc>>);
    /// When it was recorded.
    field!(created_at: DateTime<Utc>);
}

/// A stored bound as the API shows it (revenue is stored ×10⁴).
fn bound(rule: &lead_scoring_rule::Model, stored: Option<i64>) -> Option<Decimal> {
    let value = stored?;
    Some(match rule.target {
        ScoringTarget::AnnualRevenue => money::from_e4(value, "XXX").normalize(),
        _ => Decimal::from(value),
    })
}

/// A lead scoring rule (ADMIN and MANAGER): `points` when `target` matches `contains` (text
/// targets) or lies in `atLeast`..`atMost` (number targets).
#[derive(InputObject)]
pub struct LeadScoringRuleInput {
    /// What the rule is called.
    pub name: String,
    /// What the rule looks at.
    pub target: ScoringTarget,
    /// Required for JOB_TITLE and INDUSTRY, refused otherwise.
    pub contains: Option<String>,
    /// For COMPANY_SIZE and ANNUAL_REVENUE (at least one bound).
    pub at_least: Option<Decimal>,
    /// For COMPANY_SIZE and ANNUAL_REVENUE: the largest matching value.
    pub at_most: Option<Decimal>,
    /// Points added when the rule matches (per engagement for engagement targets); negative points
    /// subtract.
    pub points: i32,
    /// Inactive rules add no points (default true).
    #[graphql(default = true)]
    pub active: bool,
}

impl LeadScoringRuleInput {
    fn settings(self) -> RuleSettings {
        RuleSettings {
            name: self.name,
            target: self.target,
            contains: self.contains,
            at_least: self.at_least,
            at_most: self.at_most,
            points: self.points,
            active: self.active,
        }
    }
}

/// The result of a lead scoring rule mutation.
#[derive(SimpleObject)]
pub struct LeadScoringRulePayload {
    /// The LeadScoringRule as the mutation left it.
    pub lead_scoring_rule: LeadScoringRule,
    /// Contacts whose score the change moved.
    pub rescored_contacts: i32,
}

fn payload(change: Rescored) -> LeadScoringRulePayload {
    LeadScoringRulePayload {
        lead_scoring_rule: LeadScoringRule(Level::single(change.rule)),
        rescored_contacts: i32::try_from(change.rescored_contacts).unwrap_or(i32::MAX),
    }
}

#[derive(Default)]
pub struct RuleMutation;

#[connections]
#[Object]
impl RuleMutation {
    /// Adds a scoring rule and rescores every contact.
    async fn create_lead_scoring_rule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new record's fields.")] input: LeadScoringRuleInput,
    ) -> ApiResult<LeadScoringRulePayload> {
        let (core, actor) = acting(ctx, Area::Settings)?;
        Ok(payload(
            scoring_rule::create(core, actor, input.settings()).await?,
        ))
    }

    /// Replaces a rule's settings (the whole input, as rules are small) and rescores.
    async fn update_lead_scoring_rule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The rule's whole new settings; they replace the old ones.")]
        input: LeadScoringRuleInput,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<LeadScoringRulePayload> {
        let (core, actor) = acting(ctx, Area::Settings)?;
        let id = ids::decode(&id, Kind::LeadScoringRule, "id")?;
        let settings = input.settings();
        Ok(payload(
            scoring_rule::update(core, actor, id, settings, expected_version).await?,
        ))
    }

    /// Deletes a rule (restorable) and rescores.
    by_id!(delete_lead_scoring_rule: LeadScoringRulePayload, Settings, LeadScoringRule,
        payload(scoring_rule::delete(core, actor, id, expected_version, true).await?));

    /// Restores a deleted rule and rescores.
    by_id!(restore_lead_scoring_rule: LeadScoringRulePayload, Settings, LeadScoringRule,
        payload(scoring_rule::delete(core, actor, id, expected_version, false).await?));
}

#[derive(Default)]
pub struct RuleQuery;

#[connections]
#[Object]
impl RuleQuery {
    /// The workspace's lead scoring rules (by name unless `orderBy` says otherwise).
    listing!(lead_scoring_rules: LeadScoringRule, LeadScoringRuleFilter, LeadScoringRuleOrderField);
}
