//! Lead scoring rules, with the full API treatment. Every change to a rule
//! rescores the workspace's contacts in the same transaction.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::ScoringTarget;
use entity::lead_scoring_rule;
use rapport_core::error::CoreError;
use rust_decimal::Decimal;
use sea_orm::sea_query::{Condition, ExprTrait};
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

use crate::auth::{Actor, Area};
use crate::domain::{money, text};
use crate::graphql::context::{actor, writer};
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::filter::{EnumFilter, IdFilter, RecordFilter, col, record_filter_composition};
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::{Conn, Level, Row};
use crate::graphql::list::{self, ListArgs, Record};
use crate::graphql::order::{Ordering, sort_keys};
use crate::graphql::page::{KeyType, PageArgs, SortKey};
use crate::graphql::write::{
    self, begin, check_version, commit, event_for, load_any, load_live, now,
};
use rapport_core::rules::scoring::{Which, recompute};

/// Points a rule may give or take, each way.
const MAX_POINTS: i32 = 1000;

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
    Name,
    Points,
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
}

/// Which rules to return.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct LeadScoringRuleFilter {
    pub and: Option<Vec<LeadScoringRuleFilter>>,
    pub or: Option<Vec<LeadScoringRuleFilter>>,
    pub not: Option<Box<LeadScoringRuleFilter>>,
    pub id: Option<IdFilter>,
    pub target: Option<EnumFilter<ScoringTarget>>,
    pub active: Option<bool>,
}

impl RecordFilter for LeadScoringRuleFilter {
    fn fields(&self, _workspace_id: Uuid, _backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        let c = |name| col("lead_scoring_rule", name);
        let mut all = Condition::all();
        if let Some(f) = &self.id {
            all = all.add(f.condition(c("id"), Kind::LeadScoringRule, "filter.id")?);
        }
        if let Some(f) = &self.target {
            all = all.add(f.condition(c("target")));
        }
        if let Some(active) = self.active {
            all = all.add(c("active").eq(active));
        }
        Ok(all)
    }
    record_filter_composition!();
}

/// Adds `points` to the score of every contact the rule matches.
#[Object]
impl LeadScoringRule {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::LeadScoringRule, self.0.model().id)
    }
    async fn name(&self) -> &str {
        &self.0.model().name
    }
    async fn target(&self) -> ScoringTarget {
        self.0.model().target
    }
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
    async fn points(&self) -> i32 {
        self.0.model().points
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

/// A stored bound as the API shows it (revenue is stored ×10⁴).
fn bound(rule: &lead_scoring_rule::Model, stored: Option<i64>) -> Option<Decimal> {
    let value = stored?;
    Some(match rule.target {
        ScoringTarget::AnnualRevenue => money::from_e4(value, "XXX").normalize(),
        _ => Decimal::from(value),
    })
}

#[derive(InputObject)]
pub struct LeadScoringRuleInput {
    pub name: String,
    pub target: ScoringTarget,
    /// Required for JOB_TITLE and INDUSTRY, refused otherwise.
    pub contains: Option<String>,
    /// For COMPANY_SIZE and ANNUAL_REVENUE (at least one bound).
    pub at_least: Option<Decimal>,
    pub at_most: Option<Decimal>,
    pub points: i32,
    #[graphql(default = true)]
    pub active: bool,
}

/// A rule's checked columns: name, text, min, max, points.
type Checked = (String, Option<String>, Option<i64>, Option<i64>, i32);

fn check(input: &LeadScoringRuleInput) -> ApiResult<Checked> {
    let name = text::required_name(&input.name, 200).map_err(ApiError::invalid("input.name"))?;
    if input.points.abs() > MAX_POINTS {
        return Err(ApiError::bad_input(
            "input.points",
            format!("between -{MAX_POINTS} and {MAX_POINTS}"),
        ));
    }
    let texts = matches!(
        input.target,
        ScoringTarget::JobTitle | ScoringTarget::Industry
    );
    let numbers = matches!(
        input.target,
        ScoringTarget::CompanySize | ScoringTarget::AnnualRevenue
    );
    let contains = text::optional_text(input.contains.as_deref(), 200)
        .map_err(ApiError::invalid("input.contains"))?;
    match (&contains, texts) {
        (None, true) => {
            return Err(ApiError::bad_input(
                "input.contains",
                "a JOB_TITLE or INDUSTRY rule needs the text to look for",
            ));
        }
        (Some(_), false) => {
            return Err(ApiError::bad_input(
                "input.contains",
                "only JOB_TITLE and INDUSTRY rules match text",
            ));
        }
        (Some(text), true) if text.contains(['%', '_']) => {
            return Err(ApiError::bad_input(
                "input.contains",
                "may not contain % or _",
            ));
        }
        _ => {}
    }
    let has_bounds = input.at_least.is_some() || input.at_most.is_some();
    if numbers != has_bounds {
        return Err(ApiError::bad_input(
            "input.atLeast",
            if numbers {
                "a COMPANY_SIZE or ANNUAL_REVENUE rule needs atLeast or atMost"
            } else {
                "only COMPANY_SIZE and ANNUAL_REVENUE rules have bounds"
            },
        ));
    }
    let store = |value: Option<Decimal>, field: &str| -> ApiResult<Option<i64>> {
        let Some(value) = value else { return Ok(None) };
        if value.is_sign_negative() {
            return Err(ApiError::bad_input(field, "must not be negative"));
        }
        if input.target == ScoringTarget::AnnualRevenue {
            return money::to_e4(value)
                .map(Some)
                .map_err(ApiError::invalid(field));
        }
        if !value.fract().is_zero() {
            return Err(ApiError::bad_input(
                field,
                "a company size is a whole number",
            ));
        }
        i64::try_from(value)
            .map(Some)
            .map_err(|_| ApiError::bad_input(field, "too large"))
    };
    let min = store(input.at_least, "input.atLeast")?;
    let max = store(input.at_most, "input.atMost")?;
    if let (Some(low), Some(high)) = (min, max)
        && high < low
    {
        return Err(ApiError::bad_input(
            "input.atMost",
            "must not be below atLeast",
        ));
    }
    Ok((name, contains, min, max, input.points))
}

#[derive(SimpleObject)]
pub struct LeadScoringRulePayload {
    pub lead_scoring_rule: LeadScoringRule,
    /// Contacts whose score the change moved.
    pub rescored_contacts: i32,
}

fn payload(row: lead_scoring_rule::Model, rescored: usize) -> LeadScoringRulePayload {
    LeadScoringRulePayload {
        lead_scoring_rule: LeadScoringRule(Level::single(row)),
        rescored_contacts: i32::try_from(rescored).unwrap_or(i32::MAX),
    }
}

/// Rescores the workspace, writes the event and commits.
async fn finish(
    ctx: &Context<'_>,
    txn: sea_orm::DatabaseTransaction,
    actor: &Actor,
    row: lead_scoring_rule::Model,
    verb: &str,
) -> ApiResult<LeadScoringRulePayload> {
    let reason = format!("rule {} {verb}", row.name);
    let rescored = recompute(&txn, actor.workspace_id, Which::Workspace, &reason, now()).await?;
    let event = event_for::<LeadScoringRule>(&row, verb)?;
    commit(ctx, txn, actor, vec![event]).await?;
    Ok(payload(row, rescored))
}

#[derive(Default)]
pub struct RuleMutation;

#[Object]
impl RuleMutation {
    /// Adds a scoring rule and rescores every contact.
    async fn create_lead_scoring_rule(
        &self,
        ctx: &Context<'_>,
        input: LeadScoringRuleInput,
    ) -> ApiResult<LeadScoringRulePayload> {
        let actor = writer(ctx, Area::Settings)?;
        let (name, contains, min, max, points) = check(&input)?;
        let txn = begin(ctx).await?;
        let at = now();
        let row = lead_scoring_rule::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(actor.workspace_id),
            name: Set(name),
            target: Set(input.target),
            text_value: Set(contains),
            min_value: Set(min),
            max_value: Set(max),
            points: Set(points),
            active: Set(input.active),
            version: Set(1),
            deleted_at: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&txn)
        .await?;
        finish(ctx, txn, actor, row, "created").await
    }

    /// Replaces a rule's settings (the whole input, as rules are small) and rescores.
    async fn update_lead_scoring_rule(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: LeadScoringRuleInput,
        expected_version: Option<i32>,
    ) -> ApiResult<LeadScoringRulePayload> {
        let actor = writer(ctx, Area::Settings)?;
        let id = ids::decode(&id, Kind::LeadScoringRule, "id")?;
        let (name, contains, min, max, points) = check(&input)?;
        let txn = begin(ctx).await?;
        let current = load_live::<LeadScoringRule>(&txn, actor, id).await?;
        check_version(expected_version, current.version)?;
        let change = lead_scoring_rule::ActiveModel {
            name: Set(name),
            target: Set(input.target),
            text_value: Set(contains),
            min_value: Set(min),
            max_value: Set(max),
            points: Set(points),
            active: Set(input.active),
            version: Set(current.version + 1),
            updated_at: Set(now()),
            ..Default::default()
        };
        let row =
            write::save_if_unchanged::<LeadScoringRule>(&txn, actor, id, current.version, change)
                .await?;
        finish(ctx, txn, actor, row, "updated").await
    }

    /// Deletes a rule (restorable) and rescores.
    async fn delete_lead_scoring_rule(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<LeadScoringRulePayload> {
        delete_or_restore(ctx, id, expected_version, true).await
    }

    /// Restores a deleted rule and rescores.
    async fn restore_lead_scoring_rule(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<LeadScoringRulePayload> {
        delete_or_restore(ctx, id, expected_version, false).await
    }
}

async fn delete_or_restore(
    ctx: &Context<'_>,
    id: ID,
    expected_version: Option<i32>,
    delete: bool,
) -> ApiResult<LeadScoringRulePayload> {
    let actor = writer(ctx, Area::Settings)?;
    let id = ids::decode(&id, Kind::LeadScoringRule, "id")?;
    let txn = begin(ctx).await?;
    let row = load_any::<LeadScoringRule>(&txn, actor, id).await?;
    match (delete, row.deleted_at) {
        (true, Some(_)) => return Err(ApiError(CoreError::NotFound("LeadScoringRule"))),
        (false, None) => {
            return Err(ApiError::bad_input("id", "this rule is not deleted"));
        }
        _ => {}
    }
    check_version(expected_version, row.version)?;
    write::set_deleted::<LeadScoringRule>(&txn, actor, id, row.version, delete).await?;
    let row = load_any::<LeadScoringRule>(&txn, actor, id).await?;
    finish(
        ctx,
        txn,
        actor,
        row,
        if delete { "deleted" } else { "restored" },
    )
    .await
}

#[derive(Default)]
pub struct RuleQuery;

#[Object]
impl RuleQuery {
    /// The workspace's lead scoring rules (by name unless `orderBy` says otherwise).
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
    async fn lead_scoring_rules(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<LeadScoringRuleFilter>,
        order_by: Option<Vec<Ordering<LeadScoringRuleOrderField>>>,
    ) -> ApiResult<Conn<LeadScoringRule>> {
        actor(ctx)?;
        let keys = sort_keys(
            order_by.as_deref(),
            "lead_scoring_rule",
            LeadScoringRuleOrderField::key,
            &[LeadScoringRuleOrderField::Name.key()],
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
