//! Lead scoring rules. Every change to a rule rescores the workspace's
//! contacts in the same transaction.

use crate::store::Fresh;
use entity::enums::ScoringTarget;
use entity::lead_scoring_rule;
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, Set};
use uuid::Uuid;

use super::unique::Unique;
use crate::access::{Actor, Area};
use crate::domain::{money, text};
use crate::error::{CoreError, CoreResult};
use crate::rules::scoring::{Which, recompute};
use crate::store::{
    Author, Core, check_version, event_for, load_any, load_live, now, save_if_unchanged,
    set_deleted,
};

/// Points a rule may give or take, each way.
const MAX_POINTS: i32 = 1000;

/// A rule's settings, whole (rules are small: an update replaces them all).
#[derive(Debug, Clone)]
pub struct RuleSettings {
    pub name: String,
    pub target: ScoringTarget,
    /// Required for JOB_TITLE and INDUSTRY, refused otherwise.
    pub contains: Option<String>,
    /// For COMPANY_SIZE and ANNUAL_REVENUE (at least one bound).
    pub at_least: Option<Decimal>,
    pub at_most: Option<Decimal>,
    pub points: i32,
    pub active: bool,
}

/// A rule after a change, and how many contacts' scores the change moved.
#[derive(Debug, Clone)]
pub struct Rescored {
    pub rule: lead_scoring_rule::Model,
    pub rescored_contacts: usize,
}

/// A rule's name is unique among the workspace's live rules.
const NAME: Unique = Unique::ScoringRuleName;
const FIELD: &str = "input.name";

/// Adds a scoring rule and rescores every contact.
pub async fn create(core: &Core, actor: &Actor, settings: RuleSettings) -> CoreResult<Rescored> {
    actor.require(Area::Settings)?;
    let checked = check(&settings)?;
    let txn = core.begin().await?;
    NAME.check_free(&txn, actor.workspace_id, Some(&checked.name), &[], FIELD)
        .await?;
    let at = now();
    let row = lead_scoring_rule::ActiveModel {
        id: Set(crate::store::new_id()),
        workspace_id: Set(actor.workspace_id),
        name: Set(checked.name),
        target: Set(settings.target),
        text_value: Set(checked.contains),
        min_value: Set(checked.min),
        max_value: Set(checked.max),
        points: Set(settings.points),
        active: Set(settings.active),
        ..Default::default()
    }
    .fresh(at)
    .insert(&txn)
    .await
    .map_err(NAME.or_taken(FIELD))?;
    finish(core, txn, actor, row, "created").await
}

/// Replaces rule `id`'s settings and rescores; with `expected_version`,
/// refuses (`CONFLICT`) if it changed since.
pub async fn update(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    settings: RuleSettings,
    expected_version: Option<i32>,
) -> CoreResult<Rescored> {
    actor.require(Area::Settings)?;
    let checked = check(&settings)?;
    let txn = core.begin().await?;
    let current = load_live::<lead_scoring_rule::Entity>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    NAME.check_free(&txn, actor.workspace_id, Some(&checked.name), &[id], FIELD)
        .await?;
    let change = lead_scoring_rule::ActiveModel {
        name: Set(checked.name),
        target: Set(settings.target),
        text_value: Set(checked.contains),
        min_value: Set(checked.min),
        max_value: Set(checked.max),
        points: Set(settings.points),
        active: Set(settings.active),
        version: Set(current.version + 1),
        updated_at: Set(now()),
        ..Default::default()
    };
    let row =
        save_if_unchanged::<lead_scoring_rule::Entity>(&txn, actor, id, current.version, change)
            .await?;
    finish(core, txn, actor, row, "updated").await
}

/// Deletes (`delete`, restorable) or restores rule `id`, and rescores.
pub async fn delete(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    delete: bool,
) -> CoreResult<Rescored> {
    actor.require(Area::Settings)?;
    let txn = core.begin().await?;
    let row = load_any::<lead_scoring_rule::Entity>(&txn, actor, id).await?;
    match (delete, row.deleted_at) {
        (true, Some(_)) => return Err(CoreError::NotFound("LeadScoringRule")),
        (false, None) => {
            return Err(CoreError::bad_input("id", "this rule is not deleted"));
        }
        _ => {}
    }
    check_version(expected_version, row.version)?;
    if !delete {
        NAME.check_free(&txn, actor.workspace_id, Some(&row.name), &[id], "name")
            .await?;
    }
    set_deleted::<lead_scoring_rule::Entity>(&txn, actor, id, row.version, delete).await?;
    let row = load_any::<lead_scoring_rule::Entity>(&txn, actor, id).await?;
    let verb = if delete { "deleted" } else { "restored" };
    finish(core, txn, actor, row, verb).await
}

/// Rescores the workspace, writes the event and commits.
async fn finish(
    core: &Core,
    txn: DatabaseTransaction,
    actor: &Actor,
    row: lead_scoring_rule::Model,
    verb: &str,
) -> CoreResult<Rescored> {
    let reason = format!("rule {} {verb}", row.name);
    let rescored = recompute(&txn, actor.workspace_id, Which::Workspace, &reason, now()).await?;
    let event = event_for::<lead_scoring_rule::Entity>(&row, verb)?;
    core.commit(txn, Author::of(actor), vec![event]).await?;
    Ok(Rescored {
        rule: row,
        rescored_contacts: rescored,
    })
}

/// A rule's checked columns.
struct Checked {
    name: String,
    contains: Option<String>,
    min: Option<i64>,
    max: Option<i64>,
}

fn check(input: &RuleSettings) -> CoreResult<Checked> {
    let name = text::required_name(&input.name, 200).map_err(CoreError::invalid("input.name"))?;
    if input.points.abs() > MAX_POINTS {
        return Err(CoreError::bad_input(
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
        .map_err(CoreError::invalid("input.contains"))?;
    match (&contains, texts) {
        (None, true) => {
            return Err(CoreError::bad_input(
                "input.contains",
                "a JOB_TITLE or INDUSTRY rule needs the text to look for",
            ));
        }
        (Some(_), false) => {
            return Err(CoreError::bad_input(
                "input.contains",
                "only JOB_TITLE and INDUSTRY rules match text",
            ));
        }
        // The text goes into a LIKE pattern.
        (Some(text), true) if text.contains(['%', '_']) => {
            return Err(CoreError::bad_input(
                "input.contains",
                "may not contain % or _",
            ));
        }
        _ => {}
    }
    let has_bounds = input.at_least.is_some() || input.at_most.is_some();
    if numbers != has_bounds {
        return Err(CoreError::bad_input(
            "input.atLeast",
            if numbers {
                "a COMPANY_SIZE or ANNUAL_REVENUE rule needs atLeast or atMost"
            } else {
                "only COMPANY_SIZE and ANNUAL_REVENUE rules have bounds"
            },
        ));
    }
    let store = |value: Option<Decimal>, field: &str| -> CoreResult<Option<i64>> {
        let Some(value) = value else { return Ok(None) };
        if value.is_sign_negative() {
            return Err(CoreError::bad_input(field, "must not be negative"));
        }
        if input.target == ScoringTarget::AnnualRevenue {
            return money::to_e4(value)
                .map(Some)
                .map_err(CoreError::invalid(field));
        }
        if !value.fract().is_zero() {
            return Err(CoreError::bad_input(
                field,
                "a company size is a whole number",
            ));
        }
        i64::try_from(value)
            .map(Some)
            .map_err(|_| CoreError::bad_input(field, "too large"))
    };
    let min = store(input.at_least, "input.atLeast")?;
    let max = store(input.at_most, "input.atMost")?;
    if let (Some(low), Some(high)) = (min, max)
        && high < low
    {
        return Err(CoreError::bad_input(
            "input.atMost",
            "must not be below atLeast",
        ));
    }
    Ok(Checked {
        name,
        contains,
        min,
        max,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(target: ScoringTarget) -> RuleSettings {
        RuleSettings {
            name: "Big accounts".into(),
            target,
            contains: None,
            at_least: None,
            at_most: None,
            points: 10,
            active: true,
        }
    }

    fn refused_field(settings: &RuleSettings) -> Option<String> {
        match check(settings) {
            Err(CoreError::BadInput { field, .. }) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn text_rules_need_text_and_number_rules_need_bounds() {
        let mut title = rule(ScoringTarget::JobTitle);
        assert_eq!(refused_field(&title).as_deref(), Some("input.contains"));
        title.contains = Some("50%".into());
        assert_eq!(refused_field(&title).as_deref(), Some("input.contains"));
        title.contains = Some("Director".into());
        assert!(check(&title).is_ok());
        let mut size = rule(ScoringTarget::CompanySize);
        assert_eq!(refused_field(&size).as_deref(), Some("input.atLeast"));
        size.at_least = Some(Decimal::new(15, 1));
        assert_eq!(refused_field(&size).as_deref(), Some("input.atLeast"));
        size.at_least = Some(Decimal::from(100));
        size.at_most = Some(Decimal::from(50));
        assert_eq!(refused_field(&size).as_deref(), Some("input.atMost"));
    }

    #[test]
    fn revenue_bounds_are_stored_times_ten_thousand() {
        let mut revenue = rule(ScoringTarget::AnnualRevenue);
        revenue.at_least = Some(Decimal::new(15, 1));
        let checked = check(&revenue).unwrap();
        assert_eq!((checked.min, checked.max), (Some(15_000), None));
        revenue.points = MAX_POINTS + 1;
        assert_eq!(refused_field(&revenue).as_deref(), Some("input.points"));
    }
}
