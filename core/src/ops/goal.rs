//! Goals: a member's quota (a won amount in one currency) for a period.

use crate::store::Fresh;
use chrono::NaiveDate;
use entity::{goal, member};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

use super::edit::non_negative_amount;
use super::lifecycle::delete_or_restore;
use crate::access::{Actor, Area};
use crate::domain::money;
use crate::error::{CoreError, CoreResult};
use crate::store::{Core, check_reference, check_version, load_live, now, save_if_unchanged};

/// A new goal.
#[derive(Debug, Clone)]
pub struct NewGoal {
    pub member_id: Uuid,
    pub period_start: NaiveDate,
    /// The last day of the period (included); not before `period_start`.
    pub period_end: NaiveDate,
    /// Zero or more, with at most as many decimals as the currency has.
    pub quota: Decimal,
    pub currency: String,
}

/// Changes to a goal; `None` fields stay.
#[derive(Debug, Clone, Default)]
pub struct GoalChanges {
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub quota: Option<Decimal>,
    pub currency: Option<String>,
}

/// Sets a member's quota for a period (ADMIN and MANAGER).
pub async fn create(core: &Core, actor: &Actor, new: NewGoal) -> CoreResult<goal::Model> {
    actor.require(Area::Settings)?;
    check_period(new.period_start, new.period_end)?;
    let (code, quota_e4) = non_negative_amount(new.quota, &new.currency, "input.quota")?;
    let txn = core.begin().await?;
    check_reference::<member::Entity>(&txn, actor, Some(new.member_id), "input.memberId").await?;
    let at = now();
    let row = goal::ActiveModel {
        id: Set(crate::store::new_id()),
        workspace_id: Set(actor.workspace_id),
        member_id: Set(new.member_id),
        period_start: Set(new.period_start),
        period_end: Set(new.period_end),
        quota_e4: Set(quota_e4),
        currency: Set(code),
        ..Default::default()
    }
    .fresh(at)
    .insert(&txn)
    .await?;
    core.finish::<goal::Entity>(txn, actor, row, "created")
        .await
}

/// Changes goal `id`'s period or quota; with `expected_version`, refuses
/// (`CONFLICT`) if it changed since.
pub async fn update(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    changes: GoalChanges,
    expected_version: Option<i32>,
) -> CoreResult<goal::Model> {
    actor.require(Area::Settings)?;
    let txn = core.begin().await?;
    let current = load_live::<goal::Entity>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    let start = changes.period_start.unwrap_or(current.period_start);
    let end = changes.period_end.unwrap_or(current.period_end);
    check_period(start, end)?;
    let code = changes.currency.unwrap_or_else(|| current.currency.clone());
    // A kept quota is re-checked against a new currency's decimals.
    let quota = changes
        .quota
        .unwrap_or_else(|| money::from_e4(current.quota_e4, &current.currency));
    let (code, quota_e4) = non_negative_amount(quota, &code, "input.quota")?;
    let change = goal::ActiveModel {
        period_start: Set(start),
        period_end: Set(end),
        quota_e4: Set(quota_e4),
        currency: Set(code),
        version: Set(current.version + 1),
        updated_at: Set(now()),
        ..Default::default()
    };
    let row = save_if_unchanged::<goal::Entity>(&txn, actor, id, current.version, change).await?;
    core.finish::<goal::Entity>(txn, actor, row, "updated")
        .await
}

/// Soft-deletes (`delete`) or restores goal `id`.
pub async fn delete(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    delete: bool,
) -> CoreResult<goal::Model> {
    delete_or_restore::<goal::Entity>(core, actor, Area::Settings, id, expected_version, delete)
        .await
}

/// A period whose end is not before its start.
fn check_period(start: NaiveDate, end: NaiveDate) -> CoreResult<()> {
    if end < start {
        return Err(CoreError::bad_input(
            "input.periodEnd",
            "must not be before periodStart",
        ));
    }
    Ok(())
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
            non_negative_amount(Decimal::new(1000, 0), "eur", "input.quota").unwrap(),
            ("EUR".to_owned(), 10_000_000)
        );
        assert!(non_negative_amount(Decimal::new(-1, 0), "EUR", "input.quota").is_err());
        assert!(non_negative_amount(Decimal::new(1, 3), "EUR", "input.quota").is_err());
        assert!(non_negative_amount(Decimal::new(1, 0), "XXZ", "input.quota").is_err());
    }
}
